import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// `timeline --svg FILE`: the same picture as the terminal's, as a standalone SVG for
/// slides. Spans are drawn at their exact times (no columns). The library only builds the
/// text; whoever asked for the file writes it.
extension TimelineRenderer {
    public func svg(_ log: EventLog, now: Instant) -> String {
        let pic = picture(log, now: now)
        let pt = options.language == .portuguese
        let end = max(pic.end.microseconds, 1)

        let left = 150.0, right = 100.0, top = 58.0, rowHeight = 26.0
        let barWidth = 720.0
        let width = left + barWidth + right
        let legendTop = top + Double(pic.rows.count) * rowHeight + 18
        let legendItems = legendEntries(pic)
        let legendRows = (legendItems.count + 1) / 2
        let height = legendTop + Double(legendRows) * 22 + 16

        func x(_ t: Instant) -> Double { left + barWidth * Double(t.microseconds) / Double(end) }
        func n(_ v: Double) -> String {
            let r = (v * 10).rounded() / 10
            return r == r.rounded() ? String(Int(r)) : String(r)
        }

        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" viewBox="0 0 \(n(width)) \(n(height))" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="13">
        <rect width="100%" height="100%" fill="#ffffff"/>
        <text x="\(n(left))" y="20" font-weight="bold">\(Svg.escape(pt ? "linha do tempo" : "timeline")): 0 → \(formatSeconds(pic.end.microseconds))s</text>

        """
        // The axis: a tick and a label every round number of seconds.
        let axis = Axis(end: end, cells: Int(barWidth / 8))
        s += "<line x1=\"\(n(left))\" y1=\"\(n(top - 8))\" x2=\"\(n(left + barWidth))\" y2=\"\(n(top - 8))\" stroke=\"#999\"/>\n"
        for t in axis.ticks {
            let tx = x(Instant(microseconds: t))
            s += "<line x1=\"\(n(tx))\" y1=\"\(n(top - 12))\" x2=\"\(n(tx))\" y2=\"\(n(top + Double(pic.rows.count) * rowHeight))\" stroke=\"#e6e6e6\"/>\n"
            s += "<text x=\"\(n(tx))\" y=\"\(n(top - 16))\" text-anchor=\"middle\" fill=\"#555\">\(Axis.seconds(t))s</text>\n"
        }
        for (i, row) in pic.rows.enumerated() {
            let y = top + Double(i) * rowHeight
            let mid = y + rowHeight / 2
            let weight = row.kind == .task ? "" : " font-weight=\"bold\""
            s += "<text x=\"\(n(left - 10))\" y=\"\(n(mid + 4))\" text-anchor=\"end\"\(weight)>\(Svg.escape(row.label))</text>\n"
            for span in row.spans {
                let (h, fill, extra) = Svg.look(span.phase)
                let x0 = x(span.start), x1 = max(x(span.end), x0 + 1)
                s += "<rect x=\"\(n(x0))\" y=\"\(n(mid - h / 2))\" width=\"\(n(x1 - x0))\" height=\"\(n(h))\" fill=\"\(fill)\"\(extra)><title>\(Svg.escape(row.label)): \(Svg.escape(TimelineRenderer.meaning(span.phase, options.language))) \(formatSeconds(span.start.microseconds))–\(formatSeconds(span.end.microseconds))s</title></rect>\n"
                if let label = span.label, Double(label.count) * 7.8 + 8 < x1 - x0 {
                    s += "<text x=\"\(n(x0 + 4))\" y=\"\(n(mid + 4))\" fill=\"\(span.phase == .running ? "#3b2a00" : "#0b4f5c")\" font-size=\"12\">\(Svg.escape(label))</text>\n"
                }
            }
            if let m = row.mark {
                let (glyph, colour) = Svg.mark(m.mark)
                s += "<text x=\"\(n(x(m.time)))\" y=\"\(n(mid + 5))\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\" fill=\"\(colour)\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">\(glyph)</text>\n"
            }
            if !row.state.isEmpty {
                s += "<text x=\"\(n(left + barWidth + 16))\" y=\"\(n(mid + 4))\" fill=\"#555\">\(Svg.escape(row.state))</text>\n"
            }
        }
        if pic.hiddenTasks > 0 {
            s += "<text x=\"\(n(left))\" y=\"\(n(legendTop - 4))\" fill=\"#777\">\(Svg.escape(pt ? "… e mais \(pic.hiddenTasks) tasks" : "… and \(pic.hiddenTasks) more tasks"))</text>\n"
        }
        for (k, item) in legendItems.enumerated() {
            let lx = 20 + Double(k % 2) * (width - 40) / 2
            let ly = legendTop + Double(k / 2) * 22 + 10
            switch item {
            case .phase(let p):
                let (h, fill, extra) = Svg.look(p)
                s += "<rect x=\"\(n(lx))\" y=\"\(n(ly - h / 2))\" width=\"26\" height=\"\(n(h))\" fill=\"\(fill)\"\(extra)/>\n"
                s += "<text x=\"\(n(lx + 34))\" y=\"\(n(ly + 4))\" font-size=\"12\">\(Svg.escape(TimelineRenderer.meaning(p, options.language)))</text>\n"
            case .mark(let m):
                let (glyph, colour) = Svg.mark(m)
                s += "<text x=\"\(n(lx + 13))\" y=\"\(n(ly + 5))\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\" fill=\"\(colour)\">\(glyph)</text>\n"
                s += "<text x=\"\(n(lx + 34))\" y=\"\(n(ly + 4))\" font-size=\"12\">\(Svg.escape(TimelineRenderer.meaning(m, options.language)))</text>\n"
            }
        }
        return s + "</svg>\n"
    }

    enum LegendItem {
        case phase(History.Phase)
        case mark(Mark)
    }

    private func legendEntries(_ pic: Picture) -> [LegendItem] {
        var phases = Set<History.Phase>()
        var marks: [Mark] = []
        for row in pic.rows {
            for s in row.spans { phases.insert(s.phase) }
            if let m = row.mark?.mark, !marks.contains(m) { marks.append(m) }
        }
        let order: [Mark] = [.done, .failed, .cancelled]
        return History.Phase.allCases.filter(phases.contains).map(LegendItem.phase)
            + order.filter(marks.contains).map(LegendItem.mark)
    }
}

enum Svg {
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Bar height, fill and extra attributes of a phase: holding the loop is a full
    /// block; sleeping and waiting are thin lines, as in the terminal.
    static func look(_ p: History.Phase) -> (Double, String, String) {
        switch p {
        case .pending: return (4, "#c8c8c8", "")
        case .running: return (18, "#f0a500", "")
        case .sleeping: return (6, "#3b7dd8", "")
        case .late: return (12, "#d9534f", " fill-opacity=\"0.55\"")
        case .waiting: return (6, "#17a2b8", " fill-opacity=\"0.8\"")
        case .queued: return (6, "#9a9a9a", " fill-opacity=\"0.6\"")
        case .thread: return (10, "#6f42c1", "")
        case .cancelling: return (12, "#e83e8c", "")
        case .orphanThread: return (10, "#6f42c1", " fill-opacity=\"0.25\"")
        }
    }

    static func mark(_ m: TimelineRenderer.Mark) -> (String, String) {
        switch m {
        case .done: return ("✓", "#1e8e3e")
        case .failed: return ("✗", "#d93025")
        case .cancelled: return ("⊘", "#b0287a")
        }
    }
}
