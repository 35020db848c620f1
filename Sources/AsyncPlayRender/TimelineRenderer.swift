import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// `timeline`: every task's life on a time axis, drawn from the recorded events.
///
/// One row per task (pending, sleeping, waiting, in a thread, running on the loop, late,
/// cancelling, and a mark where it ended), main's own row, and a row that says who held
/// the loop when. Two lessons must be visible at a glance: concurrent sleeps overlap
/// (rows side by side), and a `cpu` step freezes everything (the loop row is full and
/// every other row turns "late" underneath it).
public struct TimelineRenderer {
    public struct Options: Sendable {
        /// Columns of the whole picture: the terminal's width in the shell, 80 in transcripts.
        public var width = 80
        public var ascii = false
        public var language = Language.english
        public var style = TextStyle.plain
        /// Task rows drawn at most; the others are counted under the picture.
        public var maxRows = 100
        public init() {}
    }

    let options: Options
    public init(options: Options) { self.options = options }

    // MARK: - Model

    /// The glyph and colour of each phase, and of the marks where a task ended.
    struct Glyphs {
        let ascii: Bool
        func phase(_ p: History.Phase) -> Character {
            switch p {
            case .pending: return ascii ? "." : "·"
            case .running: return ascii ? "#" : "█"
            case .sleeping: return ascii ? "-" : "─"
            case .late: return ascii ? "!" : "▒"
            case .waiting: return ascii ? "~" : "╌"
            case .queued: return ascii ? "_" : "┈"
            case .thread: return ascii ? "=" : "═"
            case .cancelling: return ascii ? "x" : "╳"
            case .orphanThread: return ascii ? "+" : "░"
            }
        }
        func mark(_ m: Mark) -> Character {
            switch m {
            case .done: return ascii ? "D" : "✓"
            case .failed: return ascii ? "F" : "✗"
            case .cancelled: return ascii ? "C" : "⊘"
            }
        }
        var tick: Character { ascii ? "+" : "┼" }
        var firstTick: Character { ascii ? "+" : "├" }
        var lastTick: Character { ascii ? "+" : "┤" }
        var rule: Character { ascii ? "-" : "─" }
        var arrow: String { ascii ? "->" : "→" }
        var ellipsis: String { ascii ? "~" : "…" }
    }

    enum Mark { case done, failed, cancelled }

    struct Row {
        enum Kind { case main, loop, task }
        let kind: Kind
        let label: String
        let spans: [History.Span]
        let mark: (time: Instant, mark: Mark)?
        /// The state word at the right: the final state, or what the task does now.
        let state: String
    }

    struct Picture {
        let rows: [Row]
        let end: Instant
        let hiddenTasks: Int
        let dropped: Int
    }

    func picture(_ log: EventLog, now: Instant) -> Picture {
        let h = History(log, now: now)
        var rows: [Row] = []
        let pt = options.language == .portuguese
        rows.append(Row(kind: .main, label: "main", spans: h.mainSpans(), mark: nil, state: ""))
        rows.append(Row(kind: .loop, label: pt ? "loop ocupado por" : "loop held by", spans: h.holds, mark: nil, state: ""))
        let (shown, count) = h.firstLives(options.maxRows)
        for life in shown {
            var mark: (Instant, Mark)? = nil
            var state = ""
            if let f = life.final {
                switch f.kind {
                case .done: mark = (f.time, .done); state = TaskState.done.rawValue
                case .failed: mark = (f.time, .failed); state = TaskState.failed.rawValue
                default: mark = (f.time, .cancelled); state = TaskState.cancelled.rawValue
                }
            } else {
                state = TimelineRenderer.currentState(life, h).rawValue
            }
            rows.append(Row(kind: .task, label: life.name, spans: h.spans(of: life), mark: mark, state: state))
        }
        return Picture(rows: rows, end: h.end, hiddenTasks: max(0, count - options.maxRows), dropped: h.dropped)
    }

    /// The state of an unfinished task, from its latest events.
    static func currentState(_ life: History.Life, _ h: History) -> TaskState {
        if h.cancelTime(of: life) != nil { return .cancelling }
        switch life.currentPhase?.kind {
        case .sleeping?: return .sleeping
        case .waiting?: return .waiting
        case .inThread?: return .inThread
        case .started?, .holding?: return .running
        default: return .pending
        }
    }

    // MARK: - Text

    public func render(_ log: EventLog, now: Instant) -> String {
        let pic = picture(log, now: now)
        let pt = options.language == .portuguese
        let g = Glyphs(ascii: options.ascii)
        let style = options.style
        let taskRows = pic.rows.filter { $0.kind == .task }
        let mainActive = pic.rows.contains { $0.kind != .task && !$0.spans.isEmpty }
        if taskRows.isEmpty && !mainActive {
            return pt ? "(nada para desenhar ainda: nenhuma task foi criada neste loop)\n"
                      : "(nothing to draw yet: no task was created in this loop)\n"
        }
        let labelWidth = min(16, pic.rows.map(\.label.count).max() ?? 4)
        let stateWidth = options.width >= 60 ? TaskState.cancelling.rawValue.count : 0
        // Columns 0..<columns: column c shows [c·end/(columns-1), (c+1)·end/(columns-1)); the
        // last column is the instant `end` itself, where the marks of the latest endings go.
        let columns = max(12, options.width - labelWidth - 2 - (stateWidth > 0 ? stateWidth + 1 : 0))
        let cells = columns - 1
        let end = pic.end.microseconds
        var s = ""

        let perColumn = end > 0 ? (end + Int64(cells) / 2) / Int64(cells) : 0
        let title = pt ? "linha do tempo" : "timeline"
        if end == 0 {
            s += style.bold(title) + (pt ? ": nenhum tempo passou ainda (tudo em t = 0.000)" : ": no time has passed yet (everything at t = 0.000)") + "\n"
        } else {
            let unit = perColumn >= 1000 ? formatSeconds(perColumn) : Axis.seconds(perColumn)
            s += style.bold(title) + ": 0 \(g.arrow) \(formatSeconds(end))s, " + (pt ? "1 coluna ≈ " : "1 column ≈ ") + unit + "s\n"
        }
        let indent = String(repeating: " ", count: labelWidth + 2)
        if end > 0 {
            let axis = Axis(end: end, cells: cells)
            s += indent + axis.labels(columns: columns) + "\n"
            s += indent + style.dim(axis.rule(columns: columns, glyphs: g)) + "\n"
        }
        var used = Set<History.Phase>()
        var marks = Set<String>()
        for row in pic.rows {
            var cellsOf = rasterize(row.spans, end: end, cells: cells)
            var glyphs = cellsOf.map { $0.map(g.phase).map { String($0) } ?? " " }
            for p in cellsOf.compactMap({ $0 }) { used.insert(p) }
            // Labels inside main's and the loop's spans, where they fit.
            if row.kind != .task {
                for span in row.spans {
                    guard let label = span.label else { continue }
                    // The first run of columns that shows this span, if the label fits in it.
                    let a = column(of: span.start, end: end, cells: cells)
                    let b = min(cells, column(of: span.end, end: end, cells: cells))
                    var c = a
                    while c < b {
                        guard cellsOf[c] == span.phase else { c += 1; continue }
                        var d = c
                        while d < b && cellsOf[d] == span.phase { d += 1 }
                        if d - c >= label.count + 1 {
                            for (k, ch) in label.enumerated() { glyphs[c + k] = String(ch) }
                            break
                        }
                        c = d
                    }
                }
            }
            if let m = row.mark {
                let c = column(of: m.time, end: end, cells: cells)
                glyphs[c] = String(g.mark(m.mark))
                cellsOf[c] = nil
                marks.insert(m.mark == .done ? "done" : m.mark == .failed ? "failed" : "cancelled")
            }
            var label = row.label
            if label.count > labelWidth { label = String(label.prefix(labelWidth - 1)) + g.ellipsis }
            let pad = String(repeating: " ", count: labelWidth - label.count)
            var line = (row.kind == .task ? label : style.bold(label)) + pad + "  "
            line += colour(glyphs, cellsOf, mark: row.mark?.mark)
            if stateWidth > 0 && !row.state.isEmpty { line += " " + stateColour(row.state) }
            s += Script.trimTrailingSpace(line) + "\n"
        }
        if pic.hiddenTasks > 0 {
            s += style.dim(pt ? "… e mais \(pic.hiddenTasks) tasks que não cabem aqui" : "… and \(pic.hiddenTasks) more tasks not shown") + "\n"
        }
        if pic.dropped > 0 {
            s += style.dim(pt ? "(os \(pic.dropped) eventos mais antigos foram descartados)" : "(the oldest \(pic.dropped) events were dropped)") + "\n"
        }
        s += legend(used: used, marks: marks)
        return s
    }

    /// Which phase each column shows: the one that covers most of it, with short but
    /// telling phases (holding the loop, late, cancelling) weighted up so they stay visible.
    func rasterize(_ spans: [History.Span], end: Int64, cells: Int) -> [History.Phase?] {
        var out = [History.Phase?](repeating: nil, count: cells + 1)
        guard end > 0 else { return out }
        var weights = [Int64](repeating: 0, count: History.Phase.allCases.count)
        var k = 0
        for c in 0..<cells {
            let a = end * Int64(c) / Int64(cells)
            let b = end * Int64(c + 1) / Int64(cells)
            for i in weights.indices { weights[i] = 0 }
            while k < spans.count && spans[k].end.microseconds <= a { k += 1 }
            var j = k
            while j < spans.count && spans[j].start.microseconds < b {
                let overlap = min(b, spans[j].end.microseconds) - max(a, spans[j].start.microseconds)
                if overlap > 0 { weights[spans[j].phase.rawValue] += overlap * weight(spans[j].phase) }
                j += 1
            }
            var best: Int? = nil
            for i in weights.indices where weights[i] > 0 && (best == nil || weights[i] > weights[best!]) { best = i }
            out[c] = best.flatMap { History.Phase(rawValue: $0) }
        }
        return out
    }

    private func weight(_ p: History.Phase) -> Int64 {
        switch p {
        case .running: return 12
        case .late, .cancelling: return 6
        case .pending: return 1
        default: return 2
        }
    }

    func column(of t: Instant, end: Int64, cells: Int) -> Int {
        guard end > 0 else { return 0 }
        return Int(min(Int64(cells), max(0, t.microseconds) * Int64(cells) / end))
    }

    private func colour(_ glyphs: [String], _ phases: [History.Phase?], mark: Mark?) -> String {
        let style = options.style
        guard style.color else { return glyphs.joined() }
        var s = ""
        var i = 0
        while i < glyphs.count {
            var j = i + 1
            while j < glyphs.count && phases[j] == phases[i] && (phases[i] != nil || glyphs[j] == " ") { j += 1 }
            let text = glyphs[i..<j].joined()
            if let p = phases[i] {
                s += paint(p, text)
            } else if text.first != " ", let mark {
                s += mark == .done ? style.green(text) : mark == .failed ? style.red(text) : style.magenta(text)
            } else {
                s += text
            }
            i = j
        }
        return s
    }

    private func paint(_ p: History.Phase, _ text: String) -> String {
        let style = options.style
        switch p {
        case .pending, .queued, .orphanThread: return style.dim(text)
        case .running: return style.yellow(text)
        case .sleeping, .thread: return style.blue(text)
        case .late: return style.red(text)
        case .waiting: return style.cyan(text)
        case .cancelling: return style.magenta(text)
        }
    }

    private func stateColour(_ state: String) -> String {
        let style = options.style
        switch state {
        case "done": return style.green(state)
        case "failed": return style.red(state)
        case "cancelled", "cancelling": return style.magenta(state)
        default: return state
        }
    }

    /// Only what the picture uses, wrapped to the width.
    func legend(used: Set<History.Phase>, marks: Set<String>) -> String {
        let g = Glyphs(ascii: options.ascii)
        let style = options.style
        // (what is shown, how many columns it takes)
        var items: [(String, Int)] = []
        for p in History.Phase.allCases where used.contains(p) {
            let text = " " + TimelineRenderer.meaning(p, options.language)
            items.append((paint(p, String(g.phase(p))) + text, 1 + text.count))
        }
        for (m, word) in [(Mark.done, "done"), (.failed, "failed"), (.cancelled, "cancelled")] where marks.contains(word) {
            let glyph = String(g.mark(m))
            let shown = m == .done ? style.green(glyph) : m == .failed ? style.red(glyph) : style.magenta(glyph)
            let text = " " + TimelineRenderer.meaning(m, options.language)
            items.append((shown + text, 1 + text.count))
        }
        if items.isEmpty { return "" }
        var s = ""
        var line = ""
        var columns = 0
        for (item, width) in items {
            if columns > 0 && columns + 3 + width > options.width {
                s += line + "\n"
                line = ""
                columns = 0
            }
            line += (columns == 0 ? "" : "   ") + item
            columns += (columns == 0 ? 0 : 3) + width
        }
        return s + line + "\n"
    }

    static func meaning(_ p: History.Phase, _ language: Language) -> String {
        let pt = language == .portuguese
        switch p {
        case .pending: return pt ? "criada, ainda não começou" : "created, not started"
        case .running: return pt ? "rodando: segura o loop" : "running: holds the loop"
        case .sleeping: return pt ? "dormindo" : "sleeping"
        case .late: return pt ? "atrasada: pronta, mas o loop está ocupado" : "late: ready, but the loop is held"
        case .waiting: return pt ? "esperando (uma task; main: um comando)" : "waiting (for a task; main: in a command)"
        case .queued: return pt ? "na fila por um worker" : "queued for a worker"
        case .thread: return pt ? "numa thread" : "in a thread"
        case .cancelling: return pt ? "cancelando" : "cancelling"
        case .orphanThread: return pt ? "worker ainda ocupado (threads não se cancelam)" : "worker still busy (threads cannot be cancelled)"
        }
    }

    static func meaning(_ m: Mark, _ language: Language) -> String {
        let pt = language == .portuguese
        switch m {
        case .done: return pt ? "concluída" : "done"
        case .failed: return pt ? "falhou" : "failed"
        case .cancelled: return pt ? "cancelada" : "cancelled"
        }
    }
}

/// The time axis: ticks at round numbers of seconds, at least 8 columns apart.
struct Axis {
    let end: Int64
    let cells: Int
    let step: Int64

    init(end: Int64, cells: Int) {
        self.end = end
        self.cells = cells
        var step: Int64 = 1
        var k = 0
        let multipliers: [Int64] = [1, 2, 5]
        // The smallest 1-2-5 step (in µs) whose ticks land at least 8 columns apart.
        while step * Int64(cells) < 8 * end {
            k += 1
            var p: Int64 = 1
            for _ in 0..<(k / 3) { p *= 10 }
            step = multipliers[k % 3] * p
        }
        self.step = step
    }

    func column(_ t: Int64) -> Int { Int(t * Int64(cells) / end) }

    var ticks: [Int64] {
        var out: [Int64] = []
        var t: Int64 = 0
        while t <= end { out.append(t); t += step }
        return out
    }

    func labels(columns: Int) -> String {
        var line = [Character](repeating: " ", count: columns + 8)
        var free = 0
        let all = ticks
        for t in all {
            let text = Axis.seconds(t) + "s"
            let c = column(t)
            guard c >= free, c + text.count <= columns + 1 else { continue }
            for (k, ch) in text.enumerated() { line[c + k] = ch }
            free = c + text.count + 1
        }
        return Script.trimTrailingSpace(String(line))
    }

    func rule(columns: Int, glyphs g: TimelineRenderer.Glyphs) -> String {
        var line = [Character](repeating: g.rule, count: columns)
        for t in ticks { line[min(columns - 1, column(t))] = g.tick }
        line[0] = g.firstTick
        line[columns - 1] = g.lastTick
        return String(line)
    }

    /// Seconds as a tick label: `0`, `0.5`, `1`, `0.025`, `0.000001`.
    static func seconds(_ us: Int64) -> String { formatShortSeconds(us) }
}
