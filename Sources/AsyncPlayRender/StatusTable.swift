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
        let ids: [Int]
        if let tasks { ids = tasks.map(\.index).filter { $0 >= 0 && $0 < fold.count } } else { ids = [] }
        let all = tasks == nil
        let n = all ? fold.count : ids.count
        let pt = language == .portuguese
        if n == 0 { out.write(pt ? "(nenhuma task)\n" : "(no tasks)\n"); return }
        let header = pt ? ["TASK", "ESTADO", "ESPERANDO", "RESULTADO / ERRO", "CRIADA", "INÍCIO", "FIM"]
                        : ["TASK", "STATE", "WAITING FOR", "RESULT / ERROR", "CREATED", "STARTED", "FINISHED"]
        var widths = header.map(\.count)
        let scratch = OutputBuffer()
        // Pass 1: the widths of the columns.
        for k in 0..<n {
            let i = all ? k : ids[k]
            widths[0] = max(widths[0], displayWidth(fold.tasks[i].name))
            let state = fold.state(i)
            widths[1] = max(widths[1], state.rawValue.utf8.count)
            if let w = waits(fold, i, state, now: now, pt: pt) { widths[2] = max(widths[2], w.count) }
            scratch.discard()
            if writeOutcome(fold, i, into: scratch) { widths[3] = max(widths[3], scratch.displayWidth) }
            widths[4] = max(widths[4], secondsWidth(fold.tasks[i].created))
            widths[5] = max(widths[5], secondsWidth(fold.tasks[i].started))
            widths[6] = max(widths[6], secondsWidth(fold.tasks[i].finished))
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
            let t = fold.tasks[i]
            let state = fold.state(i)
            line.text(t.name)
            line.space(widths[0] - displayWidth(t.name) + 2)
            line.text(state.rawValue)
            line.space(widths[1] - state.rawValue.utf8.count + 2)
            if let w = waits(fold, i, state, now: now, pt: pt) {
                line.text(w)
                line.space(widths[2] - w.count + 2)
            } else {
                line.space(widths[2] + 2)
            }
            scratch.discard()
            if writeOutcome(fold, i, into: scratch) {
                line.bytes(scratch)
                line.space(widths[3] - scratch.displayWidth)
            } else {
                line.space(widths[3])
            }
            for (c, us) in [(4, t.created), (5, t.started), (6, t.finished)] {
                line.space(2 + widths[c] - secondsWidth(us))
                line.seconds(us)
            }
            line.end()
        }
    }

    /// The WAITING FOR cell, when the state waits for something.
    private static func waits(_ fold: StatusFold, _ i: Int, _ state: TaskState, now: Instant?, pt: Bool) -> String? {
        switch state {
        case .sleeping, .waiting, .inThread:
            let r = fold.row(i)
            return waitsText(r, now: now, pt: pt)
        default:
            return nil
        }
    }

    /// The RESULT / ERROR cell's repr, if the task has one.
    private static func writeOutcome(_ fold: StatusFold, _ i: Int, into out: OutputBuffer) -> Bool {
        switch fold.tasks[i].end {
        case .done(let v): out.writeRepr(v); return true
        case .failed(let e): out.writeRepr(e); return true
        default: return false
        }
    }

    /// Characters of `s` (one a byte when it is ASCII, as names are).
    private static func displayWidth(_ s: String) -> Int {
        var ascii = true
        var n = 0
        for b in s.utf8 { n += 1; if b >= 0x80 { ascii = false; break } }
        return ascii ? n : s.count
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
            while spaces > 0 { out.write(byte: 0x20); spaces -= 1 }
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
