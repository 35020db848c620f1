import AsyncPlayCore
import AsyncPlayLanguage
/// `export python`: a script (or the lines a session ran) as an idiomatic, runnable
/// asyncio program that prints the same events — each task created, started, done,
/// failed or cancelled, and what each command prints.
///
/// Every asyncplay command becomes the asyncio code it stands for: `spawn` is
/// `asyncio.create_task`, `gather`/`wait`/`await … timeout` are `asyncio.gather`/`wait`/
/// `wait_for`, `thread` is `run_in_executor`, `cpu` and `block` are `time.sleep` on the
/// loop's thread, `reset` ends one `asyncio.run` and starts another. Between two lines,
/// asyncplay's main waits for input, so the loop runs whatever is ready; the program
/// does the same with `await settle()`.
public struct PythonExporter {
    public struct Options: Sendable {
        /// Every duration is multiplied by this (0.01 runs a hundred times faster); the
        /// times printed are divided by it again.
        public var scale = 1.0
        /// What the program's docstring calls the source.
        public var title = "session"
        /// The thread pool's size at the start (asyncplay's `--workers`).
        public var workers = 4
        public init() {}
    }

    let options: Options
    public init(options: Options = Options()) { self.options = options }

    /// A whole `.async` file, its comments kept. Only for a script without syntax errors.
    public func program(_ script: Script) -> String {
        var items: [Item] = []
        for n in stride(from: 1, through: script.lineCount, by: 1) {
            if let line = script.commands(ofLine: n) {
                items.append(.line(line))
            } else {
                let text = script.echoText(n).drop { $0 == " " || $0 == "\t" }
                items.append(text.hasPrefix("#") ? .comment(String(text)) : .blank)
            }
        }
        return generate(items)
    }

    /// The lines a session ran, as `export python` in the shell sees them.
    public func program(inputs: [InputLine]) -> String {
        var items: [Item] = []
        for input in inputs {
            if case .success(let line?) = Script.parseLine(input.text, number: input.line) {
                // The `export` that asks for the program is not part of it.
                let commands = line.commands.filter { !$0.isExport }
                if commands.isEmpty { continue }
                items.append(.line(ScriptLine(number: line.number, text: line.text, commands: commands)))
            }
        }
        return generate(items)
    }

    enum Item {
        case comment(String)
        case blank
        case line(ScriptLine)
    }

    // MARK: - Generation

    /// The program being written.
    private struct Writer {
        var functions: [String] = []
        var segments: [[String]] = [[]]
        var usedIdentifiers: Set<String> = PythonExporter.reserved
        var exceptionClasses: [String] = []
        var usesThreads = false
        var usesStatus = false
        var usesSets = false
        /// A task's body awaits the task itself (RuntimeError in `__step`).
        var awaitsItself = false
        var workersAtSegmentStart: [Int] = []

        mutating func identifier(for name: String) -> String {
            var base = ""
            for ch in name.unicodeScalars {
                let ok = (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9") || ch == "_"
                base.unicodeScalars.append(ok ? ch : "_")
            }
            if base.isEmpty || base.first!.isNumber { base = "_" + base }
            // `main` and `main_N` are the loops' own functions, and every `main_K` is such
            // a name too: those bases take a trailing `_` (`main_`, `main_2_`) before
            // numbering, or the numbering would never find a free name.
            if PythonExporter.isLoopFunction(base) { base += "_" }
            // A dunder is the module's own (`__name__` decides whether the program runs;
            // assigning `__debug__` is a syntax error).
            if base.count > 4 && base.hasPrefix("__") && base.hasSuffix("__") { base += "_" }
            var candidate = base
            var k = 2
            while usedIdentifiers.contains(candidate) || PythonExporter.isLoopFunction(candidate) {
                candidate = base + "_\(k)"
                k += 1
            }
            usedIdentifiers.insert(candidate)
            return candidate
        }

        mutating func emit(_ line: String, indent: Int) {
            segments[segments.count - 1].append(line.isEmpty ? "" : String(repeating: "    ", count: indent) + line)
        }
    }

    private func generate(_ items: [Item]) -> String {
        var w = Writer()
        // The classes `fail` raises are named before any task's function: a task named
        // like one must not replace the class.
        for case .line(let line) in items {
            for command in line.commands {
                switch command {
                case .spawn(_, let body), .run(_, let body):
                    for case .fail(let type, _) in body.steps { _ = exceptionClass(type, &w) }
                default: break
                }
            }
        }
        var loop = LoopNames()
        var workers = options.workers
        w.workersAtSegmentStart = [workers]
        var linesInSegment = 0
        var finished = false

        func newSegment() {
            w.segments.append([])
            w.workersAtSegmentStart.append(workers)
            loop = LoopNames()
            linesInSegment = 0
        }

        // Comments and blank lines wait until the next command line, so that each line's
        // `await settle()` closes the line before it, not the comments of the next.
        var pending: [Item] = []
        for item in items where !finished {
            switch item {
            case .blank, .comment:
                pending.append(item)
            case .line(let line):
                if linesInSegment > 0 {
                    w.emit("await settle()", indent: 1)
                }
                for p in pending {
                    switch p {
                    case .comment(let text): w.emit(text, indent: 1)
                    default:
                        if let last = w.segments[w.segments.count - 1].last, !last.isEmpty, !last.hasSuffix("start()") { w.emit("", indent: 1) }
                    }
                }
                pending = []
                linesInSegment += 1
                w.emit("# >>> " + line.text, indent: 1)
                var indent = 1
                var inTry = false
                for command in line.commands {
                    if command.mayRaise && !inTry {
                        w.emit("try:", indent: indent)
                        indent += 1
                        inTry = true
                    }
                    switch command {
                    case .reset:
                        closeTry(&w, &indent, &inTry)
                        w.emit("await settle()", indent: 1)
                        w.emit("return   # reset: this loop ends; asyncio.run starts a new one below", indent: 1)
                        newSegment()
                        linesInSegment = 1
                        continue
                    case .exit:
                        closeTry(&w, &indent, &inTry)
                        w.emit("await settle()", indent: 1)
                        w.emit("return   # exit: asyncio.run cancels what is still pending", indent: 1)
                        finished = true
                    case .setWorkers(let n):
                        workers = n
                        w.usesThreads = true
                        w.emit("pool.resize(\(n))", indent: indent)
                    default:
                        for code in self.code(for: command, &w, &loop) { w.emit(code, indent: indent) }
                    }
                    if finished { break }
                }
                closeTry(&w, &indent, &inTry)
            }
        }
        return assemble(w)
    }

    private func closeTry(_ w: inout Writer, _ indent: inout Int, _ inTry: inout Bool) {
        guard inTry else { return }
        // A `try` whose commands were all refused holds only comments: Python needs a statement.
        let body = w.segments[w.segments.count - 1]
        if let start = body.lastIndex(where: { $0.trimmingLeadingSpaces == "try:" }),
           body[(start + 1)...].allSatisfy({ $0.trimmingLeadingSpaces.hasPrefix("#") || $0.isEmpty }) {
            w.emit("pass", indent: indent)
        }
        indent -= 1
        w.emit("except (Exception, asyncio.CancelledError) as e:", indent: indent)
        w.emit("show_error(e)", indent: indent + 1)
        inTry = false
    }

    /// The tasks of the current loop, as asyncplay names them.
    private struct LoopNames {
        var names: [String] = []
        var taken: Set<String> = []
        var unnamed = 0

        mutating func add(_ ref: NameRef?) -> String? {
            if let ref {
                guard !taken.contains(ref.name) else { return nil }
                taken.insert(ref.name)
                names.append(ref.name)
                return ref.name
            }
            var name: String
            repeat {
                unnamed += 1
                name = "Task-\(unnamed)"
            } while taken.contains(name)
            taken.insert(name)
            names.append(name)
            return name
        }
    }

    /// Main's code for one command (at main's indentation).
    private func code(for command: Command, _ w: inout Writer, _ loop: inout LoopNames) -> [String] {
        func known(_ refs: [NameRef]) -> String? {
            for r in refs where !loop.taken.contains(r.name) { return r.name }
            return nil
        }
        func refused(_ name: String) -> [String] { ["# refused by asyncplay: unknown task '\(name)'"] }
        func task(_ r: NameRef) -> String { "tasks[\(PyString.repr(r.name))]" }

        switch command {
        case .spawn(let ref, let body):
            guard let name = loop.add(ref) else {
                return ["# refused by asyncplay: task '\(ref!.name)' already exists"]
            }
            let fn = w.identifier(for: name)
            w.functions.append(function(fn, body: body, owner: name, isTask: true, &w))
            return ["track(asyncio.create_task(\(fn)(), name=\(PyString.repr(name))))"]
        case .run(let ref, let body):
            let name = ref?.name ?? "run"
            let fn = w.identifier(for: name)
            w.functions.append(function(fn, body: body, owner: name, isTask: false, &w))
            return ["print(repr(await \(fn)()))"]
        case .cancel(let ref, let message):
            if let bad = known([ref]) { return refused(bad) }
            return ["print(\(task(ref)).cancel(\(message.map(PyString.repr) ?? "")))"]
        case .await(let ref, let timeout):
            if let bad = known([ref]) { return refused(bad) }
            if let timeout {
                return ["print(repr(await asyncio.wait_for(\(task(ref)), timeout=\(seconds(timeout)))))"]
            }
            return ["print(repr(await \(task(ref))))"]
        case .gather(let refs, let returnExceptions, let timeout):
            if let bad = known(refs) { return refused(bad) }
            var args = refs.isEmpty ? "*tasks.values()" : refs.map(task).joined(separator: ", ")
            if returnExceptions { args += ", return_exceptions=True" }
            let gather = "asyncio.gather(\(args))"
            if let timeout {
                return ["print(await asyncio.wait_for(\(gather), timeout=\(seconds(timeout))))"]
            }
            return ["print(await \(gather))"]
        case .wait(let refs, let mode, let timeout):
            if let bad = known(refs) { return refused(bad) }
            w.usesSets = true
            var args = refs.isEmpty ? "tasks.values()" : "[" + refs.map(task).joined(separator: ", ") + "]"
            if let timeout { args += ", timeout=\(seconds(timeout))" }
            switch mode {
            case .firstCompleted: args += ", return_when=asyncio.FIRST_COMPLETED"
            case .firstException: args += ", return_when=asyncio.FIRST_EXCEPTION"
            case .allCompleted: break
            }
            return ["done, pending = await asyncio.wait(\(args))", "print_sets(done, pending)"]
        case .sleep(let d):
            return ["await asyncio.sleep(\(seconds(d)))"]
        case .block(let d):
            return ["log(\"main holds the loop for \(formatSeconds(d.microseconds))s (block)\")",
                    "time.sleep(\(seconds(d)))   # blocks the loop's thread: nothing else runs"]
        case .status(let refs):
            if let bad = known(refs) { return refused(bad) }
            w.usesStatus = true
            return ["status(" + refs.map { PyString.repr($0.name) }.joined(separator: ", ") + ")"]
        case .result(let ref):
            if let bad = known([ref]) { return refused(bad) }
            return ["print(repr(\(task(ref)).result()))"]
        case .time:
            return ["print(f\"{now():.3f}\")"]
        default:
            return ["# (\(command.keyword): asyncplay only)"]
        }
    }

    /// One coroutine function: the body's steps in order, then its return.
    private func function(_ fn: String, body: Body, owner: String, isTask: Bool, _ w: inout Writer) -> String {
        var lines = ["async def \(fn)():"]
        if isTask { lines.append("    log(\"\(owner) started\")") }
        var returns = true
        for step in body.steps {
            switch step {
            case .sleep(let d):
                lines.append("    await asyncio.sleep(\(seconds(d)))")
            case .cpu(let d):
                let who = isTask ? owner : "main"
                let why = isTask ? "cpu" : "run"
                lines.append("    log(\"\(who) holds the loop for \(formatSeconds(d.microseconds))s (\(why))\")")
                lines.append("    time.sleep(\(seconds(d)))   # CPU-bound work on the loop's thread: nothing else runs")
            case .thread(let d):
                w.usesThreads = true
                lines.append("    await asyncio.get_running_loop().run_in_executor(None, blocking_work, \(formatShortSeconds(d.microseconds)))")
            case .await(let ref):
                if isTask && ref.name == owner { w.awaitsItself = true }
                lines.append("    await tasks[\(PyString.repr(ref.name))]")
            case .fail(let type, let message):
                let cls = exceptionClass(type, &w)
                lines.append("    raise \(cls)(\(message.map(PyString.repr) ?? ""))")
                returns = false
            }
        }
        // A value in Python source is its repr.
        if returns { lines.append("    return " + (body.value ?? .string(owner)).repr) }
        return lines.joined(separator: "\n")
    }

    /// The Python class `fail TYPE` raises: a builtin, asyncio's own, or a new one.
    private func exceptionClass(_ type: String, _ w: inout Writer) -> String {
        switch type {
        case "CancelledError", "InvalidStateError": return "asyncio." + type
        default: break
        }
        if ExceptionFactory.builtinExceptions.contains(type) { return type }
        if !w.exceptionClasses.contains(type) {
            w.exceptionClasses.append(type)
            w.usedIdentifiers.insert(type)
        }
        return type
    }


    /// A duration in the program: `2 * SCALE`, `0.5 * SCALE`, `0`.
    private func seconds(_ d: TimeAmount) -> String {
        d.microseconds == 0 ? "0" : formatShortSeconds(d.microseconds) + " * SCALE"
    }

    // MARK: - The whole program

    private func assemble(_ w: Writer) -> String {
        var s = """
        #!/usr/bin/env python3
        \"\"\"\(options.title), exported by asyncplay as a Python asyncio program.

        Run it with python3 (3.11 or later). It prints what asyncplay prints: each task
        created, started, done, failed or cancelled, and what each command returns.
        Every duration is multiplied by SCALE (0.01 runs it a hundred times faster); the
        times printed are loop.time() since the start, divided by SCALE again. They come
        out a little later than asyncplay's, since this loop runs on the real clock.
        \"\"\"
        import asyncio
        import time

        """
        if w.usesThreads { s += "import threading\nfrom concurrent.futures import Future, ThreadPoolExecutor\n" }
        s += "\nSCALE = \(scaleLiteral)\n\n"
        for cls in w.exceptionClasses {
            s += "\nclass \(cls)(Exception):\n    pass\n\n"
        }
        s += """

        class Tasks(dict):
            \"\"\"The session's tasks by name, in creation order, as asyncplay names them.\"\"\"

            def __missing__(self, name):
                raise NameError(f"unknown task '{name}'")


        tasks = Tasks()
        T0 = 0.0


        def start(workers=\(options.workers)):
            \"\"\"A new event loop: its clock starts at 0 and it has no tasks yet.\"\"\"
            global T0
            loop = asyncio.get_running_loop()
            T0 = loop.time()
            tasks.clear()

        """
        if w.usesThreads {
            s += "    global pool\n    pool = Pool(workers)\n    loop.set_default_executor(pool)\n"
        }
        s += """


        def now():
            \"\"\"loop.time() since the loop started, in asyncplay's seconds.\"\"\"
            return (asyncio.get_running_loop().time() - T0) / SCALE


        def log(what):
            print(f"  [{now():.3f}] {what}", flush=True)


        def track(task):
            \"\"\"Keeps a task created with asyncio.create_task, and reports how it ends.\"\"\"
            tasks[task.get_name()] = task
            log(f"{task.get_name()} created")
            task.add_done_callback(report)


        def report(task):
            # A done callback: the loop calls it (through call_soon) once the task is over.
            name = task.get_name()
            if task.cancelled():
                log(f"{name} cancelled")
            elif task.exception() is not None:
        \(w.awaitsItself ? selfAwaitNormalisation : "")        log(f"{name} failed: {task.exception()!r}")
            else:
                log(f"{name} done: {task.result()!r}")


        def show_error(e):
            \"\"\"An exception raised into main, as asyncplay prints it.\"\"\"
            print(f"{type(e).__name__}: {e}" if str(e) else type(e).__name__)


        async def settle():
            \"\"\"Between two lines asyncplay's main waits for input, so the loop first runs
            everything that is ready; a few zero-second sleeps do the same here.\"\"\"
            for _ in range(20):
                await asyncio.sleep(0)
        \(w.usesThreads ? settleThreads : "")
        """
        if w.usesThreads {
            s += """


            def blocking_work(seconds):
                \"\"\"What a `thread` step does, on a worker of the pool.\"\"\"
                time.sleep(seconds * SCALE)


            class Pool(ThreadPoolExecutor):
                \"\"\"The loop's default executor, as asyncplay's pool works: N workers take the
                jobs in the order they came; `set workers N` resizes it (a running job keeps
                its worker until it ends), which a ThreadPoolExecutor cannot do; a job
                cancelled while it waits never runs. asyncio wants a ThreadPoolExecutor as
                the default executor; this one runs each job on a thread of its own.\"\"\"

                def __init__(self, workers):
                    super().__init__(max_workers=workers)
                    self.workers = workers
                    self.queue = []
                    self.running = {}          # job -> its duration in asyncplay's seconds
                    self.changed = threading.Condition()

                def submit(self, fn, /, *args):
                    job = Future()
                    with self.changed:
                        self.queue.append((job, fn, args))
                        self._start_jobs()
                    return job

                def resize(self, workers):
                    with self.changed:
                        self.workers = workers
                        self._start_jobs()

                def _start_jobs(self):
                    while self.queue and len(self.running) < self.workers:
                        job, fn, args = self.queue.pop(0)
                        if job.set_running_or_notify_cancel():
                            self.running[job] = args[0]
                            threading.Thread(target=self._run, args=(job, fn, args), daemon=True).start()

                def _run(self, job, fn, args):
                    try:
                        job.set_result(fn(*args))
                    except BaseException as error:
                        job.set_exception(error)
                    with self.changed:
                        del self.running[job]
                        self._start_jobs()
                        self.changed.notify_all()

                def due(self):
                    \"\"\"The running jobs that take no time: asyncplay's loop sees them end at once.\"\"\"
                    with self.changed:
                        return [job for job, seconds in self.running.items() if seconds == 0]

                def shutdown(self, wait=True, *, cancel_futures=False):
                    with self.changed:
                        while wait and (self.queue or self.running):
                            self.changed.wait()

            """
        }
        if w.usesStatus {
            s += """


            def status(*names):
                \"\"\"What Python's Task API tells (asyncplay's status shows more).\"\"\"
                if not tasks:
                    print("(no tasks)")
                for name in names or list(tasks):
                    task = tasks[name]
                    if task.cancelled():
                        state = "cancelled"
                    elif task.done():
                        error = task.exception()
                        state = f"failed: {error!r}" if error else f"done: {task.result()!r}"
                    elif task.cancelling():
                        state = "cancelling"
                    else:
                        state = "pending"
                    print(f"  {name}: {state}")

            """
        }
        if w.usesSets {
            s += """


            def print_sets(done, pending):
                \"\"\"asyncio.wait's two sets, in creation order.\"\"\"
                def names(some):
                    return ", ".join(name for name, task in tasks.items() if task in some)
                print(f"done: [{names(done)}]  pending: [{names(pending)}]")

            """
        }
        for f in w.functions { s += "\n\n" + f + "\n" }
        var mains: [String] = []
        for (i, body) in w.segments.enumerated() {
            let name = i == 0 ? "main" : "main_\(i + 1)"
            mains.append(name)
            let workers = w.workersAtSegmentStart[i]
            var text = "\n\nasync def \(name)():\n"
            text += "    start(\(w.usesThreads && workers != options.workers ? "workers=\(workers)" : ""))\n"
            var lines = body
            while lines.last == "" { lines.removeLast() }
            for line in lines { text += line + "\n" }
            if !(lines.last ?? "").hasPrefix("    return") { text += "    await settle()\n" }
            s += text
        }
        s += "\n\nif __name__ == \"__main__\":\n"
        for (i, m) in mains.enumerated() {
            if i > 0 { s += "    print(\"reset: a new event loop, t = 0\")\n" }
            s += "    asyncio.run(\(m)())\n"
        }
        return s
    }

    /// settle()'s second half when the program uses threads: a job of a `thread 0` step
    /// ends the moment a worker takes it, so asyncplay's loop has seen it end before the
    /// next line; the real thread may not have yet.
    private var settleThreads: String {
        """
            while due := pool.due():
                await asyncio.wait([asyncio.wrap_future(job) for job in due])
                for _ in range(20):
                    await asyncio.sleep(0)

        """
    }

    /// report()'s lines for a task that awaits itself: CPython's message shows the task's
    /// full repr (its coroutine's file and line, its callbacks); asyncplay shows
    /// `<Task pending name='G'>`.
    private var selfAwaitNormalisation: String {
        """
                error = task.exception()
                if isinstance(error, RuntimeError) and str(error).startswith("Task cannot await on itself"):
                    error.args = (f"Task cannot await on itself: <Task pending name={name!r}>",)

        """
    }

    /// `main`, `main_2`, `main_3`…: the function each loop of the program runs.
    static func isLoopFunction(_ name: String) -> Bool {
        name == "main" || name.hasPrefix("main_") && Int(name.dropFirst(5)).map { $0 >= 2 && "\($0)" == name.dropFirst(5) } == true
    }

    private var scaleLiteral: String {
        let d = options.scale
        return PyFloat.repr(d)
    }

    /// Names the program itself uses: no task may shadow them.
    static let reserved: Set<String> = Set<String>([
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
        "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
        "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with",
        "yield", "match", "case", "type", "_",
        "print", "repr", "len", "list", "dict", "set", "str", "int", "float", "bool", "id", "object",
        "range", "iter", "next", "open", "input", "sum", "min", "max", "abs", "all", "any", "map",
        "filter", "zip", "sorted", "reversed", "enumerate", "format", "hash", "help", "vars", "dir",
        "globals", "locals", "super", "property", "staticmethod", "classmethod", "isinstance",
        "issubclass", "getattr", "setattr", "hasattr", "delattr", "callable", "compile", "eval", "exec",
        "exit", "quit", "chr", "ord", "bin", "hex", "oct", "pow", "round", "divmod", "slice", "tuple",
        "frozenset", "bytes", "bytearray", "memoryview", "complex", "ascii", "breakpoint", "aiter",
        "anext", "BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit",
        "asyncio", "time", "ThreadPoolExecutor", "SCALE", "T0", "Tasks", "tasks", "start", "now", "log",
        "track", "report", "show_error", "settle", "blocking_work", "status", "print_sets", "main",
        "done", "pending", "e", "threading", "Future", "Pool", "pool",
        "Ellipsis", "NotImplemented", "copyright", "credits", "license", "BaseExceptionGroup",
    ]).union(ExceptionFactory.builtinExceptions)
}

extension Command {
    /// Commands that may raise into main: the rest of their line runs in the same `try`.
    var mayRaise: Bool {
        switch self {
        case .run, .await, .gather, .wait, .result: return true
        default: return false
        }
    }

    var isExport: Bool { keyword == "export" }
}

private extension String {
    var trimmingLeadingSpaces: String { String(drop { $0 == " " }) }
}
