import Foundation
import XCTest
import AsyncPlay

/// `export python`: every lesson's Python program, run by python3, must end its tasks in
/// the same order and with the same results as asyncplay's own run of the lesson; so must
/// programs whose task names collide with Python's builtins or the program's own helpers,
/// that resize the pool, or whose `thread 0` job must be over before the next line.
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
            // A twentieth: at a hundredth, a line that took 10 ms on a loaded machine (load
            // 10 on two cores) let 07-4's A, spawned a line earlier, end before B.
            options.scale = 0.05
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

    // MARK: - Names, pools and threads (issue 19)

    func testATaskOrARunNamedMainExportsAProgramThatEnds() throws {
        let source = """
        spawn main 5s -> 1; spawn main_2 6s; spawn main_3_2 0
        run main 0 -> 2
        run main_2 0
        spawn __name__ 7s; spawn __debug__ 0; spawn pool 0; spawn report 0; spawn DbError 0
        spawn X 0, fail DbError "d"
        gather return_exceptions
        """
        try checkEndings(source, title: "names")
    }

    func testSetWorkersResizesThePoolThatJobsAlreadyRun() throws {
        let source = """
        spawn A thread 2s
        spawn B thread 3s
        sleep 100ms
        set workers 1
        spawn D thread 100ms
        await D
        time
        set workers 3
        spawn E thread 1s; spawn F thread 1.5s; spawn G thread 2s
        gather E F G
        time
        """
        let output = try checkEndings(source, title: "workers", scale: 0.05)
        // D waits for a worker until A and B have ended at 3.0 (one worker now; a new
        // pool would have run it at once: 0.2); then E, F and G run side by side on three
        // workers: 3.1, then 5.1 (one after another, on one: 7.6). The real clock only
        // adds: each line costs the program a few milliseconds more on a busy machine.
        let times = output.split(separator: "\n").compactMap { Double($0) }
        XCTAssertEqual(times.count, 2, output)
        if times.count == 2 {
            XCTAssert((3.05...4.0).contains(times[0]), "D ended at \(times[0]), asyncplay says 3.100\n" + output)
            XCTAssert((5.05...6.5).contains(times[1]), "gather ended at \(times[1]), asyncplay says 5.100\n" + output)
        }
    }

    func testSettleWaitsForAThreadJobThatTakesNoTime() throws {
        let source = """
        spawn thread 0 -> false
        await Task-1 timeout 0
        set workers 1
        spawn B thread 1s; spawn thread 0 -> true
        await Task-2 timeout 0
        """
        let output = try checkEndings(source, title: "thread 0")
        XCTAssert(output.contains("Task-1 done: False"), output)
        XCTAssert(output.contains("Task-2 cancelled"), "Task-2 waits behind B for the only worker:\n" + output)
    }

    func testTheSelfAwaitMessageIsAsyncplays() throws {
        let source = """
        spawn G await G
        sleep 0
        result G
        gather G return_exceptions
        """
        let output = try checkEndings(source, title: "self-await")
        let message = "Task cannot await on itself: <Task pending name='G'>"
        XCTAssert(output.contains("G failed: RuntimeError(\"\(message)\")"), output)
        XCTAssert(output.contains("RuntimeError: \(message)"), output)
        XCTAssert(output.contains("[RuntimeError(\"\(message)\")]"), output)
    }

    /// Property: seeded random programs whose outcomes do not hang on timing (every
    /// spawn at the start of its loop, pool resizes while jobs run, `await … timeout 0`,
    /// cancels, then a gather of everything), with task names taken from Python's
    /// builtins and the export's own helpers, end every task as asyncplay does.
    func testGeneratedProgramsWithPoolsAndHelperNamesEndTheirTasksAsAsyncplayDoes() throws {
        guard let python = Self.python3() else { throw XCTSkip("python3 is not installed") }
        var programs: [String] = [], sources: [String] = [], expectations: [[Ending]] = []
        for seed in 1...24 {
            let source = Self.generatedProgram(seed: UInt64(seed))
            sources.append(source)
            expectations.append(Self.endings(fromJSON: Fixtures.run(source, json: true).output))
            var options = PythonExporter.Options()
            // A tenth: a line of main must not outlast a second of the program's time,
            // even on a busy machine (a job still running at asyncplay's instant must be).
            options.scale = 0.1
            options.title = "generated \(seed)"
            guard let program = Self.export(source, options: options) else {
                XCTFail("export python did not finish within 20 s:\n\(source)")
                return
            }
            programs.append(program)
        }
        let results = Self.runAll(python, programs: programs)
        var failures: [String] = []
        for k in programs.indices {
            let (output, status, errors) = results[k]
            if status != 0 {
                failures.append("program \(k + 1) (python3 exited \(status)):\n\(sources[k])\(errors.suffix(600))")
                continue
            }
            let expected = expectations[k].map(\.description).sorted()
            let actual = Self.endings(fromPython: output).map(\.description).sorted()
            if expected != actual {
                failures.append("program \(k + 1):\n\(sources[k])    asyncplay: \(expected)\n    python:    \(actual)")
            }
        }
        XCTAssert(failures.isEmpty, "\(failures.count) of \(programs.count) differ:\n" + failures.joined(separator: "\n"))
    }

    /// Names a program could collide with: Python's builtins and keywords that are valid
    /// asyncplay names, and every helper the exported program defines.
    static let collidingNames = [
        "main", "main_2", "main_3", "print", "list", "id", "type", "sorted", "object", "Exception",
        "ValueError", "__name__", "__debug__", "__import__", "license", "Ellipsis", "NotImplemented",
        "log", "tasks", "Tasks", "settle", "report", "track", "start", "now", "show_error", "status",
        "print_sets", "blocking_work", "pool", "Pool", "Future", "ThreadPoolExecutor", "threading",
        "asyncio", "time", "SCALE", "T0", "done", "pending", "e", "error", "job", "A", "B",
    ]

    static func generatedProgram(seed: UInt64) -> String {
        var rng = SplitMix64(seed: seed)
        var lines: [String] = []
        let loops = 1 + rng.below(2)
        for loop in 0..<loops {
            var names: [String] = []
            let tasks = 2 + rng.below(5)
            for _ in 0..<tasks {
                var name = collidingNames[rng.below(collidingNames.count)]
                while names.contains(name) { name = collidingNames[rng.below(collidingNames.count)] }
                let body: String
                switch rng.below(7) {
                case 0: body = "thread \(["0", "1s", "2s"][rng.below(3)])"
                case 1: body = "thread 0 -> false"
                case 2: body = "\(["0", "1s"][rng.below(2)]), fail ValueError \"\(name)\""
                case 3 where !names.isEmpty: body = "\(["0", "1s"][rng.below(2)]), await \(names[rng.below(names.count)])"
                case 4: body = "cpu 0 -> \(rng.below(10))"
                default: body = "\(["0", "1s", "2s"][rng.below(3)])"
                }
                lines.append("spawn \(name) \(body)")
                names.append(name)
                if rng.below(4) == 0 { lines.append("set workers \(1 + rng.below(3))") }
                if rng.below(4) == 0 { lines.append("await \(names[rng.below(names.count)]) timeout 0") }
                if rng.below(6) == 0 { lines.append("cancel \(names[rng.below(names.count)])") }
                if rng.below(8) == 0 { lines.append("run \(collidingNames[rng.below(collidingNames.count)]) 0 -> \(rng.below(10))") }
            }
            lines.append("gather return_exceptions")
            lines.append("status")
            if loop + 1 < loops { lines.append("reset") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The program for `source`, exported on a thread of its own: naming that never ends
    /// must fail the test (nil after 20 s), not hang it.
    static func export(_ source: String, options: PythonExporter.Options) -> String? {
        final class Box: @unchecked Sendable {
            let exporter: PythonExporter
            let script: Script
            var program: String?
            init(_ exporter: PythonExporter, _ script: Script) { self.exporter = exporter; self.script = script }
        }
        let box = Box(PythonExporter(options: options), Script.parse(Array(source.utf8)))
        let exported = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            box.program = box.exporter.program(box.script)
            exported.signal()
        }
        guard exported.wait(timeout: .now() + 20) == .success else { return nil }
        return box.program
    }

    /// Exports `source`, runs it (it must end within a minute), and compares the tasks'
    /// endings with asyncplay's own run, in order. Returns what the program printed.
    @discardableResult
    private func checkEndings(_ source: String, title: String, scale: Double = 0.1,
                              file: StaticString = #filePath, line: UInt = #line) throws -> String {
        guard let python = Self.python3() else { throw XCTSkip("python3 is not installed") }
        var options = PythonExporter.Options()
        options.scale = scale
        options.title = title
        guard let program = Self.export(source, options: options) else {
            XCTFail("export python did not finish within 20 s", file: file, line: line)
            return ""
        }
        let (output, status, errors) = Self.run(python, program: program, timeout: 60)
        XCTAssertEqual(status, 0, "python3 failed:\n\(errors.suffix(1200))\n\(program)", file: file, line: line)
        let expected = Self.endings(fromJSON: Fixtures.run(source, json: true).output)
        let actual = Self.endings(fromPython: output)
        XCTAssert(Self.same(expected, actual), "\n    asyncplay: \(expected)\n    python:    \(actual)\n\(output)", file: file, line: line)
        return output
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

    /// Runs a program; one still running after `timeout` seconds is killed (status -9).
    static func run(_ python: String, program: String, timeout: Double = 120) -> (String, Int32, String) {
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
        let watchdog = DispatchWorkItem { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        defer { watchdog.cancel() }
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

/// A small seeded generator (SplitMix64): program k of the property test is the same on
/// every machine.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
