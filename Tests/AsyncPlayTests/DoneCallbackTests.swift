import XCTest
@testable import AsyncPlayCore
@testable import AsyncPlayLoop

/// Done-callbacks run in registration order one batch after their future is done (two
/// inline and the rest in the overflow list alike); `remove_done_callback` removes every
/// registration of a callback; a callback added to a done future is scheduled at once.
final class DoneCallbackTests: XCTestCase {
    func testRunInRegistrationOrderOneBatchAfterTheFutureIsDone() {
        let loop = EventLoop(clock: VirtualClock(), workers: 1)
        let driver = LoopTestDriver()
        let f = loop.createFuture()
        for tag in 0..<5 { loop.addDoneCallback(f, .driver(Int32(tag))) }
        loop.setResult(f, .none)
        XCTAssertEqual(driver.log, [], "callbacks wait for the next batch")
        loop.runOnce(driver)
        XCTAssertEqual(driver.log, ["callback 0", "callback 1", "callback 2", "callback 3", "callback 4"])
    }

    func testRemoveTakesEveryRegistrationOfTheCallback() {
        let loop = EventLoop(clock: VirtualClock(), workers: 1)
        let driver = LoopTestDriver()
        let f = loop.createFuture()
        for tag: Int32 in [7, 1, 7, 2, 7] { loop.addDoneCallback(f, .driver(tag)) }
        XCTAssertEqual(loop.removeDoneCallback(f, .driver(7)), 3)
        XCTAssertEqual(loop.removeDoneCallback(f, .driver(7)), 0)
        _ = loop.cancelFuture(f, message: nil)
        loop.runOnce(driver)
        XCTAssertEqual(driver.log, ["callback 1", "callback 2"])
    }

    func testACallbackAddedToADoneFutureRunsNextBatch() {
        let loop = EventLoop(clock: VirtualClock(), workers: 1)
        let driver = LoopTestDriver()
        let f = loop.createFuture()
        loop.setResult(f, .int("3"))
        loop.addDoneCallback(f, .driver(9))
        XCTAssertEqual(driver.log, [])
        loop.runOnce(driver)
        XCTAssertEqual(driver.log, ["callback 9"])
    }
}
