/// `timeline`: every task's life on a time axis, drawn from the recorded events.
public struct TimelineRenderer {
    public struct Options: Sendable {
        public var width = 80
        public var ascii = false
        public init() {}
    }

    let options: Options
    public init(options: Options) { self.options = options }

    public func render(_ log: EventLog, now: Instant) -> String {
        // A first, plain picture: one row per task from created to finished.
        var rows: [(String, Instant, Instant?, String)] = []
        var index: [ObjectIdentifier: Int] = [:]
        for e in log.taskEvents {
            let id = ObjectIdentifier(e.task)
            if index[id] == nil {
                index[id] = rows.count
                rows.append((e.task.name, e.time, nil, ""))
            }
            let i = index[id]!
            switch e.kind {
            case .done: rows[i].2 = e.time; rows[i].3 = "done"
            case .failed: rows[i].2 = e.time; rows[i].3 = "failed"
            case .cancelled: rows[i].2 = e.time; rows[i].3 = "cancelled"
            default: break
            }
        }
        if rows.isEmpty { return "(no tasks yet)\n" }
        let end = max(now.microseconds, 1)
        let nameWidth = min(16, rows.map(\.0.count).max() ?? 4)
        let barWidth = max(10, options.width - nameWidth - 14)
        var s = ""
        for (name, start, finish, how) in rows {
            let a = Int(start.microseconds * Int64(barWidth) / end)
            let b = Int((finish ?? now).microseconds * Int64(barWidth) / end)
            var bar = Array(repeating: Character(" "), count: barWidth + 1)
            for k in a...max(a, min(b, barWidth)) { bar[k] = options.ascii ? "=" : "━" }
            let shownName = String(name.prefix(nameWidth))
            s += shownName + String(repeating: " ", count: nameWidth - shownName.count) + " |" + String(bar) + "| " + how + "\n"
        }
        return s
    }
}
