import XCTest
@testable import AsyncPlayCore
@testable import AsyncPlayLoop

/// A task's sleep on its own timer (no sleep future) must look, from outside, exactly like
/// `await asyncio.sleep(d)`: woken one batch after its timer fires, in deadline and then
/// scheduling order; cancelling it wakes the task with CancelledError(msg) in the next
/// batch; and the timer it leaves behind counts as cancelled until the loop drops it.
final class OwnSleepTests: XCTestCase {
    /// A task that sleeps on its own timer once per delay, noting when and how it resumed.
    private func spawnSleeper(_ driver: LoopTestDriver, _ loop: EventLoop, _ name: String, _ delays: [Int64],
                              log: @escaping (String) -> Void) -> Task {
        var next = 0
        return driver.spawn(loop, name) { task, thrown, loop in
            if next > 0 {
                loop.cancelOwnSleepTimer(task)          // the sleep's `finally: h.cancel()`
                if let e = thrown {
                    log("\(name) \(loop.now.microseconds) raised \(e.repr)")
                    return .raised(e)
                }
                log("\(name) \(loop.now.microseconds) woke")
            }
            guard next < delays.count else { return .returned(.none) }
            next += 1
            loop.scheduleOwnSleep(task, until: loop.now + .milliseconds(delays[next - 1]))
            return .awaitingOwnFuture
        }
    }

    func testWakesAtItsDeadlinesInDeadlineThenSchedulingOrder() {
        let loop = EventLoop(clock: VirtualClock(), workers: 1)
        let driver = LoopTestDriver()
        var log: [String] = []
        let a = spawnSleeper(driver, loop, "A", [5, 5]) { log.append($0) }
        let b = spawnSleeper(driver, loop, "B", [5, 1]) { log.append($0) }
        let c = spawnSleeper(driver, loop, "C", [10]) { log.append($0) }
        driver.run(loop) { loop.isDone(a) && loop.isDone(b) && loop.isDone(c) }
        // At 10 ms C (scheduled at 0) goes before A (scheduled at 5): ties in scheduling order.
        XCTAssertEqual(log, ["A 5000 woke", "B 5000 woke", "B 6000 woke", "C 10000 woke", "A 10000 woke"])
        XCTAssertFalse(loop.hasTimers)
    }

    func testCancelWakesTheTaskNextBatchWithItsMessage() throws {
        let loop = EventLoop(clock: VirtualClock(), workers: 1)
        let driver = LoopTestDriver()
        var log: [String] = []
        let a = spawnSleeper(driver, loop, "A", [1000]) { log.append($0) }
        loop.runOnce(driver)                            // A's first step: asleep
        XCTAssertEqual(loop.ownFuture(a), .pending)
        XCTAssertTrue(loop.hasTimers)
        XCTAssertEqual(try loop.requestCancel(a, message: "bye"), true)
        XCTAssertEqual(loop.ownFuture(a), .done)
        // A second cancel before A has stepped finds the sleep done: it is not forwarded,
        // A must cancel itself at its next step (asyncio's `_must_cancel`), and says True.
        XCTAssertEqual(try loop.requestCancel(a, message: "again"), true)
        XCTAssertEqual(loop.cancelRequests(a), 2)
        XCTAssertFalse(loop.isDone(a))
        loop.runOnce(driver)                            // the wake-up: CancelledError('bye')
        XCTAssertEqual(log, ["A 0 raised CancelledError('bye')"])
        XCTAssertTrue(loop.isCancelled(loop.future(of: a)))
        XCTAssertEqual(loop.now.microseconds, 0, "cancelling must not wait for the timer")
        // The timer is still in the heap, cancelled: nothing is left for the loop to wait for.
        XCTAssertTrue(loop.isTimerCancelled(loop.future(of: a)))
        XCTAssertFalse(loop.ownSleepAvailable(a), "the loop still holds A's cancelled timer")
        XCTAssertFalse(loop.hasTimers)
    }

    func testTheTimerOfACancelledSleepIsDroppedNotRun() {
        let loop = EventLoop(clock: VirtualClock(), workers: 1)
        let driver = LoopTestDriver()
        var log: [String] = []
        let a = spawnSleeper(driver, loop, "A", [3]) { log.append($0) }
        let b = spawnSleeper(driver, loop, "B", [5]) { log.append($0) }
        loop.runOnce(driver)
        _ = try? loop.requestCancel(a, message: nil)
        driver.run(loop) { loop.isDone(b) }
        XCTAssertTrue(loop.isCancelled(loop.future(of: a)))
        XCTAssertTrue(loop.ownSleepAvailable(a), "the loop let go of A's cancelled timer")
        XCTAssertEqual(log, ["A 0 raised CancelledError()", "B 5000 woke"])
    }
}
