import AsyncPlayCore
import AsyncPlayLanguage
/// What a session reports, in the order things happen: the one stream every renderer
/// (transcript, JSON Lines, status, timeline, tree, trace, why) is drawn from.
///
/// Every record is a plain value, complete when it is made: it names tasks by `TaskID`
/// and carries the facts of the moment (a name, a line, a duration as typed, when a
/// worker really took a job). Nothing in it points into the loop, so a view drawn from
/// the records up to an instant says what was true then, whatever happened since.
public enum Record: Sendable {
    /// Main starts a line of the script or the shell.
    case input(line: Int, text: LineText)
    /// Something happened to a task, with the task's name (the stored history keeps the
    /// ID alone and learns the name from the task's `created` event).
    case event(TaskEvent, name: String)
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

/// A task of one loop, known by when it was created: the loop's first `spawn` is task 0,
/// the next task 1, and so on (`reset` starts a new loop, and the count again). A `run`
/// body, which main awaits inline and is no task, is -1, -2, … in the order of the `run`s.
public struct TaskID: Hashable, Comparable, Sendable {
    public let sequence: Int32
    public init(sequence: Int32) { self.sequence = sequence }
    public init(_ sequence: Int) { self.sequence = Int32(clamping: sequence) }
    public var index: Int { Int(sequence) }
    public static func < (a: TaskID, b: TaskID) -> Bool { a.sequence < b.sequence }
}

public struct TaskEvent: Sendable {
    public let time: Instant
    public let task: TaskID
    public let kind: Kind

    public init(time: Instant, task: TaskID, kind: Kind) {
        self.time = time
        self.task = task
        self.kind = kind
    }

    public enum Kind: Sendable {
        /// The task's first event: the name and the spawning line it keeps for life.
        case created(name: String, line: Int32)
        case started
        /// A `sleep` step: the duration the learner typed, and the deadline it made.
        case sleeping(until: Instant, step: TimeAmount)
        case waiting(for: TaskID)
        /// A `thread` step: a job of the typed duration handed to the pool. It waits in
        /// the pool's queue until `threadStarted`.
        case inThread(step: TimeAmount)
        /// A worker took the task's job, at the instant it really did (possibly the
        /// instant another job ended, while the loop was held).
        case threadStarted
        /// The worker finished the task's job (possibly after the task itself ended:
        /// a thread cannot be cancelled).
        case threadEnded
        /// `cpu` step: the task holds the loop for this long.
        case holding(TimeAmount)
        /// A timer fired late because something held the loop.
        case late(by: TimeAmount)
        /// Boxed (indirect): the largest payload, and rare.
        indirect case cancelRequested(line: Int?, message: String?)
        case done(PyValue)
        case failed(PyException)
        case cancelled
        case exceptionNeverRetrieved(PyException)
        /// The task's coroutine returned: the task is done from this instant, though its
        /// `done` event comes one loop iteration later (the session reports a task's end
        /// from a done callback, as asyncio runs them). Only `status` reads it.
        case returned(PyValue)
        /// The task's coroutine raised: failed, or cancelled for a CancelledError, from
        /// this instant (its `failed`/`cancelled` event comes later, as for `returned`).
        case raised(PyException)
        /// A cancellation main passed on (a timeout, Ctrl-C) reached the task and left it
        /// `cancelling`, with no `cancelRequested` of its own (an await cycle kept the
        /// CancelledError from being delivered). Only `status` reads it.
        case cancelPassedOn
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
        case .threadStarted: return "thread_started"
        case .threadEnded: return "thread_ended"
        case .holding: return "holding"
        case .late: return "late"
        case .cancelRequested: return "cancel_requested"
        case .done: return "done"
        case .failed: return "failed"
        case .cancelled: return "cancelled"
        case .exceptionNeverRetrieved: return "exception_never_retrieved"
        case .returned: return "returned"
        case .raised: return "raised"
        case .cancelPassedOn: return "cancel_passed_on"
        }
    }
}

public struct CommandResult: Sendable {
    public let time: Instant
    public let line: Int
    public let command: String
    public let value: CommandValue
    package init(time: Instant, line: Int, command: String, value: CommandValue) {
        self.time = time
        self.line = line
        self.command = command
        self.value = value
    }
}

public enum CommandValue: Sendable {
    case value(PyValue)
    case bool(Bool)
    case time(Instant)
    case waitSets(done: [String], pending: [String])
    /// `status`: the tasks to show, in order (nil: every task of the loop, in creation
    /// order). The rows are drawn by the renderer from the recorded events (StatusFold),
    /// as they stood when the command ran.
    case status([TaskID]?)
    /// Human-only views drawn by the renderer from the recorded stream (JSON prints nothing).
    case view(View)
    /// Commands with nothing to print (spawn, sleep, set…): JSON and text print nothing.
    case nothing
}

public enum View: Sendable {
    case timeline(TimelineOptions)
    case help(topic: String?)
    case trace(on: Bool)
    case tree
    case why(task: String)
    /// `export python [FILE]`: the session's lines so far as a Python program.
    case exportPython(path: String?)
}

public struct CommandError: Sendable {
    public let time: Instant
    public let line: Int
    public let command: String
    public let exception: PyException
    package init(time: Instant, line: Int, command: String, exception: PyException) {
        self.time = time
        self.line = line
        self.command = command
        self.exception = exception
    }
}

public struct MainEvent: Sendable {
    public let time: Instant
    public let kind: Kind
    public init(time: Instant, kind: Kind) {
        self.time = time
        self.kind = kind
    }
    public enum Kind: Sendable {
        /// Main awaits something (`await`, `gather`, `wait`, `sleep`, `run`).
        case blocked(MainAwait)
        /// Main holds the loop (`block D`, or a `run` body's `cpu` step).
        case holding(TimeAmount, command: MainHold)
        /// Main waits for its next line; the loop runs everything that is ready.
        case awaitingInput
        /// The loop is replaced by a new one at t = 0 (`reset`); the record's time is the
        /// old loop's last instant, and nothing after it belongs to the old loop.
        case reset
    }
}

/// What main is blocked on, as data: the kind of await, its line, and the tasks it awaits.
public struct MainAwait: Sendable {
    public enum Kind: String, Sendable {
        case await, gather, wait, sleep, run
    }
    public let kind: Kind
    public let line: Int
    /// The tasks awaited, in the order the command names them, repeats removed (`gather`
    /// and `wait` with no names: every task of the loop); for `run`, the task its body
    /// awaits as main blocks, if any; none for `sleep`.
    public let tasks: [TaskID]
    public init(kind: Kind, line: Int, tasks: [TaskID]) {
        self.kind = kind
        self.line = line
        self.tasks = tasks
    }
    /// The command's keyword, as typed.
    public var command: String { kind.rawValue }
}

/// The command with which main holds the loop.
public enum MainHold: String, Sendable {
    /// `block D`: time.sleep in main.
    case block
    /// A `cpu` step of a `run` body, which main runs inline.
    case run
}

/// One callback the loop ran, while `trace on`: what ran, for whom, and how late.
public struct TraceEvent: Sendable {
    public let time: Instant
    public let callback: TracedCallback
    /// How late a timer's callback ran (nil: not a timer, or on time).
    public let lateBy: TimeAmount?
    public init(time: Instant, callback: TracedCallback, lateBy: TimeAmount?) {
        self.time = time
        self.callback = callback
        self.lateBy = lateBy
    }
}

/// The kinds of callback a trace tells apart (the names are the tasks' names then).
public enum TracedCallback: Sendable {
    /// `Task.__step` of a task: its first step, a resumption, or one with an exception thrown in.
    case step(task: String, StepStart)
    /// A future's done callback. `future` names the task whose future it is (nil: a plain future).
    case doneCallback(future: String?, DoneCallbackRole)
    /// `Task.__wakeup` after the task's own sleep.
    case wake(task: String)
    /// A timer fell due; `for` names the one task whose sleep it ends, when there is one.
    case timerFired(for: String?)
    /// A worker of the pool finished the thread job of this task.
    case jobEnded(owner: String)

    public enum StepStart: Sendable {
        case first
        case resumed
        case thrown(PyException)
    }

    /// Whose done callback ran.
    public enum DoneCallbackRole: Sendable {
        /// A task awaiting the future: it wakes up.
        case wake(task: String)
        case gatherChild
        case waitSees
        case waitForSees
        /// The asyncio future of a thread job: `owner` submitted the job.
        case executorFuture(owner: String)
        /// The session's report of a task's end (the done/failed/cancelled line).
        case taskEndReport
        case other
    }
}

/// Where a session's records go, as they happen.
public protocol RecordSink: AnyObject {
    func record(_ r: Record)
    /// Whether the sink reads the detail events only views use (sleeping, waiting, the
    /// phases of a thread job). A transcript prints none; the session does not send them
    /// to a sink that ignores them, which is most of a big run's records.
    var usesPhaseEvents: Bool { get }
    /// `record(.event(…))` given the event's parts: a sink that only prints it need not
    /// have the parts packed into a Record and taken apart again.
    func taskEvent(_ kind: TaskEvent.Kind, of task: TaskID, named name: String, at time: Instant)
}

extension RecordSink {
    public var usesPhaseEvents: Bool { true }
    public func taskEvent(_ kind: TaskEvent.Kind, of task: TaskID, named name: String, at time: Instant) {
        record(.event(TaskEvent(time: time, task: task, kind: kind), name: name))
    }
}

extension TaskEvent.Kind {
    /// What the task is doing (sleeping, waiting, in a thread, its coroutine's end) rather
    /// than something the transcript or JSON print: only views (status among them) read these.
    package var isPhase: Bool {
        switch self {
        case .sleeping, .waiting, .inThread, .threadStarted, .threadEnded,
             .returned, .raised, .cancelPassedOn: return true
        default: return false
        }
    }
}

/// One row of `status`.
public struct StatusRow: Sendable {
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

    package init(name: String, state: TaskState, result: PyValue?, error: PyException?, created: Instant,
                 started: Instant?, finished: Instant?, until: Instant?, waitsFor: String?, queued: Bool?) {
        self.name = name
        self.state = state
        self.result = result
        self.error = error
        self.created = created
        self.started = started
        self.finished = finished
        self.until = until
        self.waitsFor = waitsFor
        self.queued = queued
    }
}

public enum TaskState: String, Sendable {
    case pending, sleeping, waiting
    case inThread = "in-thread"
    case running, cancelling, done, failed, cancelled
}
