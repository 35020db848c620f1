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

    /// One line of a script, as the program takes it.
    package enum Item {
        case comment(String)
        case blank
        case line(ScriptLine)

        /// A script's line: its commands, else a comment (kept in the program) or a blank.
        package init(_ commands: ScriptLine?, echoText: @autoclosure () -> String) {
            if let commands {
                self = .line(commands)
                return
            }
            let text = echoText().drop { $0 == " " || $0 == "\t" }
            self = text.hasPrefix("#") ? .comment(String(text)) : .blank
        }
    }

    /// A script's items: each call hands every item to `each`, in order, and must hand the
    /// same ones every time. The program is written in passes over them, so that no pass
    /// keeps the lines: memory does not grow with the script.
    package typealias Items = (_ each: (Item) throws -> Void) throws -> Void

    /// A whole `.async` file, its comments kept. Only for a script without syntax errors.
    public func program(_ script: Script) -> String {
        string { each in
            for n in stride(from: 1, through: script.lineCount, by: 1) {
                try each(Item(script.commands(ofLine: n), echoText: script.echoText(n)))
            }
        }
    }

    /// The lines a session ran, as `export python` in the shell sees them.
    public func program(inputs: [InputLine]) -> String {
        string { each in
            for input in inputs {
                if case .success(let line?) = Script.parseLine(input.text, number: input.line) {
                    // The `export` that asks for the program is not part of it.
                    let commands = line.commands.filter { !$0.isExport }
                    if commands.isEmpty { continue }
                    try each(.line(ScriptLine(number: line.number, text: line.text, commands: commands)))
                }
            }
        }
    }

    /// The program as one string (items that do not throw).
    private func string(_ items: Items) -> String {
        var text = ""
        do {
            try write(items, summary: summarize(items)) { text += $0 }
        } catch {
            preconditionFailure("an export into a string threw: \(error)")
        }
        return text
    }

    // MARK: - Streaming

    /// What the program's header says and depends on the whole script: which helpers it
    /// needs and which exception classes it declares. Gathered by a first pass over the
    /// items, before anything is written; small whatever the script's length.
    package struct Summary: Sendable {
        /// The classes `fail` raises that Python lacks, in order of first use. Every line
        /// counts, after `exit` too (a class declared and never raised is harmless).
        var exceptionClasses: [String] = []
        var usesThreads = false
        var usesStatus = false
        var usesSets = false
        /// A task's body awaits the task itself (RuntimeError in `__step`).
        var awaitsItself = false
        /// The place, among the items, of the last command line the program runs: the
        /// comments and blanks after it are not part of the program.
        var lastLineIndex = -1
    }

    /// The first pass: `add` every item, in order; `summary` then describes the program.
    /// (The export command checks the script in this same pass.)
    package struct Summarizer {
        private var generator: Generator

        package init(_ exporter: PythonExporter) { generator = Generator(exporter, .summary, Summary()) }

        package mutating func add(_ item: Item) { generator.add(item) }

        package var summary: Summary { generator.summary }
    }

    package func summarize(_ items: Items) rethrows -> Summary {
        var summarizer = Summarizer(self)
        try items { summarizer.add($0) }
        return summarizer.summary
    }

    /// Writes the program to `sink`, a piece at a time: the header (from `summary`, which
    /// `items` must have made), then every task's function in one pass over `items`, then
    /// main's code in another. The pieces are at most about `chunk` bytes, but for a
    /// piece of one item that is longer.
    package func write(_ items: Items, summary: Summary, chunk: Int = 1 << 16,
                       to sink: (String) throws -> Void) throws {
        try sink(header(summary))
        // `items` calls back into a closure that calls `sink`: both are only lent here.
        try withoutActuallyEscaping(sink) { sink in
            for pass in [Pass.functions, .mains] {
                var g = Generator(self, pass, summary)
                try items { item in
                    g.add(item)
                    if g.out.utf8.count >= chunk {
                        try sink(g.out)
                        g.out.removeAll(keepingCapacity: true)
                    }
                }
                g.finish()
                try sink(g.out)
            }
        }
    }

    // MARK: - Generation

    /// The program is written in three passes over the same items; each pass runs the
    /// same bookkeeping (task names, identifiers, loops), so each gives every task the
    /// same function name, and writes only its own part.
    private enum Pass {
        /// Writes nothing: gathers the `Summary`.
        case summary
        /// Every task's (and `run`'s) coroutine function, in order.
        case functions
        /// `main` (and `main_2`… after each `reset`), then the lines that run them.
        case mains
    }

    private struct Generator {
        let exporter: PythonExporter
        let pass: Pass
        var summary: Summary
        /// What this pass wrote and the caller has not taken yet.
        var out = ""

        /// Every identifier given so far, in every loop (reserved words and exception
        /// classes included). Not kept by the summary pass: the summary needs none.
        var usedIdentifiers: NameSet
        /// The summary pass: the exception classes already in `summary`.
        var classesSeen: Set<String> = []
        var loop = LoopNames()
        var workers: Int
        var segments = 1
        var linesInSegment = 0
        var finished = false
        /// Where the current item is among the items.
        var index = 0

        /// Main's code of the current loop (the mains pass). A comment or blank between
        /// two command lines is written when it comes, after the `await settle()` that
        /// closes the line before (which is written at the first of them).
        var settledBeforePending = false
        /// The last line written in the current loop's function, nil at its start.
        var lastLine: String?
        /// Blank lines not written yet: the ones at the end of a function are dropped.
        var blankLines = 0
        /// Whether the current function's last non-blank line is a `return`.
        var endsWithReturn = false
        /// Whether the open `try:` holds a statement yet (a `try` whose commands were all
        /// refused holds only comments: Python needs a statement).
        var tryHoldsStatement = false

        init(_ exporter: PythonExporter, _ pass: Pass, _ summary: Summary) {
            self.exporter = exporter
            self.pass = pass
            self.summary = summary
            workers = exporter.options.workers
            usedIdentifiers = pass == .summary ? NameSet() : NameSet(PythonExporter.reserved.union(summary.exceptionClasses))
            if pass == .mains { openFunction() }
        }

        mutating func add(_ item: Item) {
            defer { index += 1 }
            if pass == .summary, case .line(let line) = item { gatherClasses(line) }
            guard !finished else { return }
            switch item {
            case .blank, .comment:
                // Only the mains pass writes them, and only before a command line it runs.
                guard pass == .mains && index < summary.lastLineIndex else { return }
                if !settledBeforePending {
                    if linesInSegment > 0 { emit("await settle()", indent: 1) }
                    settledBeforePending = true
                }
                if case .comment(let text) = item {
                    emit(text, indent: 1)
                } else if let last = lastLine, !last.isEmpty, !last.hasSuffix("start()") {
                    emit("", indent: 1)
                }
            case .line(let line):
                if pass == .summary { summary.lastLineIndex = index }
                if !settledBeforePending && linesInSegment > 0 { emit("await settle()", indent: 1) }
                settledBeforePending = false
                linesInSegment += 1
                if pass == .mains { emit("# >>> " + line.text, indent: 1) }
                var indent = 1
                var inTry = false
                for command in line.commands {
                    if command.mayRaise && !inTry {
                        emit("try:", indent: indent)
                        tryHoldsStatement = false
                        indent += 1
                        inTry = true
                    }
                    switch command {
                    case .reset:
                        closeTry(&indent, &inTry)
                        emit("await settle()", indent: 1)
                        emit("return   # reset: this loop ends; asyncio.run starts a new one below", indent: 1)
                        newLoop()
                        linesInSegment = 1
                        continue
                    case .exit:
                        closeTry(&indent, &inTry)
                        emit("await settle()", indent: 1)
                        emit("return   # exit: asyncio.run cancels what is still pending", indent: 1)
                        finished = true
                    case .setWorkers(let n):
                        workers = n
                        summary.usesThreads = true
                        emit("pool.resize(\(n))", indent: indent)
                    default:
                        for code in code(for: command) { emit(code, indent: indent) }
                    }
                    if finished { break }
                }
                closeTry(&indent, &inTry)
            }
        }

        /// After the last item.
        mutating func finish() {
            guard pass == .mains else { return }
            closeFunction()
            out += "\n\nif __name__ == \"__main__\":\n"
            for i in 0 ..< segments {
                if i > 0 { out += "    print(\"reset: a new event loop, t = 0\")\n" }
                out += "    asyncio.run(\(PythonExporter.loopFunction(i))())\n"
            }
        }

        /// `reset`: this loop's function ends, the next one starts.
        private mutating func newLoop() {
            if pass == .mains { closeFunction() }
            segments += 1
            loop = LoopNames()
            linesInSegment = 0
            if pass == .mains { openFunction() }
        }

        private mutating func openFunction() {
            let usesThreads = summary.usesThreads
            let workers = workers != exporter.options.workers && usesThreads ? "workers=\(workers)" : ""
            out += "\n\nasync def \(PythonExporter.loopFunction(segments - 1))():\n"
            out += "    start(\(workers))\n"
            lastLine = nil
            blankLines = 0
            endsWithReturn = false
        }

        private mutating func closeFunction() {
            // Blank lines at the end are dropped.
            blankLines = 0
            if !endsWithReturn { out += "    await settle()\n" }
        }

        /// One line of main's code (the mains pass).
        private mutating func emit(_ code: String, indent: Int) {
            guard pass == .mains else { return }
            lastLine = code.isEmpty ? "" : String(repeating: "    ", count: indent) + code
            if code.isEmpty {
                blankLines += 1
                return
            }
            if !code.hasPrefix("#") { tryHoldsStatement = true }
            for _ in 0 ..< blankLines { out += "\n" }
            blankLines = 0
            out += lastLine!
            out += "\n"
            endsWithReturn = lastLine!.hasPrefix("    return")
        }

        private mutating func closeTry(_ indent: inout Int, _ inTry: inout Bool) {
            guard inTry else { return }
            if !tryHoldsStatement { emit("pass", indent: indent) }
            indent -= 1
            emit("except (Exception, asyncio.CancelledError) as e:", indent: indent)
            emit("show_error(e)", indent: indent + 1)
            inTry = false
        }

        /// The summary pass: the classes this line's `fail` steps raise.
        private mutating func gatherClasses(_ line: ScriptLine) {
            for command in line.commands {
                switch command {
                case .spawn(_, let body), .run(_, let body):
                    for case .fail(let type, _) in body.steps where PythonExporter.needsClass(type) {
                        if classesSeen.insert(type).inserted { summary.exceptionClasses.append(type) }
                    }
                default: break
                }
            }
        }

        /// The Python function of the task (or `run`) called `name`: a valid identifier
        /// no other name has, that shadows nothing the program uses.
        private mutating func identifier(for name: String) -> String {
            func ok(_ ch: Unicode.Scalar) -> Bool {
                (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9") || ch == "_"
            }
            var base = name
            if !name.unicodeScalars.allSatisfy(ok) {
                base = ""
                for ch in name.unicodeScalars { base.unicodeScalars.append(ok(ch) ? ch : "_") }
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
            // The first candidate no name has (inserting it) and no loop's function has.
            while PythonExporter.isLoopFunction(candidate) || !usedIdentifiers.insert(candidate) {
                candidate = base + "_\(k)"
                k += 1
            }
            return candidate
        }

        /// Main's code for one command (at main's indentation); in the other passes, only
        /// what the command does to the bookkeeping (its lines are not made).
        private mutating func code(for command: Command) -> [String] {
            let writing = pass == .mains
            func known(_ refs: [NameRef]) -> String? {
                for r in refs where !loop.taken.contains(r.name) { return r.name }
                return nil
            }
            func refused(_ name: String) -> [String] { writing ? ["# refused by asyncplay: unknown task '\(name)'"] : [] }
            func task(_ r: NameRef) -> String { "tasks[\(PyString.repr(r.name))]" }
            let seconds = exporter.seconds

            switch command {
            case .spawn(let ref, let body):
                guard let name = loop.add(ref) else {
                    return writing ? ["# refused by asyncplay: task '\(ref!.name)' already exists"] : []
                }
                let fn = pass == .summary ? "" : identifier(for: name)
                function(fn, body: body, owner: name, isTask: true)
                return writing ? ["track(asyncio.create_task(\(fn)(), name=\(PyString.repr(name))))"] : []
            case .run(let ref, let body):
                let name = ref?.name ?? "run"
                let fn = pass == .summary ? "" : identifier(for: name)
                function(fn, body: body, owner: name, isTask: false)
                return writing ? ["print(repr(await \(fn)()))"] : []
            case .cancel(let ref, let message):
                if let bad = known([ref]) { return refused(bad) }
                guard writing else { return [] }
                return ["print(\(task(ref)).cancel(\(message.map(PyString.repr) ?? "")))"]
            case .await(let ref, let timeout):
                if let bad = known([ref]) { return refused(bad) }
                guard writing else { return [] }
                if let timeout {
                    return ["print(repr(await asyncio.wait_for(\(task(ref)), timeout=\(seconds(timeout)))))"]
                }
                return ["print(repr(await \(task(ref))))"]
            case .gather(let refs, let returnExceptions, let timeout):
                if let bad = known(refs) { return refused(bad) }
                guard writing else { return [] }
                var args = refs.isEmpty ? "*tasks.values()" : refs.map(task).joined(separator: ", ")
                if returnExceptions { args += ", return_exceptions=True" }
                let gather = "asyncio.gather(\(args))"
                if let timeout {
                    return ["print(await asyncio.wait_for(\(gather), timeout=\(seconds(timeout))))"]
                }
                return ["print(await \(gather))"]
            case .wait(let refs, let mode, let timeout):
                if let bad = known(refs) { return refused(bad) }
                summary.usesSets = true
                guard writing else { return [] }
                var args = refs.isEmpty ? "tasks.values()" : "[" + refs.map(task).joined(separator: ", ") + "]"
                if let timeout { args += ", timeout=\(seconds(timeout))" }
                switch mode {
                case .firstCompleted: args += ", return_when=asyncio.FIRST_COMPLETED"
                case .firstException: args += ", return_when=asyncio.FIRST_EXCEPTION"
                case .allCompleted: break
                }
                return ["done, pending = await asyncio.wait(\(args))", "print_sets(done, pending)"]
            case .sleep(let d):
                guard writing else { return [] }
                return ["await asyncio.sleep(\(seconds(d)))"]
            case .block(let d):
                guard writing else { return [] }
                return ["log(\"main holds the loop for \(formatSeconds(d.microseconds))s (block)\")",
                        "time.sleep(\(seconds(d)))   # blocks the loop's thread: nothing else runs"]
            case .status(let refs):
                if let bad = known(refs) { return refused(bad) }
                summary.usesStatus = true
                guard writing else { return [] }
                return ["status(" + refs.map { PyString.repr($0.name) }.joined(separator: ", ") + ")"]
            case .result(let ref):
                if let bad = known([ref]) { return refused(bad) }
                guard writing else { return [] }
                return ["print(repr(\(task(ref)).result()))"]
            case .time:
                guard writing else { return [] }
                return ["print(f\"{now():.3f}\")"]
            default:
                guard writing else { return [] }
                return ["# (\(command.keyword): asyncplay only)"]
            }
        }

        /// One coroutine function: the body's steps in order, then its return. Written by
        /// the functions pass; the other passes note what the body needs of the program.
        private mutating func function(_ fn: String, body: Body, owner: String, isTask: Bool) {
            let writing = pass == .functions
            let seconds = exporter.seconds
            if writing {
                out += "\n\nasync def \(fn)():"
                if isTask { out += "\n    log(\"\(owner) started\")" }
            }
            var returns = true
            for step in body.steps {
                switch step {
                case .sleep(let d):
                    if writing { out += "\n    await asyncio.sleep(\(seconds(d)))" }
                case .cpu(let d):
                    guard writing else { break }
                    let who = isTask ? owner : "main"
                    let why = isTask ? "cpu" : "run"
                    out += "\n    log(\"\(who) holds the loop for \(formatSeconds(d.microseconds))s (\(why))\")"
                    out += "\n    time.sleep(\(seconds(d)))   # CPU-bound work on the loop's thread: nothing else runs"
                case .thread(let d):
                    summary.usesThreads = true
                    if writing {
                        out += "\n    await asyncio.get_running_loop().run_in_executor(None, blocking_work, \(formatShortSeconds(d.microseconds)))"
                    }
                case .await(let ref):
                    if isTask && ref.name == owner { summary.awaitsItself = true }
                    if writing { out += "\n    await tasks[\(PyString.repr(ref.name))]" }
                case .fail(let type, let message):
                    if writing { out += "\n    raise \(PythonExporter.className(type))(\(message.map(PyString.repr) ?? ""))" }
                    returns = false
                }
            }
            guard writing else { return }
            // A value in Python source is its repr.
            if returns { out += "\n    return " + (body.value ?? .string(owner)).repr }
            out += "\n"
        }
    }

    /// The tasks of the current loop, as asyncplay names them.
    private struct LoopNames {
        var taken = NameSet()
        var unnamed = 0

        mutating func add(_ ref: NameRef?) -> String? {
            if let ref {
                return taken.insert(ref.name) ? ref.name : nil
            }
            var name: String
            repeat {
                unnamed += 1
                name = "Task-\(unnamed)"
            } while !taken.insert(name)
            return name
        }
    }

    /// The Python class `fail TYPE` raises: a builtin, asyncio's own, or a new one.
    static func className(_ type: String) -> String {
        switch type {
        case "CancelledError", "InvalidStateError": return "asyncio." + type
        default: return type
        }
    }

    /// Whether the program must declare `fail TYPE`'s class.
    static func needsClass(_ type: String) -> Bool {
        className(type) == type && !ExceptionFactory.builtinExceptions.contains(type)
    }

    /// A duration in the program: `2 * SCALE`, `0.5 * SCALE`, `0`.
    private func seconds(_ d: TimeAmount) -> String {
        d.microseconds == 0 ? "0" : formatShortSeconds(d.microseconds) + " * SCALE"
    }

    // MARK: - The whole program

    /// The program up to the tasks' functions: what every program has, and the helpers
    /// and classes this one needs.
    private func header(_ w: Summary) -> String {
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

    /// The function the `i`th loop (from 0) of the program runs: `main`, `main_2`, `main_3`…
    static func loopFunction(_ i: Int) -> String { i == 0 ? "main" : "main_\(i + 1)" }

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

