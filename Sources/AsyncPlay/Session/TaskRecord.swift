/// A spawned task as the session knows it: the asyncio Task itself, its times, and what
/// its coroutine is suspended on (for status and deadlocks). It is also the coroutine
/// its body runs as (see BodyCoroutine.swift): one object per task, not three, because
/// a million tasks each carry one. A `run` body is a record whose task never starts.
public final class TaskRecord: Task {
    public enum Phase {
        case pending
        case running
        case sleeping(until: Instant)
        case waiting(for: String)
        case inThread(ThreadJob)
    }

    /// Creation order within the loop (sets and status list tasks in this order).
    public let sequence: Int
    public let created: Instant
    public let createdLine: Int
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
    /// The asyncio Task (this record itself). For a `run` body, which main awaits inline,
    /// it is never started and nothing looks at it.
    public var task: Task { self }
    /// The session that runs the body and reports this task's end (it outlives every
    /// task it runs).
    unowned(unsafe) let session: Session

    // The body's coroutine: where it is, and what the current step is suspended on.
    let body: Body
    var stepIndex = -1          // -1: not started yet
    var sleep = SleepOperation()
    var awaited: Future?
    /// A spawned task (false: a `run` body, awaited inline by main).
    var isTask: Bool { sequence >= 0 }

    /// `sequence` is -1 for a `run` body.
    /// Not started yet: a spawned task's first step is scheduled by `start(coroutine: self)`;
    /// a `run` body (`sequence` -1) is never started as a task.
    init(name: String, sequence: Int, line: Int, body: Body, session: Session) {
        self.sequence = sequence
        self.created = session.loop.now
        self.createdLine = line
        self.body = body
        self.session = session
        super.init(loop: session.loop, name: name)
    }

    var waitsFor: String? {
        if case .waiting(let n) = phase { return n }
        return nil
    }

    public var state: TaskState {
        switch futureState {
        case .cancelled: return .cancelled
        case .finished: return task.exception == nil ? .done : .failed
        case .pending: break
        }
        if task.cancelRequests > 0 { return .cancelling }
        switch phase {
        case .pending: return .pending
        case .running: return .running
        case .sleeping: return .sleeping
        case .waiting: return .waiting
        case .inThread: return .inThread
        }
    }

    var statusRow: StatusRow {
        let st = state
        var until: Instant? = nil
        var waits: String? = nil
        var queued: Bool? = nil
        switch (st, phase) {
        case (.sleeping, .sleeping(let u)): until = u
        case (.waiting, .waiting(let n)): waits = n
        case (.inThread, .inThread(let job)): queued = job.state == .queued
        default: break
        }
        return StatusRow(name: name, state: st,
                         result: st == .done ? task.value : nil,
                         error: st == .failed ? task.exception : nil,
                         created: created, started: started, finished: finished,
                         until: until, waitsFor: waits, queued: queued)
    }
}
