import XCTest
@testable import AsyncPlayCore
@testable import AsyncPlayLoop

/// Futures and tasks are handles into the loop's tables, with asyncio's semantics: a
/// future's state and outcome, `cancel` dispatched on what the future is (a task
/// forwards it, a gather cancels its children, a plain future cancels itself), and a
/// task cancelled before its first step never runs it.
final class FutureTableTests: XCTestCase {
    func testAFutureFinishesOnceWithItsResultOrException() {
        let loop = EventLoop(clock: VirtualClock(), workers: 1)
        let f = loop.createFuture(), g = loop.createFuture()
        XCTAssertFalse(loop.isDone(f))
        if case .failure(let e) = loop.result(f) { XCTAssertEqual(e.typeName, "InvalidStateError") } else { XCTFail() }
        loop.setResult(f, .int("1"))
        loop.setException(g, PyException("ValueError", "boom"))
        XCTAssertEqual(try loop.result(f).get(), .int("1"))
        XCTAssertTrue(loop.hasUnretrievedException(g))
        XCTAssertEqual(loop.retrieveException(g)?.typeName, "ValueError")
        XCTAssertFalse(loop.hasUnretrievedException(g), "exception() marks it retrieved")
        XCTAssertFalse(try loop.cancel(f, message: nil), "a done future cannot be cancelled")
    }

    func testATaskCancelledBeforeItsFirstStepNeverRunsIt() throws {
        let loop = EventLoop(clock: VirtualClock(), workers: 1)
        let driver = LoopTestDriver()
        var ran = false
        let t = driver.spawn(loop, "A") { _, thrown, _ in
            if let thrown { return .raised(thrown) }
            ran = true
            return .returned(.none)
        }
        XCTAssertTrue(try loop.cancel(loop.future(of: t), message: "early"))
        driver.run(loop) { loop.isDone(t) }
        XCTAssertFalse(ran)
        XCTAssertTrue(loop.isCancelled(loop.future(of: t)))
        if case .failure(let e) = loop.result(loop.future(of: t)) { XCTAssertEqual(e.repr, "CancelledError('early')") } else { XCTFail() }
    }

    func testCancellingAGatherCancelsItsChildrenNotItself() throws {
        let loop = EventLoop(clock: VirtualClock(), workers: 1)
        let a = loop.createFuture(), b = loop.createFuture()
        let g = loop.gather([a, b], returnExceptions: false)
        XCTAssertTrue(try loop.cancel(g, message: nil))
        XCTAssertTrue(loop.isCancelled(a) && loop.isCancelled(b))
        XCTAssertFalse(loop.isDone(g), "the gather finishes when its children's callbacks run")
        loop.runOnce(LoopTestDriver())
        XCTAssertTrue(loop.isDone(g))
        if case .failure(let e) = loop.result(g) { XCTAssertTrue(e.isCancellation) } else { XCTFail() }
    }

    func testATaskForwardsCancelToWhatItAwaits() throws {
        let loop = EventLoop(clock: VirtualClock(), workers: 1)
        let driver = LoopTestDriver()
        let inner = loop.createFuture()
        let t = driver.spawn(loop, "A") { _, thrown, _ in thrown.map(Suspension.raised) ?? .awaiting(inner) }
        loop.runOnce(driver)                               // A awaits `inner`
        XCTAssertEqual(loop.waitingOn(t), inner)
        XCTAssertTrue(try loop.cancel(loop.future(of: t), message: "stop"))
        XCTAssertTrue(loop.isCancelled(inner), "Task.cancel cancels the future the task awaits")
        XCTAssertEqual(loop.cancelRequests(t), 1)
        driver.run(loop) { loop.isDone(t) }
        XCTAssertTrue(loop.isCancelled(loop.future(of: t)))
    }
}
