import AsyncPlay
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The interactive shell: the learner types on this thread while the event loop runs on
/// its own, so timers fire on the real clock whether or not anyone is typing. Events are
/// printed above the line being edited; a blocking command streams its events until main
/// is ready for the next line; Ctrl-C then cancels what main awaits.
final class ShellRunner: @unchecked Sendable {
    struct Options {
        var virtualClock = false
        var json = false
        var style = TextStyle.plain
        var language = AsyncPlay.Language.english
        var historyFile: String?
        var width = 80
    }

    private let options: Options
    private let editor: LineEditor
    private var session: Session!
    private let ready = Gate()               // main awaits its next line
    private let finished = Gate()            // the session ended
    private let lineArrived = Gate()         // virtual clock: a line was submitted
    private let state = Mutex(SharedState())
    private var lineNumber = 0
    private var typed: [Int: String] = [:]    // line number -> text, for carets

    private struct SharedState {
        var taskNames: [String] = []
        var now = Instant.start
    }

    init(options: Options) {
        self.options = options
        editor = LineEditor(historyFile: options.historyFile)
    }

    func run() -> Int32 {
        let output = ShellOutput(editor: editor, options: options, sourceLine: { [unowned self] n in self.typedLine(n) },
                                 names: { [unowned self] names in self.state.withLock { $0.taskNames = names } })
        var sessionOptions = Session.Options()
        if !options.virtualClock { sessionOptions.clock = { RealClock() } }
        let feed: Session.LineFeed = options.virtualClock ? .external(waitForLine: { [unowned self] in self.lineArrived.wait(); self.lineArrived.close() }) : .external(waitForLine: nil)
        session = Session(options: sessionOptions, lines: feed, sink: output)
        session.onAwaitingInput = { [unowned self] t in
            self.state.withLock { $0.now = t }
            self.ready.open()
        }
        editor.completer = { [unowned self] word, before in self.complete(word, before) }
        editor.promptProvider = { [unowned self] in self.prompt() }
        editor.promptRefreshInterval = options.virtualClock ? nil : .milliseconds(100)

        let loopThread = LoopThread { [unowned self] in
            self.session.run()
            self.finished.open()
            self.ready.open()
        }
        loopThread.start()
        greet()

        while true {
            waitUntilReady()
            if finished.isOpen { break }
            switch editor.readLine(prompt: prompt()) {
            case .line(let text):
                editor.add(text)
                submit(text)
            case .interrupt:
                continue                         // Ctrl-C at the prompt clears the line
            case .endOfInput:
                // Ctrl-D: asyncio.run's shutdown: pending tasks are cancelled and reported.
                ready.close()
                session.handle.submit(nil)
                lineArrived.open()
                waitUntilReady()
                finished.wait()
                loopThread.join()
                return session.refusedCommands > 0 ? 1 : 0
            }
        }
        loopThread.join()
        return 0
    }

    private func greet() {
        let clock = options.virtualClock ? "virtual clock: time moves only while main awaits" : "real clock: timers fire while you type"
        editor.printAbove(options.style.dim("asyncplay \(AsyncPlayCommand.version) — \(clock). help for commands, Ctrl-D to leave."))
    }

    /// Waits until main is ready for a line; Ctrl-C meanwhile cancels what main awaits.
    private func waitUntilReady() {
        while !ready.wait(timeoutMilliseconds: 20) {
            if InterruptSignal.takePending() {
                session.handle.interrupt()
            }
        }
        _ = InterruptSignal.takePending()        // a Ctrl-C that raced the end of the command
    }

    private func submit(_ text: String) {
        lineNumber += 1
        let n = lineNumber
        typed[n] = text
        switch Script.parseLine(text, number: n) {
        case .failure(let errors):
            let renderer = DiagnosticRenderer(fileName: "<stdin>") { [text] _ in text }
            editor.printAbove(errors.diagnostics.map { renderer.render($0, style: options.style) }.joined())
        case .success(nil):
            break                                // blank or comment
        case .success(let line?):
            ready.close()
            session.handle.submit(line)
            lineArrived.open()
        }
    }

    private func typedLine(_ n: Int) -> String? { typed[n] }

    private func prompt() -> String {
        let t = options.virtualClock ? state.withLock { $0.now } : (session?.handle.now ?? .start)
        let stamp = "[" + formatSeconds(t.microseconds) + "]"
        // \u{1}…\u{2} tell libedit the escapes take no room on screen.
        let shown = options.style.color ? "\u{1}\u{1B}[2m\u{2}" + stamp + "\u{1}\u{1B}[0m\u{2}" : stamp
        return shown + " >>> "
    }

    /// TAB: a command at the start of a command; after it, what that command takes
    /// (task names for cancel/await/gather…, steps for spawn/run, its options).
    private func complete(_ word: String, _ before: String) -> [String] {
        let names = state.withLock { $0.taskNames }
        let command = before.split(separator: ";").last.map { String($0) } ?? ""
        let words = command.split(separator: " ").map(String.init)
        let typedWords = word.isEmpty ? words : Array(words.dropLast())
        guard let verb = typedWords.first else {
            return Keywords.commands.filter { $0.hasPrefix(word) }.sorted()
        }
        var pool: [String]
        switch CommandTable.row(spelled: verb)?.arguments ?? .nothing {
        case .nothing: pool = []
        case .oneTask(let options): pool = typedWords.count == 1 ? names : options
        case .tasks(let options): pool = names + options
        case .body: pool = Keywords.steps + ["->"]
        case .words(let words): pool = words
        case .topic: pool = Keywords.commands + ["body"]
        }
        if typedWords.last == "await" { pool = names }
        return Array(Set(pool.filter { $0.hasPrefix(word) })).sorted()
    }
}

/// Renders records for the terminal: every record's text printed above the line being
/// edited, whole lines at a time. Runs on the loop's thread.
final class ShellOutput: RecordSink {
    private let editor: LineEditor
    private let buffer = OutputBuffer()
    private let renderer: RecordSink
    private let log: EventLog
    private var names: [String] = []
    private let publishNames: ([String]) -> Void

    init(editor: LineEditor, options: ShellRunner.Options, sourceLine: @escaping (Int) -> String?, names publish: @escaping ([String]) -> Void) {
        self.editor = editor
        publishNames = publish
        log = EventLog()
        if options.json {
            renderer = JSONRenderer(out: buffer, status: log.status)
        } else {
            var text = TextRenderer.Options()
            text.style = options.style
            text.echoInputs = false
            text.language = options.language
            text.timeline.width = options.width
            text.writeFile = StandardStreams.writeFileForViews
            renderer = TextRenderer(out: buffer, diagnostics: DiagnosticRenderer(fileName: "<stdin>", sourceLine: sourceLine), log: log, options: text)
        }
    }

    func record(_ r: Record) {
        log.record(r)
        switch r {
        case .event(let e, let name):
            if case .created = e.kind { names.append(name); publishNames(names) }
        case .main(let m):
            if case .reset = m.kind { names = []; publishNames(names) }
        default: break
        }
        renderer.record(r)
        if !buffer.bytes.isEmpty {
            editor.printAbove(buffer.text)
            buffer.discard()
        }
    }
}

/// A one-shot latch with reset: threads wait until it is open.
final class Gate: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var opened = false

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    var isOpen: Bool {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return opened
    }

    func open() {
        pthread_mutex_lock(&mutex)
        opened = true
        pthread_cond_broadcast(&condition)
        pthread_mutex_unlock(&mutex)
    }

    func close() {
        pthread_mutex_lock(&mutex); opened = false; pthread_mutex_unlock(&mutex)
    }

    func wait() { while !wait(timeoutMilliseconds: 1000) {} }

    /// Waits until open (and closes it again if it is a one-shot wake-up); false on timeout.
    func wait(timeoutMilliseconds ms: Int) -> Bool {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        if !opened {
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            let ns = ts.tv_nsec + ms % 1000 * 1_000_000
            ts.tv_sec += ms / 1000 + ns / 1_000_000_000
            ts.tv_nsec = ns % 1_000_000_000
            _ = pthread_cond_timedwait(&condition, &mutex, &ts)
        }
        return opened
    }
}

/// The loop's own thread (a pthread: the loop is not a Swift Task).
final class LoopThread: @unchecked Sendable {
    private let body: () -> Void
    private var thread = pthread_t()
    init(_ body: @escaping () -> Void) { self.body = body }

    /// Threads started and not yet running, by number: a pthread's start routine is a C
    /// function that gets one pointer, which carries the number (no object crosses as a
    /// raw pointer).
    private static let starting = Mutex<(next: Int, threads: [Int: LoopThread])>((1, [:]))

    func start() {
        let number = LoopThread.starting.withLock { s in
            let n = s.next
            s.next += 1
            s.threads[n] = self
            return n
        }
        pthread_create(&thread, nil, { raw in
            let number = Int(bitPattern: raw)
            let me = LoopThread.starting.withLock { $0.threads.removeValue(forKey: number) }
            me?.body()
            return nil
        }, UnsafeMutableRawPointer(bitPattern: number))
    }

    func join() { pthread_join(thread, nil) }
}
