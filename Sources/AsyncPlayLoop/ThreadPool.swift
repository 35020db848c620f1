import AsyncPlayCore
import DequeModule
/// One `thread D` step: blocking work handed to `run_in_executor`, as a handle into the
/// pool's table. It takes exactly D once a worker picks it up, even while the loop is
/// held; once running it cannot be cancelled.
public struct ThreadJob: Hashable, Sendable {
    let index: Int32
    public enum State: Sendable { case queued, running, finished, cancelled }
}

/// A job's state in the pool's table.
struct ThreadJobState {
    let duration: TimeAmount
    var state = ThreadJob.State.queued
    var startedAt = Instant.start
    var endsAt = Instant.start
    /// Order of taking by a worker: equal ends finish in the order the jobs started.
    var startOrder: UInt64 = 0
    /// The asyncio future the awaiting side is blocked on (`wrap_future`'s destination).
    let future: Future
    /// Who submitted it, for the trace.
    let owner: String
    /// The submitter's own number for it (the session's: the task's ID, or -1 for main's
    /// `run` body).
    let tag: Int
}

/// The `run_in_executor` pool: N virtual workers and a FIFO queue (`set workers N`).
struct ThreadPool {
    private(set) var workers: Int
    private(set) var jobs: [ThreadJobState] = []
    private var queue = Deque<Int32>()
    private var running: [Int32] = []      // at most `workers`: a linear scan is fine
    private var started: UInt64 = 0

    init(workers: Int) { self.workers = workers }

    var busyWorkers: Int { running.count }

    subscript(_ job: ThreadJob) -> ThreadJobState { jobs[Int(job.index)] }

    mutating func add(_ duration: TimeAmount, future: Future, owner: String, tag: Int) -> ThreadJob {
        jobs.append(ThreadJobState(duration: duration, future: future, owner: owner, tag: tag))
        return ThreadJob(index: Int32(jobs.count - 1))
    }

    /// Queues `job`; returns the jobs that workers took at `t` (in order).
    mutating func submit(_ job: ThreadJob, at t: Instant) -> [ThreadJob] {
        queue.append(job.index)
        return dispatch(at: t)
    }

    mutating func resize(_ n: Int, at t: Instant) -> [ThreadJob] {
        workers = n
        return dispatch(at: t)
    }

    /// `concurrent.futures.Future.cancel()`: only a job still in the queue can be cancelled.
    mutating func cancelIfQueued(_ job: ThreadJob) {
        if jobs[Int(job.index)].state == .queued { jobs[Int(job.index)].state = .cancelled }
    }

    /// When the next running job ends, if any.
    var nextEnd: Instant? { nextEnding(until: nil).map { jobs[Int($0.job)].endsAt } }

    /// The running job that ends first (by `limit`, if given): its place in `running`.
    private func nextEnding(until limit: Instant?) -> (at: Int, job: Int32)? {
        var best: (at: Int, job: Int32)? = nil
        for (i, j) in running.enumerated() {
            let s = jobs[Int(j)]
            if let limit, s.endsAt > limit { continue }
            if let b = best {
                let o = jobs[Int(b.job)]
                if (s.endsAt, s.startOrder) >= (o.endsAt, o.startOrder) { continue }
            }
            best = (i, j)
        }
        return best
    }

    /// Ends the first job that is over by `t`, if any: returns it, and the jobs its freed
    /// worker took at the moment it became free.
    mutating func completeNext(until t: Instant) -> (ended: ThreadJob, taken: [ThreadJob])? {
        guard let (at, j) = nextEnding(until: t) else { return nil }
        running.remove(at: at)
        jobs[Int(j)].state = .finished
        return (ThreadJob(index: j), dispatch(at: jobs[Int(j)].endsAt))
    }

    private mutating func dispatch(at t: Instant) -> [ThreadJob] {
        var taken: [ThreadJob] = []
        while running.count < workers, let j = queue.popFirst() {
            guard jobs[Int(j)].state == .queued else { continue }      // cancelled while queued: never runs
            jobs[Int(j)].state = .running
            jobs[Int(j)].startedAt = t
            jobs[Int(j)].endsAt = t + jobs[Int(j)].duration
            started += 1
            jobs[Int(j)].startOrder = started
            running.append(j)
            taken.append(ThreadJob(index: j))
        }
        return taken
    }
}
