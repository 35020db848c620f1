import AsyncPlayCore
import DequeModule
/// One `thread D` step: blocking work handed to `run_in_executor`. It takes exactly D once a
/// worker picks it up, even while the loop is held; once running it cannot be cancelled.
public final class ThreadJob: DoneCallback {
    public enum State { case queued, running, finished, cancelled }

    public let duration: TimeAmount
    public private(set) var state = State.queued
    public private(set) var startedAt: Instant?
    public private(set) var endsAt: Instant?
    /// The asyncio future the awaiting task is blocked on (`wrap_future`'s destination).
    package let future: Future
    /// Who submitted it, for the trace.
    public let owner: String
    /// The submitter's own number for it, handed back in `ThreadPool.onChange` (the
    /// session's: the task's ID, or -1 for main's `run` body).
    public let tag: Int

    init(duration: TimeAmount, future: Future, owner: String, tag: Int) {
        self.duration = duration
        self.future = future
        self.owner = owner
        self.tag = tag
    }

    func start(at t: Instant) {
        state = .running
        startedAt = t
        endsAt = t + duration
    }

    func finish() { state = .finished }

    /// `concurrent.futures.Future.cancel()`: only a job still in the queue can be cancelled.
    func cancelIfQueued() {
        if state == .queued { state = .cancelled }
    }

    /// `_chain_future`'s `_call_check_cancel`: when the awaiting side is cancelled,
    /// cancel the job too (which only works while it waits in the queue).
    override public func futureDone(_ f: Future) {
        if f.isCancelled { cancelIfQueued() }
    }
}

/// The `run_in_executor` pool: N virtual workers and a FIFO queue (`set workers N`).
final class ThreadPool {
    private(set) var workers: Int
    private var queue = Deque<ThreadJob>()
    private var running: [ThreadJob] = []      // at most `workers`: a linear scan is fine
    private var startOrder: [ObjectIdentifier: UInt64] = [:]
    private var started: UInt64 = 0

    /// Told when a worker takes a job (state `.running`) and when it finishes one
    /// (`.finished`), with the instant it really happened: a worker freed while the loop
    /// was held took the next job then, not when the loop noticed.
    var onChange: ((ThreadJob, ThreadJob.State, Instant) -> Void)?

    init(workers: Int) { self.workers = workers }

    var busyWorkers: Int { running.count }
    var queuedJobs: Int { queue.count }

    func submit(_ job: ThreadJob, at t: Instant) {
        queue.append(job)
        dispatch(at: t)
    }

    func resize(_ n: Int, at t: Instant) {
        workers = n
        dispatch(at: t)
    }

    /// When the next running job ends, if any.
    var nextEnd: Instant? {
        var best: ThreadJob? = nil
        for j in running where best == nil || ends(j, before: best!) { best = j }
        return best?.endsAt
    }

    /// Ends, in time order, every job that is over by `t`; each freed worker takes the
    /// next queued job at the moment it became free. `ended` is called per finished job.
    func complete(until t: Instant, _ ended: (ThreadJob, Instant) -> Void) {
        while true {
            var index: Int? = nil
            for (i, j) in running.enumerated() where j.endsAt! <= t && (index == nil || ends(j, before: running[index!])) {
                index = i
            }
            guard let i = index else { return }
            let job = running.remove(at: i)
            startOrder[ObjectIdentifier(job)] = nil
            job.finish()
            onChange?(job, .finished, job.endsAt!)
            ended(job, job.endsAt!)
            dispatch(at: job.endsAt!)
        }
    }

    private func ends(_ a: ThreadJob, before b: ThreadJob) -> Bool {
        if a.endsAt! != b.endsAt! { return a.endsAt! < b.endsAt! }
        return startOrder[ObjectIdentifier(a)]! < startOrder[ObjectIdentifier(b)]!
    }

    private func dispatch(at t: Instant) {
        while running.count < workers, let job = queue.popFirst() {
            guard job.state == .queued else { continue }      // cancelled while queued: never runs
            job.start(at: t)
            started += 1
            startOrder[ObjectIdentifier(job)] = started
            running.append(job)
            onChange?(job, .running, t)
        }
    }
}
