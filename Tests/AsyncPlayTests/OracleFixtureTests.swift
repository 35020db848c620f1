import Foundation
import XCTest
import AsyncPlay

/// The reference oracle's scenarios and its expected JSON Lines, copied under
/// Tests/Fixtures/oracle (the hand-written scenarios) and Tests/Fixtures/generated
/// (programs from gen_programs.py), so a clone without ../shared still checks them.
/// Compared with the rules the oracle's README states: same objects in the same order
/// (extra event kinds and results of spawn/sleep/... ignored), numbers within 1e-6,
/// status rows by name/state/result/error, diagnostics by line and column, a
/// RecursionError's type but not its message (decision 29), and with `neverRetrieved`
/// the `exception_never_retrieved` events (compare.py's --never-retrieved). Every run
/// must also end each task it created (`JSONLines.tasksNeverFinished`).
final class OracleFixtureTests: XCTestCase {
    func testHandWrittenScenarios() throws {
        try checkFolder("oracle", minimum: 30, neverRetrieved: true)
    }

    func testGeneratedPrograms() throws {
        try checkFolder("generated", minimum: 200, neverRetrieved: true)
    }

    /// Programs of Tests/corners/gen_corners.py (await cycles, chains into cycles, raising
    /// commands and `reset` mid-line), with "Task exception was never retrieved" compared.
    func testCornerProgramsOfTheCycleGenerator() throws {
        try checkFolder("corners", minimum: 60, neverRetrieved: true)
    }

    func checkFolder(_ folder: String, minimum: Int, neverRetrieved: Bool = false) throws {
        let scenarios = Fixtures.files(in: folder + "/scenarios", withExtension: "async")
        XCTAssertGreaterThanOrEqual(scenarios.count, minimum, "fixtures missing in Tests/Fixtures/\(folder)")
        var failures: [String] = []
        for scenario in scenarios {
            let name = scenario.deletingPathExtension().lastPathComponent
            let expectedURL = Fixtures.root.appendingPathComponent("\(folder)/expected/\(name).jsonl")
            let rcURL = Fixtures.root.appendingPathComponent("\(folder)/expected/\(name).rc")
            let expectedRC = (try? String(contentsOf: rcURL, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
            let source = String(decoding: Fixtures.bytes(scenario), as: UTF8.self)
            let run = Fixtures.run(source, json: true)
            if run.exitCode != expectedRC { failures.append("\(name): exit \(run.exitCode), expected \(expectedRC)"); continue }
            let expected = JSONLines.parse(String(decoding: Fixtures.bytes(expectedURL), as: UTF8.self), neverRetrieved: neverRetrieved)
            let actual = JSONLines.parse(run.output, neverRetrieved: neverRetrieved)
            var problems: [String] = []
            if let difference = JSONLines.firstDifference(expected: expected, actual: actual) { problems.append(difference) }
            let unfinished = JSONLines.tasksNeverFinished(run.output)
            if !unfinished.isEmpty {
                problems.append("created but never done, failed or cancelled (left cancelling?): \(unfinished)")
            }
            if !problems.isEmpty { failures.append("\(name): " + problems.joined(separator: "\n    ")) }
        }
        XCTAssert(failures.isEmpty, "\(failures.count) of \(scenarios.count) differ:\n" + failures.prefix(20).joined(separator: "\n"))
    }
}

/// A semantic comparison of two JSON Lines streams (SPEC section 6), written for this
/// test suite from the rules in the oracle's README.
enum JSONLines {
    static let coreEvents: Set<String> = ["created", "started", "done", "failed", "cancelled"]
    static let knownTypes: Set<String> = ["input", "event", "result", "error", "diagnostic"]
    static let unpinnedResults: Set<String> = ["spawn", "sleep", "block", "set", "trace", "timeline", "help", "reset", "exit", "quit", "export"]

    /// `neverRetrieved`: keep the `exception_never_retrieved` events (compare.py's
    /// `--never-retrieved`).
    static func parse(_ text: String, neverRetrieved: Bool = false) -> [Any] {
        text.split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
        }.filter { kept($0, neverRetrieved: neverRetrieved) }
    }

    /// The invariant every run keeps: asyncio.run cancels what is pending at `reset` and
    /// at the end and delivers it, so each task created ends (done, failed or cancelled)
    /// before the run does; a task left `cancelling` with nothing to deliver it never
    /// would. Names are counted per creation, since `reset` lets a name be taken again.
    static func tasksNeverFinished(_ text: String) -> [String] {
        var open: [String: Int] = [:]
        var order: [String] = []
        for line in text.split(separator: "\n") {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  o["type"] as? String == "event", let task = o["task"] as? String, let kind = o["event"] as? String
            else { continue }
            switch kind {
            case "created":
                open[task, default: 0] += 1
                order.append(task)
            case "done", "failed", "cancelled": open[task, default: 0] -= 1
            default: break
            }
        }
        var seen = Set<String>()
        return order.filter { open[$0, default: 0] != 0 && seen.insert($0).inserted }
    }

    static func kept(_ o: Any, neverRetrieved: Bool = false) -> Bool {
        guard let d = o as? [String: Any], let type = d["type"] as? String else { return true }
        guard knownTypes.contains(type) else { return false }
        switch type {
        case "event":
            let kind = d["event"] as? String ?? ""
            return coreEvents.contains(kind) || neverRetrieved && kind == "exception_never_retrieved"
        case "input":
            let text = (d["text"] as? String ?? "").trimmingCharacters(in: .whitespaces)
            return !text.isEmpty && !text.hasPrefix("#")
        case "result": return !unpinnedResults.contains(d["command"] as? String ?? "")
        default: return true
        }
    }

    static func firstDifference(expected: [Any], actual: [Any]) -> String? {
        for i in 0..<max(expected.count, actual.count) {
            guard i < expected.count else { return "extra object #\(i + 1): \(show(actual[i]))" }
            guard i < actual.count else { return "missing object #\(i + 1): \(show(expected[i]))" }
            if let why = differs(expected[i], actual[i], context: nil) {
                return "object #\(i + 1): \(why)\n    expected \(show(expected[i]))\n    actual   \(show(actual[i]))"
            }
        }
        return nil
    }

    static func differs(_ e: Any, _ a: Any, context: [String: Any]?) -> String? {
        if let ed = e as? [String: Any] {
            guard let ad = a as? [String: Any] else { return "not an object" }
            let type = ed["type"] as? String
            for (k, v) in ed {
                if type == "diagnostic" && k == "message" { continue }
                // Where CPython's C stack check trips decides the wording (decision 29).
                if type == "RecursionError" && k == "message" { continue }
                guard let av = ad[k] else { return "missing key \(k)" }
                if type == "input" && k == "text" {
                    if (v as? String)?.trimmingCharacters(in: .whitespaces) != (av as? String)?.trimmingCharacters(in: .whitespaces) { return "input text" }
                    continue
                }
                if type == "result" && k == "value" && ed["command"] as? String == "status" {
                    guard let rows = v as? [[String: Any]], let arows = av as? [[String: Any]], rows.count == arows.count else { return "status rows" }
                    for (r, ar) in zip(rows, arows) {
                        for key in ["name", "state", "result", "error"] where r[key] != nil {
                            guard let x = ar[key] else { return "status \(key) missing" }
                            if let why = differs(r[key]!, x, context: nil) { return "status \(key): \(why)" }
                        }
                    }
                    continue
                }
                if let why = differs(v, av, context: ed) { return "\(k): \(why)" }
            }
            return nil
        }
        if let el = e as? [Any] {
            guard let al = a as? [Any], al.count == el.count else { return "list length" }
            for (x, y) in zip(el, al) { if let why = differs(x, y, context: nil) { return why } }
            return nil
        }
        if let en = e as? NSNumber, !(e is String) {
            guard let an = a as? NSNumber, !(a is String) else { return "not a number" }
            // JSONSerialization gives booleans as NSNumber with objCType "c".
            let eb = String(cString: en.objCType) == "c", ab = String(cString: an.objCType) == "c"
            if eb || ab { return eb == ab && en.boolValue == an.boolValue ? nil : "boolean" }
            return abs(en.doubleValue - an.doubleValue) <= 1e-6 ? nil : "number \(en) vs \(an)"
        }
        if let es = e as? String { return (a as? String) == es ? nil : "string" }
        if e is NSNull { return a is NSNull ? nil : "not null" }
        return "unknown value"
    }

    static func show(_ o: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: o, options: [.fragmentsAllowed, .sortedKeys]) else { return "\(o)" }
        return String(decoding: data.prefix(200), as: UTF8.self)
    }
}
