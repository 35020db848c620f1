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
