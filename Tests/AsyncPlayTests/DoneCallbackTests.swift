import XCTest
@testable import AsyncPlay
@testable import AsyncPlayCore
@testable import AsyncPlayLanguage
@testable import AsyncPlayLoop
@testable import AsyncPlayEvents
@testable import AsyncPlaySession
@testable import AsyncPlayExport
@testable import AsyncPlayRender

/// Done-callbacks run in registration order one batch after their future is done, and a
/// future lets go of exactly the callbacks it counted: after they ran, when they are
/// removed, or when the future itself goes away (checked with weak references).
final class DoneCallbackTests: XCTestCase {
    private final class Recorder: DoneCallback {
        let name: String
        let log: LogBox
        init(_ name: String, _ log: LogBox) {
            self.name = name
            self.log = log
        }
        override func futureDone(_ future: Future) { log.lines.append(name) }
    }
    private final class LogBox { var lines: [String] = [] }

    func testRunInOrderAndCountedOnesAreReleasedAfterRunning() {
        let loop = EventLoop(clock: VirtualClock(), workers: 1)
        let log = LogBox()
        let kept = Recorder("uncounted", log)             // its owner keeps it, as the session does
        weak var counted: Recorder?
        weak var third: Recorder?
        let f = Future(loop: loop)
        do {
            let a = Recorder("counted", log), c = Recorder("third", log)
            counted = a
            third = c
            f.addDoneCallback(a)
            f.addDoneCallback(kept, counted: false)
            f.addDoneCallback(c)
        }
        XCTAssertNotNil(counted, "the future holds what it counted")
        XCTAssertNotNil(third)
        f.setResult(.none)
        XCTAssertEqual(log.lines, [], "callbacks wait for the next batch")
        loop.runOnce()
        XCTAssertEqual(log.lines, ["counted", "uncounted", "third"])
        XCTAssertNil(counted, "released once it ran")
        XCTAssertNil(third)
        withExtendedLifetime(kept) {}
    }

    func testRemovedAndPendingCallbacksAreReleased() {
        let loop = EventLoop(clock: VirtualClock(), workers: 1)
        let log = LogBox()
        weak var removed: Recorder?
        weak var pending: Recorder?
        var f: Future? = Future(loop: loop)
        do {
            let r = Recorder("removed", log), p = Recorder("pending", log)
            removed = r
            pending = p
            f!.addDoneCallback(r)
            f!.addDoneCallback(p)
            XCTAssertEqual(f!.removeDoneCallback(r), 1)
        }
        XCTAssertNil(removed, "removing a counted callback lets go of it")
        XCTAssertNotNil(pending)
        f = nil
        XCTAssertNil(pending, "a future that goes away lets go of what it counted")
        XCTAssertEqual(log.lines, [])
    }

    func testACallbackQueuedWhenTheLoopGoesAwayIsReleased() {
        weak var queued: Recorder?
        weak var future: Future?
        do {
            let loop = EventLoop(clock: VirtualClock(), workers: 1)
            let f = Future(loop: loop)
            future = f
            let r = Recorder("never runs", LogBox())
            queued = r
            f.addDoneCallback(r)
            f.setResult(.none)                 // queued for the next batch, which never comes
        }
        XCTAssertNil(queued)
        XCTAssertNil(future)
    }
}
