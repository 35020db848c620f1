/// JSON Lines (SPEC section 6): one object per record, in the order things happen.
public final class JSONRenderer: RecordSink {
    private let out: OutputBuffer

    public init(out: OutputBuffer) { self.out = out }

    public func record(_ r: Record) {
        switch r {
        case .input(let line, let text):
            out.write("{\"type\":\"input\",\"line\":\(line),\"text\":\(JSON.string(text))}\n")
        case .event(let e):
            var extra = ""
            switch e.kind {
            case .created, .started, .cancelled: break
            case .done(let v): extra = ",\"result\":" + JSON.value(v)
            case .failed(let x), .exceptionNeverRetrieved(let x): extra = ",\"error\":" + JSON.exception(x)
            case .late(let by): extra = ",\"late_by\":" + JSON.seconds(by.microseconds)
            case .cancelRequested(_, let message):
                if let message { extra = ",\"message\":" + JSON.string(message) }
            case .sleeping, .waiting, .inThread, .holding:
                return            // phases: detail for timeline and why, not for the stream
            }
            out.write("{\"type\":\"event\",\"t\":\(JSON.seconds(e.time.microseconds)),\"task\":\(JSON.string(e.task.name)),\"event\":\"\(e.name)\"\(extra)}\n")
        case .result(let res):
            guard let value = JSON.commandValue(res.value) else { return }
            out.write("{\"type\":\"result\",\"t\":\(JSON.seconds(res.time.microseconds)),\"command\":\"\(res.command)\",\"value\":\(value)}\n")
        case .error(let err):
            out.write("{\"type\":\"error\",\"t\":\(JSON.seconds(err.time.microseconds)),\"command\":\"\(err.command)\",\"error\":\(JSON.exception(err.exception))}\n")
        case .diagnostic(let d):
            out.write("{\"type\":\"diagnostic\",\"line\":\(d.line),\"column\":\(d.column),\"message\":\(JSON.string(d.message))}\n")
        case .trace(let t):
            out.write("{\"type\":\"trace\",\"t\":\(JSON.seconds(t.time.microseconds)),\"what\":\(JSON.string(t.what))}\n")
        case .main:
            return
        }
    }
}

/// JSON text as Python's `json.dumps(ensure_ascii=False)` writes it.
enum JSON {
    static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// Loop time in seconds: the float Python prints for `round(us / 1e6, 6)`.
    static func seconds(_ us: Int64) -> String { PyFloat.repr(Double(us) / 1_000_000) }

    static func exception(_ e: PyException) -> String {
        "{\"type\":\(string(e.typeName)),\"message\":\(string(e.message))}"
    }

    static func value(_ v: PyValue) -> String {
        switch v {
        case .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let digits): return digits
        case .float(let d): return PyFloat.repr(d)
        case .string(let s): return string(s)
        case .exception(let e): return "{\"error\":" + exception(e) + "}"
        case .list(let items): return "[" + items.map(value).joined(separator: ",") + "]"
        }
    }

    static func commandValue(_ v: CommandValue) -> String? {
        switch v {
        case .value(let p): return value(p)
        case .bool(let b): return b ? "true" : "false"
        case .time(let t): return seconds(t.microseconds)
        case .waitSets(let done, let pending):
            return "{\"done\":[" + done.map(string).joined(separator: ",") + "],\"pending\":[" + pending.map(string).joined(separator: ",") + "]}"
        case .status(let rows): return "[" + rows.map(statusRow).joined(separator: ",") + "]"
        case .view, .nothing: return nil
        }
    }

    static func statusRow(_ r: StatusRow) -> String {
        func time(_ t: Instant?) -> String { t.map { seconds($0.microseconds) } ?? "null" }
        var s = "{\"name\":\(string(r.name)),\"state\":\"\(r.state.rawValue)\""
        if let v = r.result { s += ",\"result\":" + value(v) }
        if let e = r.error { s += ",\"error\":" + exception(e) }
        s += ",\"created\":\(time(r.created)),\"started\":\(time(r.started)),\"finished\":\(time(r.finished))"
        if let u = r.until { s += ",\"until\":" + time(u) }
        if let w = r.waitsFor { s += ",\"waits_for\":" + string(w) }
        if let q = r.queued { s += ",\"queued\":" + (q ? "true" : "false") }
        return s + "}"
    }
}
