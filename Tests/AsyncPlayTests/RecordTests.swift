import XCTest
import AsyncPlay

/// The records are small plain values: a million-task run keeps a few million of them.
final class RecordTests: XCTestCase {
    func testATaskEventIsSmall() {
        // An instant, a task's ID (not its name, not a reference) and the kind with its
        // largest payload (a returned value) fit in 40 bytes.
        XCTAssertEqual(MemoryLayout<TaskID>.size, 4)
        XCTAssertLessThanOrEqual(MemoryLayout<TaskEvent>.stride, 40)
    }

    func testRecordsAreSendableValues() {
        func sendable<T: Sendable>(_: T.Type) {}
        sendable(Record.self)
        sendable(TaskEvent.self)
        sendable(MainEvent.self)
        sendable(TraceEvent.self)
    }

    func testMainsBlockedEventNamesWhatItAwaits() {
        let probe = Probe()
        let script = Script.parse("spawn A 1s; spawn B 2s; spawn C 3s\ngather B A B\nawait C\nsleep 1s\n")
        Session(lines: .script(script.lineFeed()), sink: probe).run()
        XCTAssertEqual(probe.blocked.map { "\($0.command) line \($0.line) \($0.tasks.map(\.sequence))" },
                       ["gather line 2 [1, 0]", "await line 3 [2]", "sleep line 4 []"])
    }

    private final class Probe: RecordSink {
        var blocked: [MainAwait] = []
        func record(_ r: Record) {
            if case .main(let m) = r, case .blocked(let awaiting) = m.kind { blocked.append(awaiting) }
        }
    }
}
