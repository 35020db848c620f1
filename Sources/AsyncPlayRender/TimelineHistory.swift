import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// Every task's life, and main's, read from the recorded events alone: what `timeline`,
/// `tree` and `why` draw: a pure function of the records up to an instant. A task is
/// known by the facts its events carry (its ID, the name and line its `created` event
/// gave, when a worker took and finished its thread job).
///
/// Nothing is rebuilt for every task: a view reads the lives it draws through the log's
/// per-task chains of events (`life(of:)`, each built once per view), and the few things
/// it needs of every task (the order of the lives, whether each ended, what each does
/// now) from light queries on those chains.
final class History {
    /// One task: its kept events in order, and what they add up to.
    struct Life {
        let id: TaskID
        /// The line whose `spawn` created the task.
        private let createdLine: Int32
        let name: String
        var events: [TaskEvent] = []
        /// Where each event stands among all the task events of the loop.
        var positions: [Int] = []
        var line: Int { Int(createdLine) }
        /// When its first kept event happened: its creation, unless the oldest events
        /// were dropped past the limit.
        var created: Instant { events[0].time }

        init(id: TaskID, info: TaskInfo, events: [TaskEvent], positions: [Int]) {
            self.id = id
            createdLine = info.line
            name = info.name
            self.events = events
            self.positions = positions
        }
        var started: Instant? { events.first(where: { if case .started = $0.kind { return true } else { return false } })?.time }
        /// done, failed or cancelled, once it happened.
        var final: TaskEvent? { History.final(events.reversed()) }
        var isFinished: Bool { final != nil }
        /// Where the final event stands among all task events.
        var finalPosition: Int? {
            guard let i = events.lastIndex(where: { e in
                switch e.kind { case .done, .failed, .cancelled: return true; default: return false }
            }) else { return nil }
            return positions[i]
        }
        /// The first cancellation request, if any.
        var cancelRequest: TaskEvent? {
            events.first(where: { if case .cancelRequested = $0.kind { return true } else { return false } })
        }

        /// The last phase event at or before `t` (what the task was doing then).
        func phase(at t: Instant) -> TaskEvent? { phaseIndex(at: t).map { events[$0] } }

        /// Where `phase(at:)` stands in `events`.
        func phaseIndex(at t: Instant) -> Int? {
            var found: Int? = nil
            for (i, e) in events.enumerated() where e.isPhase {
                if e.time > t { break }
                found = i
            }
            return found
        }

        /// What became of the thread job that the `inThread` event at `events[i]` handed
        /// over: when a worker took it and when it finished, as far as the records go.
        func job(handedOverAt i: Int) -> (started: Instant?, ended: Instant?) {
            var started: Instant? = nil
            for e in events[(i + 1)...] {
                switch e.kind {
                case .threadStarted: started = e.time
                case .threadEnded: return (started, e.time)
                case .inThread: return (started, nil)
                default: continue
                }
            }
            return (started, nil)
        }


        /// The latest phase event (what the task is doing now, unless it finished).
        var currentPhase: TaskEvent? { currentPhaseIndex.map { events[$0] } }
        var currentPhaseIndex: Int? { events.lastIndex(where: \.isPhase) }
    }

    /// A task's final event among its events read newest first: done, failed or cancelled,
    /// unless something other than what is reported after the end comes after it.
    static func final<S: Sequence<TaskEvent>>(_ newestFirst: S) -> TaskEvent? {
        for e in newestFirst {
            switch e.kind {
            case .done, .failed, .cancelled: return e
            // Reported after the end: the unretrieved exception, an orphaned job's end.
            case .exceptionNeverRetrieved, .threadStarted, .threadEnded: continue
            default: return nil
            }
        }
        return nil
    }

    let main: [MainEvent]
    /// The input line main was running at each of `main`.
    let mainLines: [Int]
    /// How many task events came before each of `main`.
    let mainPositions: [Int]
    let errors: [CommandError]
    let now: Instant
    let dropped: Int
    private let log: EventLog
    /// The kept events and the tasks' names, as they are now (values taken once).
    private let store: EventLog.Store
    private let tasks: StatusFold.Table
    /// The lives built so far (a view asks for the same few again and again).
    private var built: [TaskID: Life] = [:]

    init(_ log: EventLog, now: Instant) {
        self.log = log
        store = log.store
        tasks = log.status.table
        main = log.mainEvents
        mainLines = log.mainEventLines
        mainPositions = log.mainEventPositions
        errors = log.errors
        dropped = store.dropped
        self.now = now
    }

    /// What the task's `created` event said (a `run` body: its first event).
    private func info(_ task: TaskID) -> TaskInfo? {
        let i = task.index
        if i < 0 { return log.info(task) }
        return i < tasks.count ? tasks.info(i) : nil
    }

    // MARK: - Lives

    /// The task's life, if it has kept events.
    func life(of task: TaskID) -> Life? {
        if let l = built[task] { return l }
        guard let last = store.lastPosition(of: task), let info = info(task) else { return nil }
        var positions: [Int] = []
        var p = last
        while p >= dropped {
            positions.append(p)
            p = store.previousPosition(p)
        }
        positions.reverse()
        let l = Life(id: task, info: info, events: positions.map(store.event(at:)), positions: positions)
        built[task] = l
        return l
    }

    /// Whether the task has kept events (a life to draw).
    func hasLife(_ task: TaskID) -> Bool { store.lastPosition(of: task) != nil && info(task) != nil }

    /// Whether it ended, as `Life.isFinished` has it, without building the life.
    func isFinished(_ task: TaskID) -> Bool {
        var p = store.lastPosition(of: task) ?? -1
        while p >= dropped {
            switch store.kind(at: p) {
            case .done, .failed, .cancelled: return true
            case .exceptionNeverRetrieved, .threadStarted, .threadEnded: p = store.previousPosition(p)
            default: return false
            }
        }
        return false
    }

    /// Its latest phase event, as `Life.currentPhase` has it, without building the life.
    func currentPhase(of task: TaskID) -> TaskEvent? {
        var p = store.lastPosition(of: task) ?? -1
        while p >= dropped {
            let e = store.event(at: p)
            if e.isPhase { return e }
            p = store.previousPosition(p)
        }
        return nil
    }

    /// The position of the task's oldest kept event: lives are in the order of these.
    private func firstPosition(of task: TaskID) -> Int? {
        guard var p = store.lastPosition(of: task) else { return nil }
        while true {
            let q = store.previousPosition(p)
            if q < dropped { return p }
            p = q
        }
    }

    /// Every task with kept events, in the order its oldest kept event was recorded.
    private(set) lazy var order: [TaskID] = {
        var out: [TaskID] = []
        var seen = [Bool](repeating: false, count: tasks.count)
        var seenRunBodies = Set<TaskID>()
        for p in dropped..<store.recorded {
            let id = store.task(at: p)
            let i = id.index
            if i >= 0 {
                guard i < seen.count, !seen[i] else { continue }
                seen[i] = true
            } else {
                guard seenRunBodies.insert(id).inserted else { continue }
            }
            if info(id) != nil { out.append(id) }
        }
        return out
    }()

    /// The first `n` lives, in order, and how many there are in all.
    func firstLives(_ n: Int) -> (lives: [Life], count: Int) {
        (order.prefix(n).compactMap { life(of: $0) }, order.count)
    }

    /// The name the task's `created` event gave it.
    func name(of task: TaskID) -> String { info(task)?.name ?? "?" }

    /// The task of this loop with this name (names are unique within a loop, but `run`
    /// bodies may share one): of those with kept events, the latest in `order`.
    func life(named name: String) -> Life? {
        var candidates: [TaskID] = log.runBodyIDs.filter { info($0)?.name == name }
        if let i = tasks.names.firstIndex(of: name) { candidates.append(TaskID(i)) }
        let best = candidates.compactMap { id in firstPosition(of: id).map { (id, $0) } }.max { $0.1 < $1.1 }
        return best.flatMap { life(of: $0.0) }
    }

    /// The lives with a kept cancellation request, in `order`.
    private(set) lazy var livesWithCancelRequest: [Life] = {
        var ids: [TaskID] = []
        var seen = Set<TaskID>()
        for p in store.cancelPositions where p >= dropped {
            let id = store.event(at: p).task
            if seen.insert(id).inserted && hasLife(id) { ids.append(id) }
        }
        return ids.compactMap { id in firstPosition(of: id).map { (id, $0) } }.sorted { $0.1 < $1.1 }.compactMap { life(of: $0.0) }
    }()

    /// The right edge of pictures: now, or the last thing recorded if later.
    private(set) lazy var end: Instant = {
        var last = now
        for p in dropped..<store.recorded {
            let t = store.time(at: p)
            if t > last { last = t }
        }
        for m in main where m.time > last { last = m.time }
        return last
    }()

    /// Who held the loop when: `cpu` steps and main's `block` (or `run … cpu`), by start.
    private(set) lazy var holds: [Span] = {
        var out: [Span] = []
        for (i, m) in main.enumerated() {
            if case .holding(let d, let command) = m.kind, d.microseconds > 0 {
                out.append(Span(start: m.time, end: m.time + d, phase: .running, label: "main (\(command.rawValue))",
                                line: i < mainLines.count ? mainLines[i] : nil))
            }
        }
        // The tasks' holds, life by life in `order` and each life's in time order (the
        // sort below keeps that order among holds that start together).
        var tasks: [(first: Int, position: Int)] = []
        for p in store.holdPositions where p >= dropped {
            let id = store.event(at: p).task
            if hasLife(id), let first = firstPosition(of: id) { tasks.append((first, p)) }
        }
        tasks.sort { ($0.first, $0.position) < ($1.first, $1.position) }
        for (_, p) in tasks {
            let e = store.event(at: p)
            if case .holding(let d) = e.kind, d.microseconds > 0 {
                out.append(Span(start: e.time, end: e.time + d, phase: .running, label: name(of: e.task)))
            }
        }
        return out.sorted { $0.start < $1.start }
    }()

    /// When each task started `cancelling`: its own request, or one passed on to it by a
    /// task that awaited it (Task.cancel() cancels what the task awaits, unrecorded).
    private lazy var cancelFrom: [TaskID: Instant] = {
        var from: [TaskID: Instant] = [:]
        for life in livesWithCancelRequest {
            guard let tw = life.cancelRequest?.time else { continue }
            var cur = life
            var seen: Set<TaskID> = []
            while seen.insert(cur.id).inserted {
                let id = cur.id
                from[id] = min(from[id] ?? tw, tw)
                guard case .waiting(let target)? = cur.phase(at: tw)?.kind, let next = self.life(of: target) else { break }
                if let f = next.final?.time, f < tw { break }
                cur = next
            }
        }
        return from
    }()

    /// When the task began `cancelling`, if it did.
    func cancelTime(of life: Life) -> Instant? { cancelFrom[life.id] }

    func inputText(line: Int) -> String? { log.inputText(line: line) }

    /// The line main runs now (the last one it received).
    var lastInput: InputLine? { log.inputsComplete ? log.inputs.last : nil }

    /// The command on `line` that starts with `keyword` (and names `name`, when given):
    /// `cancel B` out of `sleep 1s; cancel B; status`. The whole line when unsure.
    func command(line: Int, keyword: String, naming name: String? = nil) -> String? {
        guard let text = inputText(line: line) else { return nil }
        let parts = CommandText.split(text)
        let matching = parts.filter { part in
            let words = part.split(separator: " ", omittingEmptySubsequences: true)
            guard words.first.map(String.init) == keyword else { return false }
            guard let name else { return true }
            return words.dropFirst().contains { String($0) == name }
        }
        if matching.count == 1 { return matching[0] }
        if name == nil || matching.isEmpty {
            let byKeyword = parts.filter { $0.hasPrefix(keyword + " ") || $0 == keyword }
            if byKeyword.count == 1 { return byKeyword[0] }
        }
        return parts.count == 1 ? parts[0] : text
    }

    // MARK: - Spans

    /// What a row shows over a stretch of time.
    enum Phase: Int, CaseIterable {
        case pending, running, sleeping, late, waiting, queued, thread, cancelling, orphanThread
    }

    struct Span {
        var start: Instant
        var end: Instant
        var phase: Phase
        /// Text drawn inside the span when it fits (main's command, the loop's holder).
        var label: String? = nil
        /// For main's holds: the input line that held the loop.
        var line: Int? = nil
    }

    /// A task's life as spans, from its creation to its end (or to `end`).
    func spans(of life: Life) -> [Span] {
        var out: [Span] = []
        func add(_ a: Instant, _ b: Instant, _ p: Phase) {
            guard b > a else { return }
            out.append(Span(start: a, end: b, phase: p))
        }
        let finalTime = life.final?.time ?? end
        let phaseIndices = life.events.indices.filter { life.events[$0].isPhase }
        let phases = phaseIndices.map { life.events[$0] }
        for (i, e) in phases.enumerated() {
            let next = i + 1 < phases.count ? phases[i + 1].time : finalTime
            let stop = min(max(next, e.time), finalTime)
            switch e.kind {
            case .created:
                add(e.time, stop, .pending)
            case .started:
                add(e.time, stop, .running)
            case .sleeping(let until, _):
                add(e.time, min(until, stop), .sleeping)
                add(max(until, e.time), stop, .late)
            case .waiting(let target):
                // Once the awaited task has finished, the waiter is only ready: if it
                // resumes later, the loop was held meanwhile.
                if let done = self.life(of: target)?.final?.time, done < stop {
                    add(e.time, max(done, e.time), .waiting)
                    add(max(done, e.time), stop, .late)
                } else {
                    add(e.time, stop, .waiting)
                }
            case .inThread:
                // Queued until a worker takes the job; then in a thread until the worker
                // finishes it; ready but not yet resumed (late) after that.
                let job = life.job(handedOverAt: phaseIndices[i])
                let began = job.started.map { max($0, e.time) } ?? stop
                add(e.time, min(began, stop), .queued)
                if job.started != nil {
                    if let ends = job.ended {
                        add(min(began, stop), min(ends, stop), .thread)
                        add(max(ends, began), stop, .late)
                    } else {
                        add(min(began, stop), stop, .thread)
                    }
                }
            case .holding(let d):
                add(e.time, min(e.time + d, stop), .running)
                add(min(e.time + d, stop), stop, .running)
            default:
                break
            }
        }
        // From the first cancellation request on, the task is `cancelling`.
        if let c = cancelTime(of: life) {
            var cut: [Span] = []
            for s in out {
                if s.end <= c { cut.append(s); continue }
                if s.start < c { cut.append(Span(start: s.start, end: c, phase: s.phase)) }
                cut.append(Span(start: max(s.start, c), end: s.end, phase: .cancelling))
            }
            out = cut
            let from = out.last?.end ?? c
            if from < finalTime && life.final == nil { out.append(Span(start: max(from, c), end: finalTime, phase: .cancelling)) }
        }
        // A task that ended while its thread job ran: the worker stays busy (threads
        // cannot be cancelled).
        if let f = life.final, let last = phaseIndices.last, case .inThread = life.events[last].kind {
            let job = life.job(handedOverAt: last)
            let ends = job.ended ?? end
            if let began = job.started, ends > f.time {
                out.append(Span(start: max(began, f.time), end: min(ends, end), phase: .orphanThread))
            }
        }
        return merged(out)
    }

    /// Main: blocked in a command, holding the loop, or at its prompt (no span).
    func mainSpans() -> [Span] {
        var out: [Span] = []
        for (i, m) in main.enumerated() {
            let next = i + 1 < main.count ? main[i + 1].time : end
            switch m.kind {
            case .blocked(let awaiting):
                if next > m.time { out.append(Span(start: m.time, end: next, phase: .waiting, label: awaiting.command)) }
            case .holding(let d, let command):
                let stop = m.time + d
                if stop > m.time { out.append(Span(start: m.time, end: stop, phase: .running, label: command.rawValue)) }
            case .awaitingInput, .reset:
                break
            }
        }
        return out
    }

    /// The hold that covers instant `t`, if the loop was held then.
    func hold(covering t: Instant) -> Span? {
        holds.last { $0.start <= t && t < $0.end }
    }

    /// The command main was blocked in when the task event at `position` happened, if it was.
    func mainBlocked(before position: Int) -> MainAwait? {
        var i = main.count - 1
        while i >= 0 && (i >= mainPositions.count || mainPositions[i] > position) { i -= 1 }
        guard i >= 0, case .blocked(let awaiting) = main[i].kind else { return nil }
        return awaiting
    }

    private func merged(_ spans: [Span]) -> [Span] {
        var out: [Span] = []
        for s in spans where s.end > s.start {
            if var last = out.last, last.phase == s.phase, last.end == s.start, last.label == s.label {
                last.end = s.end
                out[out.count - 1] = last
            } else {
                out.append(s)
            }
        }
        return out
    }
}

extension TaskEvent {
    /// Whether this event starts a new phase of the task (what it does until the next).
    /// A worker taking or finishing the job is not one: the task is still in its
    /// `thread` step, awaiting the job's future.
    var isPhase: Bool {
        switch kind {
        case .created, .started, .sleeping, .waiting, .inThread, .holding: return true
        default: return false
        }
    }
}

/// Splitting a typed line into its `;`-separated commands, as the learner wrote them.
enum CommandText {
    static func split(_ line: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character? = nil
        var escaped = false
        for ch in line {
            if let q = quote {
                current.append(ch)
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == q { quote = nil }
                continue
            }
            switch ch {
            case "\"", "'":
                quote = ch
                current.append(ch)
            case ";":
                parts.append(current)
                current = ""
            case "#":
                parts.append(current)
                return parts.map(trim).filter { !$0.isEmpty }
            default:
                current.append(ch)
            }
        }
        parts.append(current)
        return parts.map(trim).filter { !$0.isEmpty }
    }

    private static func trim(_ s: String) -> String {
        var s = Substring(s)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
