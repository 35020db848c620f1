import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayLoop
import AsyncPlayEvents
/// A spawned task as the session knows it, beside the loop's Task: what it was made
/// with (name, body, line). A plain value in the session's table, never changed after
/// the spawn; what changes as the body runs is its `TaskProgress`. A `run` body (awaited
/// inline by main) has one of its own. Times are not kept here: they are in the events
/// (created, started, done…), which `status` and the other views fold.
struct TaskRecord {
    /// The loop's task (none for a `run` body, which main runs inline).
    let task: Task?
    let name: String
    /// The task's identity in the records: its creation order within the loop; a `run`
    /// body's is negative (-1, -2, … in the loop).
    let id: TaskID
    let line: Int32
    let body: Body

    init(task: Task?, name: String, id: TaskID, line: Int, body: Body) {
        self.task = task
        self.name = name
        self.id = id
        self.line = Int32(clamping: line)
        self.body = body
    }

    /// A spawned task (false: a `run` body).
    var isTask: Bool { task != nil }
}

/// Where a body's coroutine is and what it is suspended on: plain data (no references),
/// so a step copies it in and out for nothing.
struct TaskProgress {
    enum Phase {
        case pending
        case running
        case sleeping(until: Instant)
        /// Awaiting the task whose place in the session's table this is.
        case waiting(for: Int32)
        case inThread(ThreadJob)
    }

    var phase = Phase.pending
    /// The body's step; -1: not started yet.
    var stepIndex: Int32 = -1

    var waitsForTask: Int32? {
        if case .waiting(let t) = phase { return t }
        return nil
    }
}

extension Session {
    /// What `status` shows of the task at `index` now.
    func state(ofTaskAt index: Int) -> TaskState {
        let future = loop.future(of: tasks[index].task!)
        if loop.isCancelled(future) { return .cancelled }
        if loop.isDone(future) { return loop.exception(future) == nil ? .done : .failed }
        if loop.cancelRequests(tasks[index].task!) > 0 { return .cancelling }
        switch progress[index].phase {
        case .pending: return .pending
        case .running: return .running
        case .sleeping: return .sleeping
        case .waiting: return .waiting
        case .inThread: return .inThread
        }
    }

    /// The `status` row the live records give now, with the times given (the records keep
    /// none: they are in the events). `status` itself is drawn from the recorded events
    /// (StatusFold); StatusFoldTests checks the two agree at every `status` of every
    /// fixture and lesson.
    func statusRow(ofTaskAt index: Int, created: Instant, started: Instant?, finished: Instant?) -> StatusRow {
        let r = tasks[index], p = progress[index]
        let future = loop.future(of: r.task!)
        let st = state(ofTaskAt: index)
        var until: Instant? = nil
        var waits: String? = nil
        var queued: Bool? = nil
        switch (st, p.phase) {
        case (.sleeping, .sleeping(let u)): until = u
        case (.waiting, .waiting(let t)): waits = tasks[Int(t)].name
        case (.inThread, .inThread(let job)): queued = loop.state(of: job) == .queued
        default: break
        }
        return StatusRow(name: r.name, state: st,
                         result: st == .done ? loop.value(future) : nil,
                         error: st == .failed ? loop.exception(future) : nil,
                         created: created, started: started, finished: finished,
                         until: until, waitsFor: waits, queued: queued)
    }
}
