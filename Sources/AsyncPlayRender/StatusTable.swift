import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// `status`: one row per task, columns a learner reads at a glance — the state, what the
/// task waits for (a timer, a task, a worker), its result or exception, and its times.
public enum StatusTable {
    /// `now` (the time of the `status` command) shows a timer that is already due as
    /// overdue: the loop is held, so the task cannot wake up yet.
    public static func render(_ rows: [StatusRow], style: TextStyle, now: Instant? = nil, language: Language = .english) -> String {
        let pt = language == .portuguese
        if rows.isEmpty { return pt ? "(nenhuma task)\n" : "(no tasks)\n" }
        let header = pt ? ["TASK", "ESTADO", "ESPERANDO", "RESULTADO / ERRO", "CRIADA", "INÍCIO", "FIM"]
                        : ["TASK", "STATE", "WAITING FOR", "RESULT / ERROR", "CREATED", "STARTED", "FINISHED"]
        func t(_ i: Instant?) -> String { i.map { formatSeconds($0.microseconds) } ?? "-" }
        let cells: [[String]] = rows.map { r in
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
