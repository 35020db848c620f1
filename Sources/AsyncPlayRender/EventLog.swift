import AsyncPlayCore
import AsyncPlayCollections
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// The recorded history of a session: what `timeline`, `why` and `tree` are drawn from.
/// It keeps task and main events (up to `limit` of them; past the limit the oldest are
/// dropped from pictures, never from the transcript), main's errors and its input lines.
public final class EventLog: RecordSink {
    /// The kept task events, oldest first (a copy: views read them through `store`).
    public var taskEvents: [TaskEvent] { let s = store; return (s.dropped..<s.recorded).map(s.event(at:)) }
    /// Every task of this loop, by ID: what its `created` event said (kept when the event
    /// itself is dropped past the limit, so that a task is always named), and its current
    /// state for `status` unless the log was made without (`foldsStatus`).
    public let status: StatusFold
    /// The kept task events and their indexes, changed by one mutating call per event. A
    /// view takes it once (a value: its arrays are shared, not copied) and reads that.
    var store: Store { storage.value }
    /// Where `store` lives: a cell the log owns, changed in place with no exclusivity
    /// bookkeeping per event, as a class's stored property would have (every record and
    /// every view of a session runs on the loop's thread, one at a time).
    private let storage: Cell<Store>
    /// `run` bodies with events of their own (a late wake-up), by ID: they have no
    /// `created` event, so they are named by their first event, on the line main ran.
    private var runBodies: [TaskID: TaskInfo] = [:]
    public private(set) var mainEvents: [MainEvent] = []
    /// The input line main was running when each of `mainEvents` happened.
    public private(set) var mainEventLines: [Int] = []
    /// How many task events had been recorded (dropped ones included) when each of
    /// `mainEvents` happened: main's events in order among the tasks' at equal times.
    public private(set) var mainEventPositions: [Int] = []
    private var currentLine = 0
    /// Task events dropped past the limit (see `Store`).
    public var dropped: Int { storage.value.dropped }
    /// Main's exceptions in this loop (a timeout that cancelled a task, for `why`).
    public private(set) var errors: [CommandError] = []
    /// The session's input lines, across resets (for `why` to quote a command, and for
    /// `export python`); only the first `inputLimit` are kept (`inputsComplete` says).
    public private(set) var inputs: [InputLine] = []
    public private(set) var inputsComplete = true
    public static let inputLimit = 100_000
    /// Events of earlier loops are cleared at `reset`: a picture shows one loop.
    private let limit: Int

    /// `expectedTasks`: how many tasks the script spawns, if known (the tables by task
    /// are sized for them at once). `foldsStatus`: false in a run that has no `status`.
    public init(limit: Int = Limits.standard.maxKeptEvents, expectedTasks: Int = 0, foldsStatus: Bool = true) {
        self.limit = max(1, limit)
        status = StatusFold(expectedTasks: expectedTasks, foldsStates: foldsStatus)
        storage = Cell(Store(limit: self.limit, expectedTasks: min(expectedTasks, Limits.standard.maxLiveTasks)))
    }

    public func taskEvent(_ kind: TaskEvent.Kind, of task: TaskID, named name: String, at time: Instant) {
        keep(TaskEvent(time: time, task: task, kind: kind), name: name)
    }

    private func keep(_ e: TaskEvent, name: String) {
        status.apply(e.kind, of: e.task, at: e.time)
        switch e.kind {
        case .returned, .raised, .cancelPassedOn: return      // for `status` alone
        default: break
        }
        if e.task.sequence < 0, runBodies[e.task] == nil {
            runBodies[e.task] = TaskInfo(name: name, line: Int32(clamping: currentLine))
        }
        storage.value.keep(e)
    }

    public func record(_ r: Record) {
        switch r {
        case .event(let e, let name):
            keep(e, name: name)
        case .main(let m):
            if case .reset = m.kind {
                // The new loop's history starts empty at t = 0: the reset itself happened
                // at the old loop's time, which is no instant of the new one.
                storage.value = Store(limit: limit, expectedTasks: 0)
                status.record(r)
                runBodies.removeAll()
                mainEvents.removeAll()
                mainEventLines.removeAll()
                mainEventPositions.removeAll()
                errors.removeAll()
                return
            }
            mainEvents.append(m)
            mainEventLines.append(currentLine)
            mainEventPositions.append(storage.value.recorded)
        case .input(let line, let text):
            currentLine = line
            if inputs.count < EventLog.inputLimit { inputs.append(InputLine(line: line, text: text.string)) } else { inputsComplete = false }
        case .error(let e):
            if errors.count < EventLog.inputLimit { errors.append(e) }
        default:
            break
        }
    }

    /// The kept task events (up to `limit`; past it the oldest tenth is dropped from
    /// pictures, never from the transcript), in a ring: the event at position p (a
    /// position counts every task event of this loop, dropped ones included) is in slot
    /// p % limit, the ring growing to `limit` slots before the first drop, so dropping is
    /// a count, not a move of every event kept. Beside each, the position of the same
    /// task's previous event: a task's events are a chain back from its last one, and a
    /// view reads one task's life without a pass over every task's events.
    struct Store {
        let limit: Int
        private var ring: [TaskEvent] = []
        private var previous: [Int] = []
        /// Each task's last event position (-1: none yet), by task index; `run` bodies apart.
        private var lastOfTask: [Int] = []
        private var lastOfRunBody: [TaskID: Int] = [:]
        /// Positions of the `cancelRequested` and `holding` events (the kept ones are
        /// those from `dropped` on): the few events that views look for among all.
        private(set) var cancelPositions: [Int] = []
        private(set) var holdPositions: [Int] = []
        /// The kept events are at positions `dropped ..< recorded`.
        private(set) var dropped = 0
        private var kept = 0
        var recorded: Int { dropped + kept }
        /// The slot of the next event once the ring is full (`recorded % limit`, kept
        /// without a division per event).
        private var nextSlot = 0

        init(limit: Int, expectedTasks: Int) {
            self.limit = limit
            lastOfTask.reserveCapacity(expectedTasks)
            // A task has a few events (created, started, a phase, its end): the ring is
            // sized at once for what the script will likely fill, up to its limit, rather
            // than grown by doubling, which copies every event kept so far each time.
            let events = min(limit, expectedTasks.multipliedReportingOverflow(by: 4).overflow ? limit : expectedTasks * 4)
            ring.reserveCapacity(events)
            previous.reserveCapacity(events)
        }

        mutating func keep(_ e: TaskEvent) {
            let i = e.task.index
            var last = -1
            if i >= 0 {
                while lastOfTask.count <= i { lastOfTask.append(-1) }
                last = lastOfTask[i]
            } else {
                last = lastOfRunBody[e.task] ?? -1
            }
            if kept >= limit {
                let cut = max(1, limit / 10)
                dropped += cut
                kept -= cut
                let d = dropped
                if let c = cancelPositions.first, c < d { cancelPositions.removeAll { $0 < d } }
                if let h = holdPositions.first, h < d { holdPositions.removeAll { $0 < d } }
            }
            let p = recorded
            if i >= 0 { lastOfTask[i] = p } else { lastOfRunBody[e.task] = p }
            if ring.count < limit {
                ring.append(e)
                previous.append(last)
                nextSlot = ring.count == limit ? 0 : ring.count
            } else {
                ring[nextSlot] = e
                previous[nextSlot] = last
                nextSlot = nextSlot + 1 == limit ? 0 : nextSlot + 1
            }
            kept += 1
            switch e.kind {
            case .cancelRequested: cancelPositions.append(p)
            case .holding: holdPositions.append(p)
            default: break
            }
        }

        /// The kept event at position `p` (`dropped <= p < recorded`), or parts of it.
        func event(at p: Int) -> TaskEvent { ring[p % limit] }
        func task(at p: Int) -> TaskID { ring[p % limit].task }
        func time(at p: Int) -> Instant { ring[p % limit].time }
        func kind(at p: Int) -> TaskEvent.Kind { ring[p % limit].kind }

        /// The position of the same task's event before the one at `p` (-1: none; it may
        /// be dropped: below `dropped`).
        func previousPosition(_ p: Int) -> Int { previous[p % limit] }

        /// The position of `task`'s last event, if it is kept.
        func lastPosition(of task: TaskID) -> Int? {
            let i = task.index
            let p = i >= 0 ? (i < lastOfTask.count ? lastOfTask[i] : -1) : (lastOfRunBody[task] ?? -1)
            return p >= dropped ? p : nil
        }
    }

    /// The `run` bodies with events of their own.
    var runBodyIDs: [TaskID] { Array(runBodies.keys) }

    /// What the `created` event of `task` said, if the task is of this loop.
    public func info(_ task: TaskID) -> TaskInfo? {
        if task.index < 0 { return runBodies[task] }
        return task.index < status.count ? status.info(task.index) : nil
    }

    /// The text of input line `line`, if it was kept.
    public func inputText(line: Int) -> String? {
        var lo = 0, hi = inputs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if inputs[mid].line < line { lo = mid + 1 } else { hi = mid }
        }
        if lo < inputs.count && inputs[lo].line == line { return inputs[lo].text }
        // Numbers that did not only grow (a shell that counts again): the latest match.
        return inputs.last(where: { $0.line == line })?.text
    }
}

/// A task as its `created` event named it.
public struct TaskInfo: Sendable {
    public let name: String
    /// The line whose `spawn` created it.
    public let line: Int32
}


/// Sends every record to several sinks, in order.
public final class FanoutSink: RecordSink {
    // A chain of `let`s rather than an array: calls through them need no retain and
    // release of each sink for each record.
    private let first: RecordSink?
    private let rest: FanoutSink?
    public init(_ sinks: [RecordSink]) {
        first = sinks.first
        rest = sinks.count > 1 ? FanoutSink(Array(sinks.dropFirst())) : nil
    }
    public func record(_ r: Record) {
        first?.record(r)
        rest?.record(r)
    }
    public func taskEvent(_ kind: TaskEvent.Kind, of task: TaskID, named name: String, at time: Instant) {
        first?.taskEvent(kind, of: task, named: name, at: time)
        rest?.taskEvent(kind, of: task, named: name, at: time)
    }
    public var usesPhaseEvents: Bool { first?.usesPhaseEvents == true || rest?.usesPhaseEvents == true }
}
