import Foundation
import XCTest
import AsyncPlay
@testable import AsyncPlaySession

/// `status` is a fold of the recorded events (StatusFold): what each row says, and that it
/// says what the live tasks say at the moment the command runs.
final class StatusFoldTests: XCTestCase {
    /// The rows of every `status` in a run's transcript, one string per row.
    private func statusRows(_ source: String) -> [String] {
        Fixtures.run(source).output.split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix(">>>") && !$0.hasPrefix("  [") && !$0.hasPrefix("TASK") }
    }

    private func squeeze(_ s: String) -> String {
        s.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    func testACancelRequestShowsCancellingUntilTheTaskEnds() {
        let out = Fixtures.run("""
            spawn A 1s
            cancel A; status; sleep 0; status
            status
            """).output
        let rows = out.split(separator: "\n").filter { $0.hasPrefix("A ") }.map { squeeze(String($0)) }
        // Requested: cancelling. The loop threw CancelledError in (its end not reported
        // yet): cancelled, no finish time. Reported: cancelled at 0.
        XCTAssertEqual(rows, ["A cancelling 0.000 0.000 -", "A cancelled 0.000 0.000 -", "A cancelled 0.000 0.000 0.000"], out)
    }

    func testATaskInAThreadJobWaitingForAWorkerIsQueued() {
        let rows = statusRows("""
            set workers 1
            spawn A thread 1s
            spawn B thread 1s
            sleep 0; status
            """).map(squeeze)
        XCTAssertEqual(rows, ["A in-thread its thread 0.000 0.000 -",
                              "B in-thread a free worker (queued) 0.000 0.000 -"])
    }

    func testASleepingTaskShowsItsTimerAndAnOverdueOneWhileTheLoopIsHeld() {
        let rows = statusRows("""
            spawn A 1s
            sleep 0; block 2s; status
            """).map(squeeze)
        XCTAssertEqual(rows, ["A sleeping timer at 1.000, 1.000s overdue 0.000 0.000 -"])
    }

    func testATaskWhoseCoroutineEndedIsDoneBeforeItsEndIsReported() {
        // B's end wakes A and main in the same iteration: A returns just before main runs
        // `status`, and its `done` line is printed one iteration later.
        let rows = statusRows("""
            spawn B 1s
            spawn A await B
            await B; status
            """).map(squeeze)
        XCTAssertEqual(rows, ["'B'", "B done 'B' 0.000 0.000 1.000", "A done 'A' 0.000 0.000 -"])
    }

    func testACancelPassesDownTheChainOfAwaits() {
        let rows = statusRows("""
            spawn C 1s
            spawn B await C
            spawn A await B
            sleep 0; status A B C
            cancel A; status A B C
            """).map(squeeze)
        XCTAssertEqual(rows, ["A waiting task B 0.000 0.000 -", "B waiting task C 0.000 0.000 -",
                              "C sleeping timer at 1.000 0.000 0.000 -",
                              "True",
                              "A cancelling 0.000 0.000 -", "B cancelling 0.000 0.000 -", "C cancelling 0.000 0.000 -"])
    }

    func testACancellationAnAwaitCycleStopsLeavesItsTasksCancelling() {
        // wait_for's cancellation walks into A → B → A (RecursionError): nothing will ever
        // deliver it, and nothing in the records but the session's report says so.
        let rows = statusRows("""
            spawn A await B; spawn B await A
            await A timeout 1s
            status
            """).map(squeeze)
        XCTAssertEqual(rows, ["RecursionError: maximum recursion depth exceeded",
                              "A cancelling 0.000 0.000 -", "B cancelling 0.000 0.000 -"])
    }

    func testJSONRowsComeFromTheFold() {
        let out = Fixtures.run("spawn A 1s\nspawn B await A\nsleep 0; status\n", json: true).output
        let line = out.split(separator: "\n").first { $0.contains("\"command\":\"status\"") }
        XCTAssertEqual(line.map(String.init),
            "{\"type\":\"result\",\"t\":0.0,\"command\":\"status\",\"value\":[" +
            "{\"name\":\"A\",\"state\":\"sleeping\",\"created\":0.0,\"started\":0.0,\"finished\":null,\"until\":1.0}," +
            "{\"name\":\"B\",\"state\":\"waiting\",\"created\":0.0,\"started\":0.0,\"finished\":null,\"waits_for\":\"A\"}]}")
    }

    /// The event log drops its oldest events past its limit; the fold keeps every task.
    func testRowsStayRightForEveryTaskWhenTheLogDropsEvents() {
        let log = EventLog(limit: 20)
        let script = Script.parse(Array((0..<50).map { "spawn T\($0) \($0)ms\n" }.joined().utf8) + Array("gather\n".utf8))
        Session(lines: .script(script.lineFeed()), sink: log).run()
        XCTAssertGreaterThan(log.dropped, 0)
        let rows = log.status.rows(nil)
        XCTAssertEqual(rows.count, 50)
        for (k, r) in rows.enumerated() {
            XCTAssertEqual(r.name, "T\(k)")
            XCTAssertEqual(r.state, .done)
            XCTAssertEqual(r.finished, Instant(microseconds: Int64(k) * 1000))
        }
    }

    /// A reset starts a new loop: its tasks are numbered from 0 again, and the old ones
    /// are gone from `status`.
    func testAResetForgetsTheOldLoopsTasks() {
        let rows = statusRows("spawn A 1s\nreset\nspawn B 2s\nsleep 0; status\n").map(squeeze)
        XCTAssertEqual(rows.last, "B sleeping timer at 2.000 0.000 0.000 -")
        XCTAssertFalse(rows.contains { $0.hasPrefix("A ") })
    }

    func testOnlyAStatusNeedsTheFold() {
        XCTAssertTrue(Script.parse("spawn A 1s\nps A\n").readsStatus)
        XCTAssertTrue(Script.parse("spawn A 1s; status\n").readsStatus)
        XCTAssertFalse(Script.parse("spawn A 1s\nhelp status\ntimeline\n").readsStatus)
        XCTAssertFalse(Script.parse("spawn A 1s\nstatus\n").readsHistory)
    }

    // MARK: - The fold against the live tasks

    /// At every `status` of every fixture and lesson (and of each with `; status` after
    /// every line, to catch tasks mid-way), the fold's rows are what the live task records
    /// say at that moment.
    func testTheFoldAgreesWithTheLiveTasks() {
        var scripts = Fixtures.allScripts()
        scripts += ExportPythonTests.lessons().map { ($0.lastPathComponent, Fixtures.bytes($0)) }
        XCTAssertGreaterThan(scripts.count, 100)
        var checked = 0
        for (name, bytes) in scripts where bytes.count < 50_000 {
            let source = String(decoding: bytes, as: UTF8.self)
            let everyLine = source.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return trimmed.isEmpty || trimmed.contains("#") || trimmed == "exit" || trimmed == "quit" ? String(line) : line + "; status"
            }.joined(separator: "\n")
            for variant in [source, everyLine] {
                let script = Script.parse(Array(variant.utf8))
                guard !script.hasErrors else { continue }
                let probe = LiveProbe()
                let session = Session(lines: .script(script.lineFeed()), sink: probe)
                probe.session = session
                session.run()
                checked += probe.compared
                for m in probe.mismatches.prefix(3) { XCTFail("\(name): \(m)") }
            }
        }
        XCTAssertGreaterThan(checked, 1000)
    }
}

/// Compares, at each `status`, the fold's rows with the rows the live task records give.
private final class LiveProbe: RecordSink {
    let fold = StatusFold()
    weak var session: Session?
    var compared = 0
    var mismatches: [String] = []

    func taskEvent(_ kind: TaskEvent.Kind, of task: TaskID, named name: String, at time: Instant) {
        fold.taskEvent(kind, of: task, named: name, at: time)
    }

    func record(_ r: Record) {
        fold.record(r)
        guard case .result(let res) = r, case .status(let ids) = res.value, let session else { return }
        let rows = fold.rows(ids)
        // The records keep no times (they are in the events): the live row takes the
        // fold's, and everything else is compared.
        let indices = ids?.map(\.index) ?? Array(session.tasks.indices)
        if indices.count != rows.count { mismatches.append("line \(res.line): \(indices.count) live tasks, \(rows.count) rows") }
        let live = zip(indices, rows).map { i, f in
            LiveProbe.describe(session.statusRow(ofTaskAt: i, created: f.created, started: f.started, finished: f.finished))
        }
        let folded = rows.map(LiveProbe.describe)
        compared += live.count
        if live != folded { mismatches.append("line \(res.line): live \(live) != folded \(folded)") }
    }

    static func describe(_ r: StatusRow) -> String {
        func t(_ i: Instant?) -> String { i.map { String($0.microseconds) } ?? "-" }
        return [r.name, r.state.rawValue, r.result?.repr ?? "", r.error?.repr ?? "", t(r.created), t(r.started), t(r.finished),
                t(r.until), r.waitsFor ?? "", r.queued.map { "\($0)" } ?? ""].joined(separator: "|")
    }
}

extension Fixtures {
    /// Every script under Tests/Fixtures, by name.
    static func allScripts() -> [(String, [UInt8])] {
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "async" } ?? []
        return files.sorted { $0.path < $1.path }.map { ($0.path.replacingOccurrences(of: root.path + "/", with: ""), bytes($0)) }
    }
}

/// What the live task records say, for the test that holds the fold to them.
private extension Session {
    /// What `status` shows of the task at `index` now.
    func state(ofTaskAt index: Int) -> TaskState {
        let future = loop.future(of: tasks[index].task!)
        if loop.isCancelled(future) { return .cancelled }
        if loop.isDone(future) { return loop.exception(future) == nil ? .done : .failed }
        if loop.cancelRequests(tasks[index].task!) > 0 { return .cancelling }
        switch progress[index].phase {
        case .pending: return .pending
        case .running: return .running
        case .sleeping: return .sleeping
        case .waiting: return .waiting
        case .inThread: return .inThread
        }
    }

    /// The `status` row the live records give now, with the times given (the records keep
    /// none: they are in the events): what the fold must agree with.
    func statusRow(ofTaskAt index: Int, created: Instant, started: Instant?, finished: Instant?) -> StatusRow {
        let r = tasks[index], p = progress[index]
        let future = loop.future(of: r.task!)
        let st = state(ofTaskAt: index)
        var until: Instant? = nil
        var waits: String? = nil
        var queued: Bool? = nil
        switch (st, p.phase) {
        case (.sleeping, .sleeping(let u)): until = u
        case (.waiting, .waiting(let t)): waits = tasks[Int(t)].name
        case (.inThread, .inThread(let job)): queued = loop.state(of: job) == .queued
        default: break
        }
        return StatusRow(name: r.name, state: st,
                         result: st == .done ? loop.value(future) : nil,
                         error: st == .failed ? loop.exception(future) : nil,
                         created: created, started: started, finished: finished,
                         until: until, waitsFor: waits, queued: queued)
    }
}
