import Dispatch
import XCTest
import AsyncPlay

/// Another thread reaches a running session only through its handle: lines and Ctrl-C
/// go through the loop's inbox, and after `reset` the handle follows the new loop.
final class SessionHandleTests: XCTestCase {
    private final class Lines: RecordSink, @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [String] = []
        func record(_ r: Record) {
            let text: String
            switch r {
            case .input(_, let t): text = "input " + t.string
            case .result(let c): text = "result " + c.command
            case .main(let m): if case .reset = m.kind { text = "reset" } else { return }
            default: return
            }
            lock.lock(); seen.append(text); lock.unlock()
        }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return seen }
    }

    func testAHandleFollowsTheSessionAcrossAReset() throws {
        var options = Session.Options()
        options.clock = { RealClock(speed: 1) }
        let sink = Lines()
        let session = Session(options: options, lines: .external(waitForLine: nil), sink: sink)
        let ready = DispatchSemaphore(value: 0)
        session.onAwaitingInput = { _ in ready.signal() }
        let handle = session.handle
        let loopThread = Thread { session.run() }
        loopThread.start()

        func type(_ text: String) throws {
            XCTAssertEqual(ready.wait(timeout: .now() + 10), .success, "main never asked for a line")
            guard case .success(let line?) = Script.parseLine(text, number: 1) else { return XCTFail(text) }
            handle.submit(line)
        }
        try type("sleep 50ms")
        try type("time")
        XCTAssertEqual(ready.wait(timeout: .now() + 10), .success)
        let before = try XCTUnwrap(handle.now)
        XCTAssertGreaterThanOrEqual(before.microseconds, 50_000)
        ready.signal()
        try type("reset")
        XCTAssertEqual(ready.wait(timeout: .now() + 10), .success)
        // The new loop's clock started at the reset: the handle reads it, not the old one.
        let after = try XCTUnwrap(handle.now)
        XCTAssertLessThan(after.microseconds, before.microseconds)
        handle.submit(nil)
        let deadline = Date().addingTimeInterval(10)
        while !loopThread.isFinished && Date() < deadline { usleep(1000) }
        XCTAssertTrue(loopThread.isFinished, "Ctrl-D did not end the session")
        XCTAssertEqual(sink.all.filter { $0.hasPrefix("input") }, ["input sleep 50ms", "input time", "input reset"])
        XCTAssertTrue(sink.all.contains("reset"))
    }

    /// A virtual clock's time moves only on the loop's thread: the handle does not read it.
    func testAVirtualClockIsNotReadFromAnotherThread() {
        let session = Session(lines: .external(waitForLine: nil), sink: Lines())
        XCTAssertNil(session.handle.now)
    }
}
