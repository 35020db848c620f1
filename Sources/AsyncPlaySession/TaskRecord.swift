import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayLoop
import AsyncPlayEvents
/// A spawned task as the session knows it: the asyncio Task itself, its times, and what
/// its coroutine is suspended on (for status and deadlocks). It is also the coroutine
/// its body runs as (see BodyCoroutine.swift): one object per task, not three, because
/// a million tasks each carry one. A `run` body is a record whose task never starts.
public final class TaskRecord: Task {
    public enum Phase {
        case pending
        case running
        case sleeping(until: Instant)
        case waiting(for: TaskRecord)
        case inThread(ThreadJob)
    }

    /// Creation order within the loop (sets and status list tasks in this order).
    public var sequence: Int { Int(sequenceNumber) }
    public let created: Instant
    public var createdLine: Int { Int(line) }
    public internal(set) var started: Instant? {
        get { startedAt == TaskRecord.unset ? nil : Instant(microseconds: startedAt) }
        set { startedAt = newValue?.microseconds ?? TaskRecord.unset }
    }
    public internal(set) var finished: Instant? {
        get { finishedAt == TaskRecord.unset ? nil : Instant(microseconds: finishedAt) }
        set { finishedAt = newValue?.microseconds ?? TaskRecord.unset }
    }
    // Stored as plain µs with a sentinel: an optional Instant takes 16 bytes, and at a
    // million tasks these 16 bytes decide the allocation size.
    private static let unset = Int64.min
    private var startedAt = TaskRecord.unset
    private var finishedAt = TaskRecord.unset
    public internal(set) var phase = Phase.pending
    // Small fields together after `phase` (they fill what would be padding: at a million
    // tasks, a record's size decides its allocation size).
    private let sequenceNumber: Int32
    private let line: Int32
    var stepIndex: Int32 = -1          // the body's step; -1: not started yet
    /// The session that runs the body and reports this task's end (it outlives every
    /// task it runs).
    /// Lent, not counted: an `unowned(unsafe)` reference is copied strong (an atomic
    /// retain and release) at every use, and a task reports three events.
    private let owner: Unmanaged<Session>
    /// Calls `body` with the session, without counting a reference to it.
    func withSession<R>(_ body: (Session) -> R) -> R { owner._withUnsafeGuaranteedRef(body) }
    /// Reports one of this task's events, at the loop's time.
    func emit(_ kind: TaskEvent.Kind) { owner._withUnsafeGuaranteedRef { $0.emit(self, kind) } }
    /// Reports one of this task's events at `t`, an instant the caller read and used.
    func emit(_ kind: TaskEvent.Kind, at t: Instant) { owner._withUnsafeGuaranteedRef { $0.emit(self, kind, at: t) } }

    /// The task's identity in the records: its creation order within the loop.
    var id: TaskID { TaskID(sequence: sequenceNumber) }

    // The body's coroutine: where it is, and what the current step is suspended on.
    let body: Body
    /// The task's coroutine is the record itself (BodyCoroutine.swift). What it awaited
    /// is held by whoever drives it (the task's `waitingOn`, or main's RunCoroutine),
    /// not by the record: eight bytes less in every task's record.
    public override func resumeCoroutine(_ thrown: PyException?, awaited: Future?) -> Suspension {
        let s = resume(thrown, awaited: awaited)
        switch s {
        case .returned, .raised:
            // Asked first: the end is reported only to sinks that use phase events.
            if owner._withUnsafeGuaranteedRef({ $0.sinkUsesPhases }) { owner._withUnsafeGuaranteedRef { $0.emitEnd(self, s) } }
        default: break
        }
        return s
    }

    /// A spawned task (false: a `run` body, awaited inline by main).
    var isTask: Bool { sequence >= 0 }

    /// Not started yet: a spawned task's first step is scheduled by `start()`;
    /// a `run` body (`sequence` -1) is never started as a task.
    init(name: String, sequence: Int, line: Int, body: Body, session: Session) {
        self.sequenceNumber = Int32(clamping: sequence)
        self.created = session.loop.now
        self.line = Int32(clamping: line)
        self.body = body
        owner = Unmanaged.passUnretained(session)
        super.init(loop: session.loop, name: name)
    }

    /// The same array read as futures, sharing its buffer. `records as [Future]` copies it
    /// element by element on Linux (a retain per task: at a million tasks, a cache miss
    /// each); Darwin's standard library shares the buffer, as this does. Sound because the
    /// result is only read: a buffer of TaskRecord references is a buffer of Futures.
    static func asFutures(_ records: [TaskRecord]) -> [Future] {
        unsafeBitCast(records, to: [Future].self)
    }

    var waitsFor: String? { waitsForTask?.name }

    var waitsForTask: TaskRecord? {
        if case .waiting(let t) = phase { return t }
        return nil
    }

    public var state: TaskState {
        switch futureState {
        case .cancelled: return .cancelled
        case .finished: return exception == nil ? .done : .failed
        case .pending: break
        }
        if cancelRequests > 0 { return .cancelling }
        switch phase {
        case .pending: return .pending
        case .running: return .running
        case .sleeping: return .sleeping
        case .waiting: return .waiting
        case .inThread: return .inThread
        }
    }
}
