import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// The human transcript (SPEC section 5): each input behind a `>>> ` prompt, then what
/// happened, like a REPL session. Deterministic: times with three decimals, values as
/// Python's repr. The same text is what `--record` stores and `check` compares.
public final class TextRenderer: RecordSink {
    public struct Options {
        public var style = TextStyle.plain
        /// Echo inputs behind the prompt (a transcript); off in the shell, where the
        /// learner's own typing is already on screen.
        public var echoInputs = true
        public var timeline = TimelineRenderer.Options()
        public var language = Language.english
        /// Writes a file for `timeline --svg FILE` and `export python FILE` (the library
        /// knows no files): returns nil, or why it could not. Without it nothing is written.
        public var writeFile: ((_ path: String, _ contents: String) -> String?)? = nil
        public init() {}
    }

    public static let prompt = ">>> "

    private let out: OutputBuffer
    private let options: Options
    private let diagnostics: DiagnosticRenderer
    private let log: EventLog?
    /// What `status` draws its rows from (the log's, or a fold of its own when the
    /// session keeps no log): a run whose script has no `status` needs none.
    private let status: StatusFold?
    private var style: TextStyle { options.style }

    public init(out: OutputBuffer, diagnostics: DiagnosticRenderer, log: EventLog?, status: StatusFold? = nil,
                options: Options = Options()) {
        self.out = out
        self.diagnostics = diagnostics
        self.log = log
        self.status = status ?? (log?.status.foldsStates == true ? log?.status : nil)
        self.options = options
    }

    /// Echoes a source line that holds no command (blank or comment), so that the
    /// transcript keeps every line of the script.
    /// A line main does not run (blank, comment), handed over as a String.
    public func echo(_ text: String) { echo(LineText(text)) }

    /// A line main runs, copied from the file's bytes.
    func echo(_ text: LineText) {
        guard options.echoInputs else { return }
        if text.isEmpty { out.write(literal: ">>>\n"); return }
        out.write(literal: ">>> ")
        text.withBytes { out.write(UnsafeRawBufferPointer($0)) }
        out.write(byte: 10)
    }

    public var usesPhaseEvents: Bool { false }

    public func taskEvent(_ kind: TaskEvent.Kind, of task: TaskID, named name: String, at time: Instant) {
        eventLine(kind, of: name, at: time)
    }

    public func record(_ r: Record) {
        switch r {
        case .input(_, let text):
            echo(text)
        case .event(let e, let name):
            eventLine(e.kind, of: name, at: e.time)
        case .result(let res):
            result(res)
        case .error(let err):
            let e = err.exception
            let head = style.red(style.bold(e.typeName))
            out.write(e.message.isEmpty ? head + "\n" : head + ": " + e.message + "\n")
            if e.typeName == "DeadlockError" {
                out.write(style.dim("  (nothing can ever wake main; CPython would hang here forever)") + "\n")
            }
        case .diagnostic(let d):
            out.write(diagnostics.render(d, style: style))
        case .main(let m):
            switch m.kind {
            case .holding(let d, let command):
                stamp(m.time)
                out.write(style.yellow("main holds the loop for \(formatSeconds(d.microseconds))s (\(command.rawValue))") + "\n")
            case .reset:
                stamp(m.time)
                out.write(style.dim("reset: a new event loop, t = 0") + "\n")
            case .blocked, .awaitingInput:
                break
            }
        case .trace(let t):
            stamp(t.time)
            var s = "trace: " + t.what
            if let late = t.lateBy { s += " (late by \(formatSeconds(late.microseconds))s)" }
            out.write(style.dim(s) + "\n")
        }
    }

    @inline(__always)
    private func stamp(_ t: Instant) { out.writeStamp(t.microseconds) }

    /// The ANSI colours the transcript uses (`TextStyle`'s codes).
    private enum Colour: UInt8 { case red = 1, green = 2, yellow = 3, magenta = 5 }

    /// What `write` writes, in `colour` when colour is on: the same bytes as
    /// `out.write(style.yellow(text))`, without building the text as a String first.
    @inline(__always)
    private func colored(_ colour: Colour, _ write: () -> Void) {
        guard style.color else { return write() }
        out.write(literal: "\u{1B}[3")
        out.write(byte: 48 + colour.rawValue)
        out.write(byte: UInt8(ascii: "m"))
        write()
        out.write(literal: "\u{1B}[0m")
    }

    /// A line about the loop being held, in yellow: `NAME<verb>SECONDS<tail>`.
    private func holdLine(_ name: String, _ verb: StaticString, _ d: TimeAmount, _ tail: StaticString, at time: Instant) {
        stamp(time)
        colored(.yellow) {
            out.write("", name, verb)
            out.writeSeconds(d.microseconds)
            out.write(literal: tail)
        }
        out.write(byte: 10)
    }

    /// The event's parts, not the TaskEvent: a struct passed in memory has its kind copied
    /// into a temporary and destroyed after, on every line (PERFORMANCE.md).
    private func eventLine(_ kind: TaskEvent.Kind, of name: String, at time: Instant) {
        switch kind {
        case .created:
            stamp(time)
            out.write("", name, " created\n")
        case .started:
            stamp(time)
            out.write("", name, " started\n")
        case .done(let v):
            stamp(time)
            if style.color {
                out.write(name + " " + style.green("done") + ": ")
            } else {
                out.write("", name, " done: ")
            }
            out.writeRepr(v)
            out.write(byte: 10)
        case .failed(let x):
            stamp(time)
            out.write("", name, " ")
            colored(.red) { out.write(literal: "failed") }
            out.write(": " + x.repr + "\n")
        case .cancelled:
            stamp(time)
            out.write("", name, " ")
            colored(.magenta) { out.write(literal: "cancelled") }
            out.write(byte: 10)
        case .cancelRequested:
            break        // `cancel` prints True; the state shows as `cancelling`
        case .late(let by):
            holdLine(name, " woke up ", by, "s late (the loop was held)", at: time)
        case .holding(let d):
            holdLine(name, " holds the loop for ", d, "s (cpu)", at: time)
        case .exceptionNeverRetrieved(let x):
            stamp(time)
            colored(.red) {
                out.write("", name, ": Task exception was never retrieved: ")
                out.write(x.repr)
            }
            out.write(byte: 10)
        case .sleeping, .waiting, .inThread, .threadStarted, .threadEnded, .returned, .raised, .cancelPassedOn:
            break        // phases: in status, timeline and why
        }
    }

    private func result(_ res: CommandResult) {
        switch res.value {
        case .value(let v):
            out.writeRepr(v)
            out.write(byte: 10)
        case .bool(let b): if b { out.write(literal: "True\n") } else { out.write(literal: "False\n") }
        case .time(let t):
            out.writeSeconds(t.microseconds)
            out.write(byte: 10)
        case .waitSets(let done, let pending):
            out.write(literal: "done: ")
            out.writeList(done, separator: ", ") { out.write($0) }
            out.write(literal: "  pending: ")
            out.writeList(pending, separator: ", ") { out.write($0) }
            out.write(byte: 10)
        case .status(let tasks):
            guard let status else { preconditionFailure("`status` without a StatusFold: the sinks must include one (Script.readsStatus)") }
            StatusTable.write(status, tasks: tasks, into: out, style: style, now: res.time, language: options.language)
        case .view(let view):
            switch view {
            case .timeline(let o):
                var topts = options.timeline
                if o.ascii { topts.ascii = true }
                if let w = o.width { topts.width = w }
                topts.language = options.language
                topts.style = style
                guard let log else { break }
                if let path = o.svgPath {
                    write(path, TimelineRenderer(options: topts).svg(log, now: res.time))
                } else {
                    out.write(TimelineRenderer(options: topts).render(log, now: res.time))
                }
            case .tree:
                var o = TreeRenderer.Options()
                o.language = options.language
                o.style = style
                o.ascii = options.timeline.ascii
                if let log { out.write(TreeRenderer(options: o).render(log, now: res.time)) }
            case .why(let name):
                var o = WhyRenderer.Options()
                o.language = options.language
                o.style = style
                if let log { out.write(WhyRenderer(options: o).render(log, now: res.time, task: name)) }
            case .exportPython(let path):
                guard let log else { break }
                guard log.inputsComplete else {
                    out.write(style.red("the session is too long to export (more than \(EventLog.inputLimit) lines): export the script with `asyncplay export python FILE`") + "\n")
                    break
                }
                let program = PythonExporter().program(inputs: log.inputs)
                if let path { write(path, program) } else { out.write(program) }
            case .help(let topic):
                out.write(Help.text(topic: topic, language: options.language, style: style))
            case .trace(let on):
                out.write(on ? "trace is on: every callback the loop runs is shown\n" : "trace is off\n")
            }
        case .nothing:
            break
        }
    }
}

extension TextRenderer {
    /// A file a view asked for, through the executable's `writeFile`.
    private func write(_ path: String, _ contents: String) {
        guard let writeFile = options.writeFile else {
            out.write(style.dim("(\(path) not written: this session cannot write files)") + "\n")
            return
        }
        if let problem = writeFile(path, contents) {
            out.write(style.red("cannot write \(path): \(problem)") + "\n")
        } else {
            out.write("wrote \(path)\n")
        }
    }
}

extension TaskEvent {
    var isCreated: Bool { if case .created = kind { return true } else { return false } }
}
