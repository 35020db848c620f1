import Foundation
import XCTest
import AsyncPlay

/// Language/Limits.swift end to end: past each limit a clear diagnostic, never a crash,
/// a hang or unbounded memory. The standard limits are checked with the release binary
/// by scripts/test-bad-input (a 1 MB line, 2,000,001 tasks, a million-task script);
/// here small limits make the same paths fast.
final class LimitsTests: XCTestCase {
    private func run(_ source: String, limits: Limits, json: Bool = false) -> (output: String, exitCode: Int32, errors: String) {
        var runner = ScriptRunner(fileName: "limits.async")
        runner.format = json ? .jsonLines : .transcript
        runner.sessionOptions.limits = limits
        let out = OutputBuffer()
        let outcome = runner.run(Array(source.utf8), out: out)
        return (out.text, outcome.exitCode, outcome.syntaxErrors)
    }

    private func diagnostics(_ jsonLines: String) -> [String] {
        jsonLines.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  o["type"] as? String == "diagnostic" else { return nil }
            return "\(o["line"] as? Int ?? -1):\(o["column"] as? Int ?? -1): \(o["message"] as? String ?? "")"
        }
    }

    private func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    // MARK: - The standard limits are what --help and the README say

    func testTheStandardLimits() {
        let l = Limits.standard
        XCTAssertEqual(l.maxLineBytes, 65_536)
        XCTAssertEqual(l.maxStepsPerBody, 1000)
        XCTAssertGreaterThanOrEqual(l.maxLiveTasks, 1_000_000, "the benchmark runs a million tasks")
        XCTAssertEqual(TimeAmount.maximum.microseconds, 86_400_000_000, "a duration is at most 24 h")
    }

    // MARK: - Line length

    func testALineOneByteOverTheLimitIsRefused() {
        var limits = Limits()
        limits.maxLineBytes = 100
        func line(_ bytes: Int) -> String { "spawn A 1s -> \"" + String(repeating: "x", count: bytes - 16) + "\"" }
        XCTAssertEqual(line(100).utf8.count, 100)
        XCTAssertEqual(run(line(100) + "\n", limits: limits).exitCode, 0, "exactly at the limit is fine")
        XCTAssertEqual(run(line(100) + "\r\n", limits: limits).exitCode, 0, "a CRLF line end does not count")
        let r = run(line(101) + "\ngather\n", limits: limits, json: true)
        XCTAssertEqual(r.exitCode, 2)
        XCTAssertEqual(diagnostics(r.output), ["1:101: line too long (101 bytes; the limit is 100)"])
    }

    func testAMegabyteLineIsRefusedQuickly() {
        let line = "spawn A 1s -> \"" + String(repeating: "x", count: 1 << 20) + "\""
        let script = Script.parse(Array((line + "\ngather\n").utf8))
        XCTAssertEqual(script.diagnostics.map(\.message), ["line too long (1048592 bytes; the limit is 65536)"])
        XCTAssertEqual(script.diagnostics.first?.line, 1)
        // The caret line stays short: the source line is shown cut, and so is the caret.
        let r = run(line + "\n", limits: .standard)
        XCTAssertEqual(r.exitCode, 2)
        XCTAssertLessThan(r.errors.utf8.count, 2000, "the error for a 1 MB line is short")
        XCTAssert(r.errors.hasPrefix("limits.async:1:65537: error: line too long (1048592 bytes; the limit is 65536)\n"), r.errors.prefix(200).description)
    }

    func testALongLineTypedInTheShellIsRefused() {
        let line = "spawn A " + String(repeating: "1ms, ", count: 20_000) + "1ms"
        guard case .failure(let e) = Script.parseLine(line, number: 7) else { return XCTFail("accepted") }
        XCTAssertEqual(e.diagnostics.map(\.message), ["line too long (\(line.utf8.count) bytes; the limit is 65536)"])
        XCTAssertEqual(e.diagnostics.first?.line, 7)
    }

    // MARK: - Steps per body

    func testStepsPerBody() {
        var limits = Limits()
        limits.maxStepsPerBody = 5
        let five = "spawn A " + Array(repeating: "1ms", count: 5).joined(separator: ", ") + " -> 1"
        XCTAssertEqual(run(five + "\nawait A\n", limits: limits).exitCode, 0)
        let r = run("spawn B 1s; " + five.replacingOccurrences(of: "spawn A", with: "spawn A 1ms,") + "\n", limits: limits, json: true)
        XCTAssertEqual(r.exitCode, 2)
        XCTAssertEqual(diagnostics(r.output), ["1:13: a body has at most 5 steps (this one has 6)"])
        // `run` bodies count too.
        let r2 = run("run " + Array(repeating: "0", count: 6).joined(separator: ",") + "\n", limits: limits, json: true)
        XCTAssertEqual(diagnostics(r2.output), ["1:1: a body has at most 5 steps (this one has 6)"])
    }

    // MARK: - Tasks alive

    func testTasksAlivePastTheLimitAreRefusedAndTheRunGoesOn() {
        var limits = Limits()
        limits.maxLiveTasks = 3
        let r = run("spawn A 1s\nspawn B 1s\nspawn C 1s\nspawn D 1s\nspawn 1s\ngather\nspawn D 1s -> 4\nawait D\n", limits: limits, json: true)
        XCTAssertEqual(r.exitCode, 1, "a refused command: exit 1, not a crash")
        XCTAssertEqual(diagnostics(r.output), [
            "4:7: too many tasks alive (the limit is 3); gather or cancel some first",
            "5:1: too many tasks alive (the limit is 3); gather or cancel some first",
        ])
        // Once they are done, new tasks may start: the limit is on tasks alive.
        XCTAssert(r.output.contains("{\"type\":\"result\",\"t\":2.0,\"command\":\"await\",\"value\":4}"), r.output)
    }

    func testFinishedTasksDoNotCountAgainstTheLimit() {
        var limits = Limits()
        limits.maxLiveTasks = 10
        // 100 tasks in all, never more than 10 alive.
        let script = (0..<10).map { round in
            (0..<10).map { "spawn T\(round)_\($0) 1ms" }.joined(separator: "\n") + "\ngather\n"
        }.joined()
        XCTAssertEqual(run(script, limits: limits).exitCode, 0)
    }

    func testCancelledTasksFreeTheirPlace() {
        var limits = Limits()
        limits.maxLiveTasks = 2
        let r = run("spawn A 60m\nspawn B 60m\ncancel A\nsleep 0\nspawn C 1s\n", limits: limits)
        XCTAssertEqual(r.exitCode, 0, r.output)
    }

    // MARK: - Events kept for pictures

    func testTimelinePastTheKeptEventsSaysSoAndDoesNotCrash() {
        var limits = Limits()
        limits.maxKeptEvents = 50
        let script = (0..<100).map { "spawn T\($0) \($0)ms" }.joined(separator: "\n") + "\ngather\ntimeline\n"
        let r = run(script, limits: limits)
        XCTAssertEqual(r.exitCode, 0)
        XCTAssert(r.output.contains("events were dropped"), String(r.output.suffix(800)))
        // The transcript itself keeps every event.
        XCTAssertEqual(r.output.components(separatedBy: " done: ").count - 1, 100)
    }

    // MARK: - Durations

    func testDurationsAtAndPastTwentyFourHours() {
        for ok in ["86400s", "1440m", "86400000ms", "86400000.0005ms", "86399.9999995s", "0", "0ms", "0.0000001s"] {
            XCTAssertEqual(run("sleep \(ok)\n", limits: .standard).exitCode, 0, ok)
        }
        for bad in ["86400.000001s", "1440.00000002m", "86400000.0015ms", "86401", "1441m", "9223372036854775807s",
                    "18446744073709551616ms", String(repeating: "9", count: 400), "0." + String(repeating: "0", count: 400) + "1e"] {
            let r = run("sleep \(bad)\n", limits: .standard, json: true)
            XCTAssertEqual(r.exitCode, 2, bad)
            XCTAssertEqual(diagnostics(r.output).count, 1, bad)
        }
        XCTAssertEqual(diagnostics(run("sleep 86400.000001s\n", limits: .standard, json: true).output),
                       ["1:7: duration '86400.000001s' exceeds 24 h"])
    }

    // MARK: - Many errors

    func testManyErrorsKeepTheirTextBounded() {
        // 2,000 errors on one line and 50 such lines: the text names the first ones and
        // counts the rest, instead of repeating a 4 KB line a hundred thousand times.
        let line = Array(repeating: "a", count: 2000).joined(separator: ";")
        let r = run(String(repeating: line + "\n", count: 50), limits: .standard)
        XCTAssertEqual(r.exitCode, 2)
        XCTAssert(r.errors.hasSuffix("100000 errors; nothing was run\n"), String(r.errors.suffix(200)))
        XCTAssertLessThan(r.errors.utf8.count, 2_000_000, "the error text is bounded")
        // JSON keeps every diagnostic (one short object each).
        XCTAssertEqual(diagnostics(run(String(repeating: line + "\n", count: 2), limits: .standard, json: true).output).count, 4000)
    }
}
