import XCTest
@testable import AsyncPlay
@testable import AsyncPlayCore
@testable import AsyncPlayLanguage
@testable import AsyncPlayLoop
@testable import AsyncPlayEvents
@testable import AsyncPlaySession
@testable import AsyncPlayExport
@testable import AsyncPlayRender

/// A task's sleep on its own timer (no sleep future) must look, from outside, exactly like
/// `await asyncio.sleep(d)`: woken one batch after its timer fires, in deadline and then
/// scheduling order; cancelling it wakes the task with CancelledError(msg) in the next
/// batch; and the timer it leaves behind counts as cancelled until the loop drops it.
final class OwnSleepTests: XCTestCase {
    /// Sleeps on its task's own timer once per delay, noting when and how it resumed.
    private final class Sleeper: Coroutine {
        unowned(unsafe) var task: Task!
        private let delays: [TimeAmount]
        private var next = 0
        var log: [String]

        init(_ delays: [TimeAmount], log: [String]) {
            self.delays = delays
            self.log = log
        }

        func resume(_ thrown: PyException?) -> Suspension {
            if next > 0 {
                task.cancelOwnSleepTimer()          // the sleep's `finally: h.cancel()`
                let outcome = thrown.map(Suspension.raised) ?? .returned(.none)
                if case .raised(let e) = outcome {
                    log.append("\(task.name) \(task.loop.now.microseconds) raised \(e.repr)")
                    return outcome
                }
                log.append("\(task.name) \(task.loop.now.microseconds) woke")
            }
            guard next < delays.count else { return .returned(.none) }
            next += 1
            task.loop.scheduleOwnSleep(task, until: task.loop.now + delays[next - 1])
            return .awaitingOwnFuture
        }
    }

    private func spawn(_ loop: EventLoop, _ name: String, _ delays: [Int64]) -> (CoroutineTask<Sleeper>, Sleeper) {
        let sleeper = Sleeper(delays.map { .milliseconds($0) }, log: [])
        let task = CoroutineTask(loop: loop, name: name, coroutine: sleeper)
        sleeper.task = task
        return (task, sleeper)
    }

    private func run(_ loop: EventLoop, until done: () -> Bool) {
        var iterations = 0
        while !done() {
            loop.runOnce()
            iterations += 1
            XCTAssertLessThan(iterations, 1000, "the loop did not finish")
            if iterations >= 1000 { return }
        }
    }

    func testWakesAtItsDeadlinesInDeadlineThenSchedulingOrder() {
        let loop = EventLoop(clock: VirtualClock(), workers: 1)
        let (a, sa) = spawn(loop, "A", [5, 5])
        let (b, sb) = spawn(loop, "B", [5, 1])
        let (c, sc) = spawn(loop, "C", [10])
        run(loop) { a.isDone && b.isDone && c.isDone }
        XCTAssertEqual(sa.log, ["A 5000 woke", "A 10000 woke"])
        XCTAssertEqual(sb.log, ["B 5000 woke", "B 6000 woke"])
        XCTAssertEqual(sc.log, ["C 10000 woke"])
        XCTAssertFalse(loop.hasTimers)
    }

    func testCancelWakesTheTaskNextBatchWithItsMessage() {
        let loop = EventLoop(clock: VirtualClock(), workers: 1)
        let (a, sa) = spawn(loop, "A", [1000])
        loop.runOnce()                                  // A's first step: asleep
        XCTAssertEqual(a.ownFuture, .pending)
        XCTAssertTrue(loop.hasTimers)
        XCTAssertEqual(try a.requestCancel(message: "bye"), true)
        XCTAssertEqual(a.ownFuture, .done)
        // A second cancel before A has stepped finds the sleep done: it is not forwarded,
        // A must cancel itself at its next step (asyncio's `_must_cancel`), and says True.
        XCTAssertEqual(try a.requestCancel(message: "again"), true)
        XCTAssertEqual(a.cancelRequests, 2)
        XCTAssertFalse(a.isDone)
        loop.runOnce()                                  // the wake-up: CancelledError('bye')
        XCTAssertEqual(sa.log, ["A 0 raised CancelledError('bye')"])
        XCTAssertTrue(a.isCancelled)
        XCTAssertEqual(loop.now.microseconds, 0, "cancelling must not wait for the timer")
        // The timer is still in the heap, cancelled: nothing is left for the loop to wait for.
        XCTAssertTrue(a.timerCancelled && a.timerHeld)
        XCTAssertFalse(loop.hasTimers)
    }

    func testTheTimerOfACancelledSleepIsDroppedNotRun() {
        let loop = EventLoop(clock: VirtualClock(), workers: 1)
        let (a, sa) = spawn(loop, "A", [3])
        let (b, sb) = spawn(loop, "B", [5])
        defer { withExtendedLifetime(sa) {} }           // a task does not own its coroutine
        loop.runOnce()
        _ = try? a.requestCancel(message: nil)
        run(loop) { b.isDone }
        XCTAssertTrue(a.isCancelled)
        XCTAssertFalse(a.timerHeld, "the loop let go of A's cancelled timer")
        XCTAssertEqual(sb.log, ["B 5000 woke"])
    }
}
