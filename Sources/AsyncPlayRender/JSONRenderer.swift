import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// JSON Lines (SPEC section 6): one object per record, in the order things happen.
/// Written byte by byte into the buffer: building each line as a String cost several
/// times more than the run that produced it.
public final class JSONRenderer: RecordSink {
    private let out: OutputBuffer
    /// What `status` results are drawn from; needed only when the run has a `status`.
    private let status: StatusFold?

    public init(out: OutputBuffer, status: StatusFold? = nil) {
        self.out = out
        self.status = status
    }

    /// The stream has no phase events (sleeping, waiting, in a thread: see `event`), so
    /// the session need not send them.
    public var usesPhaseEvents: Bool { false }

    public func record(_ r: Record) {
        switch r {
        case .input(let line, let text):
            out.write(literal: "{\"type\":\"input\",\"line\":")
            out.writeInt(line)
            out.write(literal: ",\"text\":")
            out.writeJSON(string: text.string)
            out.write(literal: "}\n")
        case .event(let e, let name):
            event(e, name: name)
        case .result(let res):
            switch res.value {
            case .view, .nothing: return        // JSON prints nothing for these
            default: break
            }
            out.write(literal: "{\"type\":\"result\",\"t\":")
            out.writeJSONSeconds(res.time.microseconds)
            out.write(literal: ",\"command\":\"")
            out.write(res.command)
            out.write(literal: "\",\"value\":")
            if case .status(let tasks) = res.value {
                guard let status else { preconditionFailure("`status` without a StatusFold: the sinks must include one (Script.readsStatus)") }
                out.writeJSON(status, tasks: tasks)
            } else {
                out.writeJSON(res.value)
            }
            out.write(literal: "}\n")
        case .error(let err):
            out.write(literal: "{\"type\":\"error\",\"t\":")
            out.writeJSONSeconds(err.time.microseconds)
            out.write(literal: ",\"command\":\"")
            out.write(err.command)
            out.write(literal: "\",\"error\":")
            out.writeJSON(err.exception)
            out.write(literal: "}\n")
        case .diagnostic(let d):
            out.write(literal: "{\"type\":\"diagnostic\",\"line\":")
            out.writeInt(d.line)
            out.write(literal: ",\"column\":")
            out.writeInt(d.column)
            out.write(literal: ",\"message\":")
            out.writeJSON(string: d.message)
            out.write(literal: "}\n")
        case .trace(let t):
            out.write(literal: "{\"type\":\"trace\",\"t\":")
            out.writeJSONSeconds(t.time.microseconds)
            out.write(literal: ",\"what\":")
            out.writeJSON(string: t.what)
            out.write(literal: "}\n")
        case .main:
            return
        }
    }

    public func taskEvent(_ kind: TaskEvent.Kind, of task: TaskID, named name: String, at time: Instant) {
        event(TaskEvent(time: time, task: task, kind: kind), name: name)
    }

    private func event(_ e: TaskEvent, name: String) {
        switch e.kind {
        case .sleeping, .waiting, .inThread, .threadStarted, .threadEnded, .holding, .returned, .raised, .cancelPassedOn:
            return            // phases: detail for status, timeline and why, not for the stream
        default:
            break
        }
        out.write(literal: "{\"type\":\"event\",\"t\":")
        out.writeJSONSeconds(e.time.microseconds)
        out.write(literal: ",\"task\":")
        out.writeJSON(string: name)
        out.write(literal: ",\"event\":\"")
        switch e.kind {
        case .created: out.write(literal: "created\"")
        case .started: out.write(literal: "started\"")
        case .cancelled: out.write(literal: "cancelled\"")
        case .done(let v):
            out.write(literal: "done\",\"result\":")
            out.writeJSON(v)
        case .failed(let x):
            out.write(literal: "failed\",\"error\":")
            out.writeJSON(x)
        case .exceptionNeverRetrieved(let x):
            out.write(literal: "exception_never_retrieved\",\"error\":")
            out.writeJSON(x)
        case .late(let by):
            out.write(literal: "late\",\"late_by\":")
            out.writeJSONSeconds(by.microseconds)
        case .cancelRequested(_, let message):
            out.write(literal: "cancel_requested\"")
            if let message {
                out.write(literal: ",\"message\":")
                out.writeJSON(string: message)
            }
        case .sleeping, .waiting, .inThread, .threadStarted, .threadEnded, .holding, .returned, .raised, .cancelPassedOn:
            break
        }
        out.write(literal: "}\n")
    }
}

/// JSON text as Python's `json.dumps(ensure_ascii=False)` writes it.
extension OutputBuffer {
    /// A string in double quotes. Bytes of multi-byte UTF-8 are all ≥ 0x80 and pass
    /// through, so escaping works on bytes.
    func writeJSON(string s: String) {
        if !writeQuoted(s, quote: 0x22, asciiOnly: false) {
            writeJSONEscaped(s)
        }
    }

    private func writeJSONEscaped(_ s: String) {
        write(byte: 0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: write(literal: "\\\"")
            case 0x5C: write(literal: "\\\\")
            case 0x0A: write(literal: "\\n")
            case 0x0D: write(literal: "\\r")
            case 0x09: write(literal: "\\t")
            case 0x08: write(literal: "\\b")
            case 0x0C: write(literal: "\\f")
            case 0..<0x20:
                write(literal: "\\u00")
                write(byte: hexDigit(b >> 4))
                write(byte: hexDigit(b & 0xF))
            default: write(byte: b)
            }
        }
        write(byte: 0x22)
    }

    private func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 48 + v : 87 + v }

    /// Loop time in seconds: the float Python prints for `round(us / 1e6, 6)`.
    /// From 0.0001 s to 10^9 s that is the exact decimal (at most 15 significant
    /// digits, so it is also the shortest that round-trips); elsewhere `PyFloat.repr`.
    func writeJSONSeconds(_ us: Int64) {
        if us == 0 { write(literal: "0.0"); return }
        guard us >= 100 && us < 1_000_000_000_000_000 else {
            write(PyFloat.repr(Double(us) / 1_000_000))
            return
        }
        writeInt(us / 1_000_000)
        var frac = Int(us % 1_000_000)
        if frac == 0 { write(literal: ".0"); return }
        var digits = 6
        while frac % 10 == 0 { frac /= 10; digits -= 1 }
        let p = reserve(digits + 1)
        p[0] = UInt8(ascii: ".")
        for i in stride(from: digits, through: 1, by: -1) {
            p[i] = UInt8(truncatingIfNeeded: 48 + frac % 10)
            frac /= 10
        }
        commit(digits + 1)
    }

    func writeJSON(_ e: PyException) {
        write(literal: "{\"type\":")
        writeJSON(string: e.typeName)
        write(literal: ",\"message\":")
        writeJSON(string: e.message)
        write(byte: UInt8(ascii: "}"))
    }

    func writeJSON(_ v: PyValue) {
        switch v {
        case .none: write(literal: "null")
        case .bool(let b): if b { write(literal: "true") } else { write(literal: "false") }
        case .int(let digits): write(digits)
        case .float(let d): write(PyFloat.repr(d))
        case .string(let s): writeJSON(string: s)
        case .exception(let e):
            write(literal: "{\"error\":")
            writeJSON(e)
            write(byte: UInt8(ascii: "}"))
        case .list(let items):
            writeList(items, separator: ",") { writeJSON($0) }
        }
    }

    /// A command's value; `.view` and `.nothing` print nothing (the caller skips them).
    func writeJSON(_ v: CommandValue) {
        switch v {
        case .value(let p): writeJSON(p)
        case .bool(let b): if b { write(literal: "true") } else { write(literal: "false") }
        case .time(let t): writeJSONSeconds(t.microseconds)
        case .waitSets(let done, let pending):
            write(literal: "{\"done\":")
            writeJSON(strings: done)
            write(literal: ",\"pending\":")
            writeJSON(strings: pending)
            write(byte: UInt8(ascii: "}"))
        case .view, .nothing, .status:
            // A status result's rows come from a StatusFold: `writeJSON(_:tasks:)`.
            break
        }
    }

    /// A status result's value: the rows of `tasks` (nil: every task), as `fold` has them.
    func writeJSON(_ fold: StatusFold, tasks: [TaskID]?) {
        let table = fold.table
        if let tasks {
            writeList(tasks.filter { $0.index >= 0 && $0.index < table.count }, separator: ",") { writeJSON(table.row($0.index)) }
        } else {
            writeList(0..<table.count, separator: ",") { writeJSON(table.row($0)) }
        }
    }

    private func writeJSON(strings: [String]) {
        writeList(strings, separator: ",") { writeJSON(string: $0) }
    }

    private func writeJSON(time t: Instant?) {
        if let t { writeJSONSeconds(t.microseconds) } else { write(literal: "null") }
    }

    private func writeJSON(_ r: StatusRow) {
        write(literal: "{\"name\":")
        writeJSON(string: r.name)
        write(literal: ",\"state\":\"")
        write(r.state.rawValue)
        write(byte: 0x22)
        if let v = r.result { write(literal: ",\"result\":"); writeJSON(v) }
        if let e = r.error { write(literal: ",\"error\":"); writeJSON(e) }
        write(literal: ",\"created\":")
        writeJSON(time: r.created)
        write(literal: ",\"started\":")
        writeJSON(time: r.started)
        write(literal: ",\"finished\":")
        writeJSON(time: r.finished)
        if let u = r.until { write(literal: ",\"until\":"); writeJSON(time: u) }
        if let w = r.waitsFor { write(literal: ",\"waits_for\":"); writeJSON(string: w) }
        if let q = r.queued { if q { write(literal: ",\"queued\":true") } else { write(literal: ",\"queued\":false") } }
        write(byte: UInt8(ascii: "}"))
    }
}
