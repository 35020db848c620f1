import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayLoop
import AsyncPlayEvents
import AsyncPlayRender
import AsyncPlayExport
import AsyncPlaySession
/// Runs a whole script the way `asyncplay run` does: parse everything first (a file with
/// errors runs nothing), then run it on a virtual clock and render the records.
public struct ScriptRunner {
    public enum Format { case transcript, jsonLines }

    public struct Outcome {
        /// 0 ran to the end; 1 a command was refused; 2 syntax errors (nothing ran).
        public let exitCode: Int32
        /// Rendered syntax errors (text format), for stderr; empty when the script parsed.
        public let syntaxErrors: String
        /// How late each timer ran (µs), when `sessionOptions.measureTimerLateness` is set.
        public var timerLateness: [Int64] = []
        /// The session that ran, with every task it made: a process that ends after the
        /// run can keep it and exit, handing its memory back to the OS at once instead of
        /// freeing a million tasks one by one.
        public var session: AnyObject?
    }

    public var format = Format.transcript
    public var fileName: String
    public var sessionOptions = Session.Options()
    public var textOptions = TextRenderer.Options()
    /// Style of syntax errors (they go to stderr, whose terminal may differ from stdout's).
    public var errorStyle = TextStyle.plain
    /// Flush the output after every record (playing in real time), not in big chunks.
    public var liveOutput = false

    public init(fileName: String) { self.fileName = fileName }

    /// Runs `source`, writing the transcript or JSON Lines to `out`.
    public func run(_ source: [UInt8], out: OutputBuffer) -> Outcome {
        let script = Script.parse(source, limits: sessionOptions.limits)
        let diagnostics = DiagnosticRenderer(fileName: fileName) { script.sourceLine($0) }
        if script.hasErrors {
            // The first errors in full; past the limit only a count (each error repeats its
            // source line: thousands of them were hundreds of MB of text).
            let count = script.diagnostics.count
            let shown = min(count, sessionOptions.limits.maxShownErrors)
            var text = script.diagnostics.prefix(shown).map { diagnostics.render($0, style: errorStyle) }.joined()
            if shown < count { text += "… and \(count - shown) more error\(count - shown == 1 ? "" : "s")\n" }
            if format == .jsonLines {
                let json = JSONRenderer(out: out)
                for d in script.diagnostics { json.record(.diagnostic(d)) }
                out.flush()
            }
            return Outcome(exitCode: 2, syntaxErrors: text + "\(count) error\(count == 1 ? "" : "s"); nothing was run\n")
        }
        let sink: RecordSink
        var echo: ((String) -> Void)? = nil
        // `status` rows are folded from the events as they are recorded (the phase events
        // too, which the session sends only to a sink that uses them): a fold only when a
        // command will show one, and the history only when a view will read it; a million
        // tasks' events otherwise cost memory and time that nothing uses.
        switch format {
        case .jsonLines:
            let fold = script.readsStatus ? StatusFold(expectedTasks: script.spawnCount) : nil
            let json = JSONRenderer(out: out, status: fold)
            sink = fold.map { FanoutSink([$0, json]) } ?? json
        case .transcript:
            let log = script.readsHistory ? EventLog(limit: sessionOptions.limits.maxKeptEvents, expectedTasks: script.spawnCount,
                                                    foldsStatus: script.readsStatus) : nil
            let fold = log == nil && script.readsStatus ? StatusFold(expectedTasks: script.spawnCount) : nil
            let text = TextRenderer(out: out, diagnostics: diagnostics, log: log, status: fold, options: textOptions)
            echo = text.echo
            let folds: [RecordSink] = [log as RecordSink?, fold as RecordSink?].compactMap { $0 }
            sink = folds.isEmpty ? text : FanoutSink(folds + [text])
        }
        // Lines are parsed as main asks for them; blank and comment lines are echoed then,
        // so the transcript keeps every line of the file, in order.
        let feed = script.lineFeed(skipped: echo)
        var options = sessionOptions
        options.expectedTasks = script.spawnCount
        let session = Session(options: options, lines: .script(feed),
                              sink: liveOutput ? FlushingSink(sink, out) : sink)
        session.run()
        out.flush()
        var outcome = Outcome(exitCode: session.refusedCommands > 0 ? 1 : 0, syntaxErrors: "")
        outcome.timerLateness = session.timerLateness
        outcome.session = session
        return outcome
    }
}

/// Passes records on, then flushes: each line reaches the screen as it happens.
final class FlushingSink: RecordSink {
    private let inner: RecordSink
    private let out: OutputBuffer
    init(_ inner: RecordSink, _ out: OutputBuffer) {
        self.inner = inner
        self.out = out
    }
    func record(_ r: Record) {
        inner.record(r)
        out.flush()
    }
    func taskEvent(_ kind: TaskEvent.Kind, of task: TaskID, named name: String, at time: Instant) {
        inner.taskEvent(kind, of: task, named: name, at: time)
        out.flush()
    }
    var usesPhaseEvents: Bool { inner.usesPhaseEvents }
}
