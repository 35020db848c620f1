import Foundation
import XCTest
@testable import AsyncPlay
@testable import AsyncPlayCore
@testable import AsyncPlayLanguage
@testable import AsyncPlayLoop

/// `export python`: every lesson's Python program, run by python3, must end its tasks in
/// the same order and with the same results as asyncplay's own run of the lesson.
final class ExportPythonTests: XCTestCase {
    /// One done / failed / cancelled event: who, how, and the value or exception.
    struct Ending: Equatable, CustomStringConvertible {
        let task: String
        let kind: String
        let detail: String
        var description: String { "\(task) \(kind)" + (detail.isEmpty ? "" : ": \(detail)") }
    }

    static var lessonsFolder: URL {
        Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("lessons")
    }

    static func lessons() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: lessonsFolder.path)) ?? []
        return names.filter { $0.hasSuffix(".async") }.sorted().map { lessonsFolder.appendingPathComponent($0) }
    }

    func testEveryLessonEndsItsTasksAsAsyncplayDoes() throws {
        guard let python = Self.python3() else { throw XCTSkip("python3 is not installed") }
        let lessons = Self.lessons()
        XCTAssertGreaterThanOrEqual(lessons.count, 16, "lessons missing in \(Self.lessonsFolder.path)")
        var failures: [String] = []
        var compared = 0
        // The programs run side by side (python3 takes a while to start); asyncplay's own
        // runs and the comparison stay on this thread.
        var programs: [String] = []
        var expectations: [[Ending]] = []
        for lesson in lessons {
            let source = Fixtures.bytes(lesson)
            expectations.append(Self.endings(fromJSON: Fixtures.run(String(decoding: source, as: UTF8.self), json: true).output))
            var options = PythonExporter.Options()
            options.scale = 0.01
            options.title = lesson.lastPathComponent
            programs.append(PythonExporter(options: options).program(Script.parse(source)))
        }
        let results = Self.runAll(python, programs: programs)
        for (k, lesson) in lessons.enumerated() {
            let expected = expectations[k]
            let (output, status, errors) = results[k]
            let name = lesson.lastPathComponent
            if status != 0 {
                failures.append("\(name): python3 exited \(status)\n\(errors.suffix(800))")
                continue
            }
            let actual = Self.endings(fromPython: output)
            if !Self.same(expected, actual) {
                failures.append("\(name):\n    asyncplay: \(expected)\n    python:    \(actual)")
            }
            compared += expected.count
        }
        XCTAssert(failures.isEmpty, "\(failures.count) of \(lessons.count) lessons differ:\n" + failures.joined(separator: "\n"))
        XCTAssertGreaterThan(compared, 30)
    }

    func testTheProgramKeepsCommentsAndNamesEachCommand() {
        let source = """
        # Lição: duas tasks
        spawn A 1s -> "a"; spawn 2s
        spawn arquivo1.txt thread 1s
        gather A Task-1 return_exceptions
        cancel A
        run compute cpu 1s -> 42
        spawn B 1s, fail DbError "down"
        await B timeout 2s
        wait A B first_completed
        reset
        spawn A 1s
        """
        let program = PythonExporter().program(Script.parse(source))
        for expected in [
            "# Lição: duas tasks", "# >>> spawn A 1s -> \"a\"; spawn 2s",
            "track(asyncio.create_task(A(), name='A'))", "track(asyncio.create_task(Task_1(), name='Task-1'))",
            "async def arquivo1_txt():", "await asyncio.get_running_loop().run_in_executor(None, blocking_work, 1)",
            "print(await asyncio.gather(tasks['A'], tasks['Task-1'], return_exceptions=True))",
            "print(tasks['A'].cancel())", "time.sleep(1 * SCALE)", "print(repr(await compute()))",
            "class DbError(Exception):", "raise DbError('down')",
            "print(repr(await asyncio.wait_for(tasks['B'], timeout=2 * SCALE)))",
            "done, pending = await asyncio.wait([tasks['A'], tasks['B']], return_when=asyncio.FIRST_COMPLETED)",
            "async def main_2():", "asyncio.run(main_2())", "async def A_2():",
        ] {
            XCTAssert(program.contains(expected), "missing: \(expected)\n\(program)")
        }
    }

    func testTheSessionsInputsExportToo() {
        let log = EventLog()
        log.record(.input(line: 1, text: "spawn A 1s"))
        log.record(.input(line: 2, text: "gather; export python"))
        let program = PythonExporter().program(inputs: log.inputs)
        XCTAssert(program.contains("print(await asyncio.gather(*tasks.values()))"), program)
        XCTAssert(program.contains("# >>> gather; export python"), program)
        XCTAssertFalse(program.contains("asyncplay only"), "the export itself is left out:\n" + program)
    }

    // MARK: - Helpers

    static func python3() -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func runAll(_ python: String, programs: [String]) -> [(String, Int32, String)] {
        final class Box: @unchecked Sendable { var results: [(String, Int32, String)] = [] }
        let box = Box()
        box.results = Array(repeating: ("", 0, ""), count: programs.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: programs.count) { i in
            let r = run(python, program: programs[i])
            lock.lock()
            box.results[i] = r
            lock.unlock()
        }
        return box.results
    }

    static func run(_ python: String, program: String) -> (String, Int32, String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("asyncplay-export-\(UUID().uuidString).py")
        try? program.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [file.path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return ("", -1, "\(error)") }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (String(decoding: o, as: UTF8.self), p.terminationStatus, String(decoding: e, as: UTF8.self))
    }

    /// The endings in asyncplay's JSON Lines, with values and exceptions as Python's repr.
    static func endings(fromJSON text: String) -> [Ending] {
        var out: [Ending] = []
        for line in text.split(separator: "\n") {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  o["type"] as? String == "event", let task = o["task"] as? String, let kind = o["event"] as? String
            else { continue }
            switch kind {
            case "done": out.append(Ending(task: task, kind: kind, detail: repr(o["result"] as Any)))
            case "failed":
                let e = o["error"] as? [String: Any] ?? [:]
                out.append(Ending(task: task, kind: kind, detail: "\(e["type"] ?? "?")(\(PyString.repr(e["message"] as? String ?? "")))"))
            case "cancelled": out.append(Ending(task: task, kind: kind, detail: ""))
            default: break
            }
        }
        return out
    }

    /// The endings the Python program printed: `  [t] NAME done: VALUE` and the like.
    static func endings(fromPython text: String) -> [Ending] {
        var out: [Ending] = []
        for line in text.split(separator: "\n") {
            guard line.hasPrefix("  ["), let close = line.firstIndex(of: "]") else { continue }
            let rest = line[line.index(close, offsetBy: 2)...]
            let words = rest.split(separator: " ", maxSplits: 2)
            guard words.count >= 2 else { continue }
            let task = String(words[0])
            var kind = String(words[1])
            let detail = words.count > 2 ? String(words[2]) : ""
            if kind.hasSuffix(":") { kind.removeLast() }
            guard ["done", "failed", "cancelled"].contains(kind) else { continue }
            out.append(Ending(task: task, kind: kind, detail: detail))
        }
        return out
    }

    /// Same endings; an exception made with no message compares equal to one made with ''.
    static func same(_ a: [Ending], _ b: [Ending]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            guard x.task == y.task, x.kind == y.kind else { return false }
            if x.detail == y.detail { continue }
            if x.kind == "failed", x.detail.hasSuffix("('')"), y.detail == x.detail.dropLast(4) + "()" { continue }
            return false
        }
        return true
    }

    /// Python's repr of a JSON value (JSON keeps no difference between 1 and 1.0 for
    /// integers, and the lessons return no floats).
    static func repr(_ v: Any) -> String {
        switch v {
        case is NSNull: return "None"
        case let s as String: return PyString.repr(s)
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { return n.boolValue ? "True" : "False" }
            if n.doubleValue == n.doubleValue.rounded() && abs(n.doubleValue) < 1e15 { return String(n.int64Value) }
            return PyFloat.repr(n.doubleValue)
        case let list as [Any]: return "[" + list.map(repr).joined(separator: ", ") + "]"
        default: return "\(v)"
        }
    }
}
