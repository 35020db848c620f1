import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// `status`: one row per task, columns a learner reads at a glance — the state, what the
/// task waits for (a timer, a task, a worker), its result or exception, and its times.
public enum StatusTable {
    /// The table of `tasks` (nil: every task of the loop) as `fold` has them, written
    /// into `out`: the same text as `render(fold.rows(tasks), …)`. Without colour it is
    /// written cell by cell, with no String per cell (a `status` of a million tasks
    /// prints a million rows).
    public static func write(_ fold: StatusFold, tasks: [TaskID]?, into out: OutputBuffer, style: TextStyle,
                             now: Instant? = nil, language: Language = .english) {
        if style.color {
            out.write(render(fold.rows(tasks), style: style, now: now, language: language))
            return
        }
        let table = fold.table
        let ids: [Int]
        if let tasks { ids = tasks.map(\.index).filter { $0 >= 0 && $0 < table.count } } else { ids = [] }
        let all = tasks == nil
        let n = all ? table.count : ids.count
        let pt = language == .portuguese
        if n == 0 { out.write(pt ? "(nenhuma task)\n" : "(no tasks)\n"); return }
        let header = pt ? ["TASK", "ESTADO", "ESPERANDO", "RESULTADO / ERRO", "CRIADA", "INÍCIO", "FIM"]
                        : ["TASK", "STATE", "WAITING FOR", "RESULT / ERROR", "CREATED", "STARTED", "FINISHED"]
        var widths = header.map(\.count)
        let scratch = OutputBuffer()
        // Pass 1: the widths of the columns.
        for k in 0..<n {
            let i = all ? k : ids[k]
            widths[0] = max(widths[0], displayWidth(table.names[i]))
            let state = table.state(i)
            widths[1] = max(widths[1], state.rawValue.utf8.count)
            if let w = waits(table, i, state, now: now, pt: pt) { widths[2] = max(widths[2], w.count) }
            widths[3] = max(widths[3], outcomeWidth(table, i, scratch: scratch))
            widths[4] = max(widths[4], secondsWidth(table.tasks[i].created))
            widths[5] = max(widths[5], secondsWidth(table.tasks[i].started))
            widths[6] = max(widths[6], secondsWidth(table.tasks[i].finished))
        }
        // Pass 2: the rows, each cell padded to its column's width (the last three to the
        // right), two spaces apart. Padding is written only when something follows it on
        // the line: a row never ends in spaces, as `render` trims them.
        var line = Line(out: out)
        for (c, h) in header.enumerated() {
            if c > 0 { line.space(2) }
            let pad = widths[c] - h.count
            if c >= 4 { line.space(pad); line.text(h) } else { line.text(h); line.space(pad) }
        }
        line.end()
        for k in 0..<n {
            let i = all ? k : ids[k]
            let state = table.state(i)
            let name = table.names[i]
            line.text(name)
            line.space(widths[0] - displayWidth(name) + 2)
            line.text(state.rawValue)
            line.space(widths[1] - state.rawValue.utf8.count + 2)
            if let w = waits(table, i, state, now: now, pt: pt) {
                line.text(w)
                line.space(widths[2] - w.count + 2)
            } else {
                line.space(widths[2] + 2)
            }
            scratch.discard()
            if writeOutcome(table, i, into: scratch) {
                line.bytes(scratch)
                line.space(widths[3] - scratch.displayWidth)
            } else {
                line.space(widths[3])
            }
            line.space(2 + widths[4] - secondsWidth(table.tasks[i].created))
            line.seconds(table.tasks[i].created)
            line.space(2 + widths[5] - secondsWidth(table.tasks[i].started))
            line.seconds(table.tasks[i].started)
            line.space(2 + widths[6] - secondsWidth(table.tasks[i].finished))
            line.seconds(table.tasks[i].finished)
            line.end()
        }
    }

    /// The WAITING FOR cell, when the state waits for something.
    private static func waits(_ table: StatusFold.Table, _ i: Int, _ state: TaskState, now: Instant?, pt: Bool) -> String? {
        switch state {
        case .sleeping, .waiting, .inThread:
            let r = table.row(i)
            return waitsText(r, now: now, pt: pt)
        default:
            return nil
        }
    }

    /// The RESULT / ERROR cell's repr, if the task has one.
    private static func writeOutcome(_ table: StatusFold.Table, _ i: Int, into out: OutputBuffer) -> Bool {
        switch table.tasks[i].end {
        case .done(let v): out.writeRepr(v); return true
        case .failed(let e): out.writeRepr(e); return true
        default: return false
        }
    }

    /// The RESULT / ERROR cell's width: a plain string result (printable ASCII with no
    /// quote or backslash, as a task's own name is) is itself in quotes; anything else is
    /// measured on its repr, written into `scratch`.
    private static func outcomeWidth(_ table: StatusFold.Table, _ i: Int, scratch: OutputBuffer) -> Int {
        if case .done(.string(let s)) = table.tasks[i].end, let n = plainWidth(s) { return n + 2 }
        scratch.discard()
        return writeOutcome(table, i, into: scratch) ? scratch.displayWidth : 0
    }

    /// The length of `s` if its repr is `'s'`: printable ASCII with no quote or backslash.
    private static func plainWidth(_ s: String) -> Int? {
        var n = 0
        for b in s.utf8 {
            guard b >= 0x20 && b < 0x7F && b != 0x27 && b != 0x5C else { return nil }
            n += 1
        }
        return n
    }

    /// Characters of `s` (one a byte when it is ASCII, as names are).
    private static func displayWidth(_ s: String) -> Int {
        var n = 0
        for b in s.utf8 {
            if b >= 0x80 { return s.count }
            n += 1
        }
        return n
    }

    /// Characters of `formatSeconds(us)`, or of `-` when unset.
    private static func secondsWidth(_ us: Int64) -> Int {
        if us == StatusFold.Task.unset { return 1 }
        var whole = (us.magnitude + 500) / 1000 / 1000
        var digits = 1
        while whole >= 10 { whole /= 10; digits += 1 }
        return digits + 4 + (us < 0 ? 1 : 0)
    }

    /// One row being written: spaces wait until something follows them.
    private struct Line {
        let out: OutputBuffer
        var spaces = 0
        init(out: OutputBuffer) { self.out = out }
        mutating func space(_ n: Int) { spaces += n }
        private mutating func flushSpaces() {
            guard spaces > 0 else { return }
            out.reserve(spaces).initialize(repeating: 0x20, count: spaces)
            out.commit(spaces)
            spaces = 0
        }
        mutating func text(_ s: String) {
            if s.isEmpty { return }
            flushSpaces()
            out.write(s)
        }
        mutating func bytes(_ b: OutputBuffer) {
            if b.writtenCount == 0 { return }
            flushSpaces()
            b.withWritten { out.write(UnsafeRawBufferPointer($0)) }
        }
        mutating func seconds(_ us: Int64) {
            flushSpaces()
            if us == StatusFold.Task.unset { out.write(byte: UInt8(ascii: "-")) } else { out.writeSeconds(us) }
        }
        mutating func end() {
            spaces = 0
            out.write(byte: 10)
        }
    }

    static func waitsText(_ r: StatusRow, now: Instant?, pt: Bool) -> String {
        func t(_ i: Instant?) -> String { i.map { formatSeconds($0.microseconds) } ?? "-" }
        var waits = ""
        if let u = r.until {
            waits = (pt ? "timer em " : "timer at ") + t(u)
            if let now, now > u {
                waits += pt ? ", vencido há \(formatSeconds((now - u).microseconds))s" : ", \(formatSeconds((now - u).microseconds))s overdue"
            }
        }
        if let w = r.waitsFor { waits = "task \(w)" }
        if let q = r.queued {
            waits = q ? (pt ? "um worker livre (na fila)" : "a free worker (queued)") : (pt ? "sua thread" : "its thread")
        }
        return waits
    }

    /// `now` (the time of the `status` command) shows a timer that is already due as
    /// overdue: the loop is held, so the task cannot wake up yet.
    public static func render(_ rows: [StatusRow], style: TextStyle, now: Instant? = nil, language: Language = .english) -> String {
        let pt = language == .portuguese
        if rows.isEmpty { return pt ? "(nenhuma task)\n" : "(no tasks)\n" }
        let header = pt ? ["TASK", "ESTADO", "ESPERANDO", "RESULTADO / ERRO", "CRIADA", "INÍCIO", "FIM"]
                        : ["TASK", "STATE", "WAITING FOR", "RESULT / ERROR", "CREATED", "STARTED", "FINISHED"]
        func t(_ i: Instant?) -> String { i.map { formatSeconds($0.microseconds) } ?? "-" }
        let cells: [[String]] = rows.map { r in
            let waits = waitsText(r, now: now, pt: pt)
            let outcome = r.result?.repr ?? r.error?.repr ?? ""
            return [r.name, r.state.rawValue, waits, outcome, t(r.created), t(r.started), t(r.finished)]
        }
        var widths = header.map(\.count)
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        let rightAligned: Set<Int> = [4, 5, 6]
        func line(_ row: [String], colour: (Int, String) -> String) -> String {
            var parts: [String] = []
            for (i, c) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - c.count)
                parts.append(colour(i, rightAligned.contains(i) ? pad + c : c + pad))
            }
            return Script.trimTrailingSpace(parts.joined(separator: "  ")) + "\n"
        }
        var s = line(header) { _, c in style.bold(c) }
        for (k, row) in cells.enumerated() {
            s += line(row) { i, c in
                if i == 2 && c.contains(pt ? "vencido" : "overdue") { return style.red(c) }
                guard i == 1 else { return c }
                switch rows[k].state {
                case .done: return style.green(c)
                case .failed: return style.red(c)
                case .cancelled, .cancelling: return style.magenta(c)
                case .running: return style.yellow(c)
                default: return c
                }
            }
        }
        return s
    }
}
