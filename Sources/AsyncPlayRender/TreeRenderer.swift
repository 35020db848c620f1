import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// `tree`: who awaits whom, as `python -m asyncio pstree` draws it: under each task, what
/// it awaits. Drawn from the latest `waiting` event of every task and main's latest
/// `blocked` event; an await cycle is named, since nothing in it can ever finish.
public struct TreeRenderer {
    public struct Options: Sendable {
        public var ascii = false
        public var language = Language.english
        public var style = TextStyle.plain
        /// Finished tasks listed by name at most; the rest are counted.
        public var maxFinishedListed = 20
        /// Trees (and tasks under a gather) drawn at most, and how deep a chain of awaits
        /// goes before it is cut: a picture of a million tasks is not read.
        public var maxRoots = 50
        public var maxDepth = 30
        public init() {}
    }

    let options: Options
    public init(options: Options = Options()) { self.options = options }

    private var pt: Bool { options.language == .portuguese }

    public func render(_ log: EventLog, now: Instant) -> String {
        let h = History(log, now: now)
        let style = options.style
        var s = ""

        // One pass over the lives: the live ones, and what each awaits (the task of its
        // latest `waiting` event); of the finished ones, only the count and the first few.
        var live: [TaskID] = []
        var finished: [TaskID] = []
        var finishedCount = 0
        var awaits: [TaskID: TaskID] = [:]
        var awaited = Set<TaskID>()
        for id in h.order {
            if h.isFinished(id) {
                finishedCount += 1
                if finished.count < options.maxFinishedListed { finished.append(id) }
                continue
            }
            live.append(id)
            if case .waiting(let target)? = h.currentPhase(of: id)?.kind, h.hasLife(target) {
                awaits[id] = target
                awaited.insert(target)
            }
        }

        // Main first: what it is doing, and what it awaits if it is blocked.
        var underMain: [TaskID] = []
        var mainLine = ""
        let lastMain = h.main.last
        switch lastMain?.kind {
        case .blocked(let awaiting)?:
            let text = h.command(line: awaiting.line, keyword: awaiting.command) ?? awaiting.command
            mainLine = (pt ? "bloqueada em `\(text)` (linha \(awaiting.line))" : "blocked in `\(text)` (line \(awaiting.line))")
            // What main awaits, as its blocked event names it (not read back from the text).
            underMain = awaiting.tasks.filter { h.hasLife($0) }
        case .holding(let d, let command)?:
            mainLine = pt ? "segura o loop por \(formatSeconds(d.microseconds))s (\(command.rawValue))"
                          : "holds the loop for \(formatSeconds(d.microseconds))s (\(command.rawValue))"
        default:
            if let input = h.lastInput {
                let (line, text) = (input.line, input.text)
                mainLine = pt ? "rodando a linha \(line) (`\(text)`): não espera nada" : "running line \(line) (`\(text)`): awaits nothing"
            } else {
                mainLine = pt ? "não espera nada" : "awaits nothing"
            }
        }
        s += style.bold("main") + "  " + mainLine + "\n"
        if !underMain.isEmpty, case .blocked(let awaiting)? = lastMain?.kind {
            // gather and wait are futures of their own between main and the tasks.
            if awaiting.kind == .gather || awaiting.kind == .wait {
                s += connector(last: true, prefix: "") + style.cyan(awaiting.command) + "\n"
                draw(underMain, prefix: continuation(last: true, prefix: ""), awaits: awaits, h: h, path: [], into: &s)
            } else {
                draw(underMain, prefix: "", awaits: awaits, h: h, path: [], into: &s)
            }
        }

        // Then every live task nobody awaits, with what it awaits below it.
        let shown = Set(underMain)
        let roots = live.filter { !awaited.contains($0) && !shown.contains($0) }
        for id in roots.prefix(options.maxRoots) {
            guard let root = h.life(of: id) else { continue }
            s += node(root, h) + "\n"
            if let next = awaits[id] {
                draw([next], prefix: "", awaits: awaits, h: h, path: [id], into: &s)
            }
        }

        if roots.count > options.maxRoots {
            s += style.dim(pt ? "… e mais \(roots.count - options.maxRoots) tasks que ninguém aguarda" : "… and \(roots.count - options.maxRoots) more tasks nobody awaits") + "\n"
        }

        // Cycles: tasks that await each other in a ring are no one's root. Each task is
        // walked from once: a chain already explored is not walked again.
        var inCycle = Set<TaskID>()
        var explored = Set<TaskID>()
        for start in live where !explored.contains(start) {
            var path: [TaskID] = []
            var seen: [TaskID: Int] = [:]
            var cur: TaskID? = start
            while let id = cur, !h.isFinished(id) {
                if seen[id] == nil && !explored.insert(id).inserted { break }
                if let first = seen[id] {
                    let ring = Array(path[first...])
                    if !ring.contains(where: { inCycle.contains($0) }) {
                        for r in ring { inCycle.insert(r) }
                        let names = (ring + [ring[0]]).map { h.name(of: $0) }.joined(separator: options.ascii ? " -> " : " → ")
                        s += style.red(pt ? "ciclo: \(names)" : "cycle: \(names)") + "\n"
                        s += style.dim(pt ? "  cada uma espera a próxima: nenhuma pode terminar (um deadlock; o CPython ficaria parado para sempre)"
                                          : "  each awaits the next: none can ever finish (a deadlock; CPython would hang forever)") + "\n"
                    }
                    break
                }
                seen[id] = path.count
                path.append(id)
                cur = awaits[id]
            }
        }

        if h.order.isEmpty {
            s += style.dim(pt ? "(nenhuma task neste loop)" : "(no tasks in this loop)") + "\n"
        } else if roots.isEmpty && underMain.isEmpty && inCycle.isEmpty {
            s += style.dim(pt ? "(nenhuma task viva: ninguém espera ninguém)" : "(no live tasks: nobody awaits anybody)") + "\n"
        }
        if finishedCount > 0 {
            let listed = finished.compactMap { h.life(of: $0) }.map { $0.name + " " + mark($0) }
            var line = (pt ? "terminadas: " : "finished: ") + listed.joined(separator: "  ")
            if finishedCount > options.maxFinishedListed {
                line += pt ? "  … e mais \(finishedCount - options.maxFinishedListed)" : "  … and \(finishedCount - options.maxFinishedListed) more"
            }
            s += style.dim(line) + "\n"
        }
        return s
    }

    /// Draws `lives` as children at `prefix`, each followed by what it awaits.
    private func draw(_ all: [TaskID], prefix: String, awaits: [TaskID: TaskID],
                      h: History, path: [TaskID], into s: inout String) {
        if path.count >= options.maxDepth {
            s += connector(last: true, prefix: prefix) + options.style.dim(pt ? "… (a corrente continua)" : "… (the chain goes on)") + "\n"
            return
        }
        let lives = all.prefix(options.maxRoots)
        for (i, id) in lives.enumerated() {
            let last = i == lives.count - 1 && all.count <= options.maxRoots
            guard let life = h.life(of: id) else { continue }
            if path.contains(id) {
                s += connector(last: last, prefix: prefix) + life.name + "  " + options.style.red(pt ? "↺ ciclo" : "↺ cycle") + "\n"
                continue
            }
            s += connector(last: last, prefix: prefix) + node(life, h) + "\n"
            if let next = awaits[id] {
                draw([next], prefix: continuation(last: last, prefix: prefix), awaits: awaits, h: h, path: path + [id], into: &s)
            }
        }
        if all.count > options.maxRoots {
            s += connector(last: true, prefix: prefix) + options.style.dim(pt ? "… e mais \(all.count - options.maxRoots)" : "… and \(all.count - options.maxRoots) more") + "\n"
        }
    }

    private func connector(last: Bool, prefix: String) -> String {
        prefix + (options.ascii ? (last ? "`-- " : "|-- ") : (last ? "└── " : "├── "))
    }

    private func continuation(last: Bool, prefix: String) -> String {
        prefix + (last ? "    " : (options.ascii ? "|   " : "│   "))
    }

    /// `NAME  what it does now`.
    private func node(_ life: History.Life, _ h: History) -> String {
        let style = options.style
        if life.isFinished { return life.name + "  " + mark(life) }
        var what: String
        switch life.currentPhase?.kind {
        case .sleeping(let until, _)?: what = pt ? "dormindo até \(formatSeconds(until.microseconds))" : "sleeping until \(formatSeconds(until.microseconds))"
        case .waiting(let target)?: what = pt ? "esperando \(h.name(of: target))" : "waiting for \(h.name(of: target))"
        case .inThread(let step)?:
            // A job takes exactly its duration once a worker has it.
            if let began = life.job(handedOverAt: life.currentPhaseIndex!).started {
                let ends = began + step
                what = pt ? "numa thread até \(formatSeconds(ends.microseconds))" : "in a thread until \(formatSeconds(ends.microseconds))"
            } else {
                what = pt ? "na fila por um worker livre" : "queued for a free worker"
            }
        case .started?, .holding?: what = pt ? "rodando" : "running"
        default: what = pt ? "pendente (ainda não começou)" : "pending (not started yet)"
        }
        if h.cancelTime(of: life) != nil { what = (pt ? "cancelando, " : "cancelling, ") + what }
        return life.name + "  " + style.dim(what)
    }

    private func mark(_ life: History.Life) -> String {
        let style = options.style
        guard let f = life.final else { return "" }
        switch f.kind {
        case .done(let v): return style.green((options.ascii ? "done " : "✓ ") + v.repr)
        case .failed(let e): return style.red((options.ascii ? "failed " : "✗ ") + e.repr)
        default: return style.magenta((options.ascii ? "" : "⊘ ") + (pt ? "cancelada" : "cancelled"))
        }
    }
}
