import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayLoop
/// What a session reports, in the order things happen: the one stream every renderer
/// (transcript, JSON Lines, timeline, trace, why) is drawn from.
public enum Record {
    /// Main starts a line of the script or the shell.
    case input(line: Int, text: LineText)
    /// Something happened to a task.
    case event(TaskEvent)
    /// A command finished and returned this.
    case result(CommandResult)
    /// A command raised an exception into main.
    case error(CommandError)
    /// A command was refused or could not be parsed; the run goes on.
    case diagnostic(Diagnostic)
    /// Main itself: blocked in a command, holding the loop, back at the prompt.
    case main(MainEvent)
    /// A loop callback ran (only while `trace on`).
    case trace(TraceEvent)
}

public struct TaskEvent {
    public let time: Instant
    public let task: TaskRecord
    public let kind: Kind

    public enum Kind {
        case created
        case started
        case sleeping(until: Instant)
        case waiting(for: TaskRecord)
        case inThread(job: ThreadJob)
        /// `cpu` step: the task holds the loop for this long.
        case holding(TimeAmount)
        /// A timer fired late because something held the loop.
        case late(by: TimeAmount)
        /// Boxed (indirect): the largest payload, and rare; unboxed it made every kept
        /// event 16 bytes bigger.
        indirect case cancelRequested(line: Int?, message: String?)
        case done(PyValue)
        case failed(PyException)
        case cancelled
        case exceptionNeverRetrieved(PyException)
    }

    /// The five kinds the SPEC and the oracle compare; the others are extra detail.
    public var isCore: Bool {
        switch kind {
        case .created, .started, .done, .failed, .cancelled: return true
        default: return false
        }
    }

    public var name: String {
        switch kind {
        case .created: return "created"
        case .started: return "started"
        case .sleeping: return "sleeping"
        case .waiting: return "waiting"
        case .inThread: return "in_thread"
        case .holding: return "holding"
        case .late: return "late"
        case .cancelRequested: return "cancel_requested"
        case .done: return "done"
        case .failed: return "failed"
        case .cancelled: return "cancelled"
        case .exceptionNeverRetrieved: return "exception_never_retrieved"
        }
    }
}

public final class CommandResult {
    public let time: Instant
    public let line: Int
    public let command: String
    public let value: CommandValue
    init(time: Instant, line: Int, command: String, value: CommandValue) {
        self.time = time
        self.line = line
        self.command = command
        self.value = value
    }
}

public enum CommandValue {
    case value(PyValue)
    case bool(Bool)
    case time(Instant)
    case waitSets(done: [String], pending: [String])
    case status([StatusRow])
    /// Human-only views drawn by the renderer from the recorded stream (JSON prints nothing).
    case view(View)
    /// Commands with nothing to print (spawn, sleep, set…): JSON and text print nothing.
    case nothing
}

public enum View {
    case timeline(TimelineOptions)
    case help(topic: String?)
    case trace(on: Bool)
    case tree
    case why(task: String)
    /// `export python [FILE]`: the session's lines so far as a Python program.
    case exportPython(path: String?)
}

public final class CommandError {
    public let time: Instant
    public let line: Int
    public let command: String
    public let exception: PyException
    init(time: Instant, line: Int, command: String, exception: PyException) {
        self.time = time
        self.line = line
        self.command = command
        self.exception = exception
    }
}

public struct MainEvent {
    public let time: Instant
    public let kind: Kind
    public enum Kind {
        /// Main awaits something (`await`, `gather`, `wait`, `sleep`, `run`).
        case blocked(command: String, line: Int)
        /// Main holds the loop (`block D`, or a `run` body's `cpu` step).
        case holding(TimeAmount, command: String)
        /// Main waits for its next line; the loop runs everything that is ready.
        case awaitingInput
        /// A new loop at t = 0 (`reset`).
        case reset
    }
}

public struct TraceEvent {
    public let time: Instant
    public let what: String
    public let lateBy: TimeAmount?
}

/// Where a session's records go, as they happen.
public protocol RecordSink: AnyObject {
    func record(_ r: Record)
    /// Whether the sink reads phase events (sleeping, waiting, in a thread). A transcript
    /// prints none (status, timeline and why read the event log); the session does not
    /// send them to a sink that ignores them, which is most of a big run's records.
    var usesPhaseEvents: Bool { get }
    /// `record(.event(…))` given the event's parts: a sink that only prints it needs no
    /// TaskEvent (whose strong reference to the task cost an atomic retain and release,
    /// three times per task).
    func taskEvent(_ kind: TaskEvent.Kind, of task: TaskRecord, at time: Instant)
}

extension RecordSink {
    public var usesPhaseEvents: Bool { true }
    public func taskEvent(_ kind: TaskEvent.Kind, of task: TaskRecord, at time: Instant) {
        record(.event(TaskEvent(time: time, task: task, kind: kind)))
    }
}

extension TaskEvent.Kind {
    /// Sleeping, waiting, in a thread: what the task is doing, not something that happened.
    var isPhase: Bool {
        switch self {
        case .sleeping, .waiting, .inThread: return true
        default: return false
        }
    }
}

/// One row of `status`.
public struct StatusRow {
    public let name: String
    public let state: TaskState
    public let result: PyValue?
    public let error: PyException?
    public let created: Instant
    public let started: Instant?
    public let finished: Instant?
    public let until: Instant?
    public let waitsFor: String?
    public let queued: Bool?
}

public enum TaskState: String {
    case pending, sleeping, waiting
    case inThread = "in-thread"
    case running, cancelling, done, failed, cancelled
}
