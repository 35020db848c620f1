import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// The recorded history of a session: what `timeline`, `why` and `tree` are drawn from.
/// It keeps task and main events (up to `limit` of them; past the limit the oldest are
/// dropped from pictures, never from the transcript), main's errors and its input lines.
public final class EventLog: RecordSink {
    public private(set) var taskEvents: [TaskEvent] = []
    /// Every task of this loop, by ID: its current state for `status`, and what its
    /// `created` event said (kept when the event itself is dropped past the limit, so that
    /// a task is always named).
    public let status: StatusFold
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
    public private(set) var dropped = 0
    /// Main's exceptions in this loop (a timeout that cancelled a task, for `why`).
    public private(set) var errors: [CommandError] = []
    /// The session's input lines, across resets (for `why` to quote a command, and for
    /// `export python`); only the first `inputLimit` are kept (`inputsComplete` says).
    public private(set) var inputs: [InputLine] = []
    public private(set) var inputsComplete = true
    public static let inputLimit = 100_000
    /// Events of earlier loops are cleared at `reset`: a picture shows one loop.
    private let limit: Int

    /// `expectedTasks`: how many tasks the script spawns, if known (the table of names
    /// is sized for them at once).
    public init(limit: Int = Limits.standard.maxKeptEvents, expectedTasks: Int = 0) {
        self.limit = limit
        status = StatusFold(expectedTasks: expectedTasks)
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
        if taskEvents.count >= limit {
            let cut = max(1, limit / 10)
            taskEvents.removeFirst(cut)
            dropped += cut
        }
        taskEvents.append(e)
    }

    public func record(_ r: Record) {
        switch r {
        case .event(let e, let name):
            keep(e, name: name)
        case .main(let m):
            if case .reset = m.kind {
                // The new loop's history starts empty at t = 0: the reset itself happened
                // at the old loop's time, which is no instant of the new one.
                taskEvents.removeAll()
                status.record(r)
                runBodies.removeAll()
                mainEvents.removeAll()
                mainEventLines.removeAll()
                mainEventPositions.removeAll()
                errors.removeAll()
                dropped = 0
                return
            }
            mainEvents.append(m)
            mainEventLines.append(currentLine)
            mainEventPositions.append(dropped + taskEvents.count)
        case .input(let line, let text):
            currentLine = line
            if inputs.count < EventLog.inputLimit { inputs.append(InputLine(line: line, text: text.string)) } else { inputsComplete = false }
        case .error(let e):
            if errors.count < EventLog.inputLimit { errors.append(e) }
        default:
            break
        }
    }

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
