import AsyncPlayCore
import DequeModule
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the loop reports to whoever watches it (the session's `trace`): one hook point,
/// called for every callback the loop runs, as Trio's instrumentation.
public protocol LoopInstrument: AnyObject {
    func willRun(_ callback: Callback, at t: Instant, lateBy: TimeAmount?)
}

/// An asyncio-style event loop: a FIFO ready queue, a timer heap ordered by
/// (deadline, scheduling order), a thread pool, and a clock that is virtual or real.
///
/// Single-threaded: everything but `callSoonThreadsafe` runs on the loop's own thread.
public final class EventLoop {
    public let clock: LoopClock
    private var ready = Deque<ReadyItem>()
    private let timers = TimerQueue()
    private var cancelledTimers = 0
    let pool: ThreadPool

    /// The task whose step is running (`asyncio.current_task()`); set only for the length
    /// of the step, while the task is alive anyway (so no reference counting).
    public internal(set) unowned(unsafe) var currentTask: Task?
    /// Held strongly (the session's tracer holds the session unowned: no cycle): a weak
    /// load for every callback run cost more than running some of them.
    public var instrument: LoopInstrument?
    /// When set, how late (µs) every timer ran compared with its deadline (benchmarks).
    public var timerLateness: [Int64]?

    /// Called when nothing is ready and no timer is due: returns true if it made work
    /// (the script's next line "arrives" while main waits for input).
    public var onIdle: (() -> Bool)?
    /// Called when the loop would wait forever (nothing ready, no timers, no busy workers);
    /// returns true if it made work (the session throws a deadlock into main).
    public var onStall: (() -> Bool)?

    /// Work handed in from other threads, moved to the ready queue by `poll`.
    public let inbox: ThreadsafeInbox

    /// The clock when it is virtual: read directly, not through the protocol (the loop
    /// asks for the time several times per task).
    private let virtualClock: VirtualClock?

    public init(clock: LoopClock, workers: Int) {
        self.clock = clock
        virtualClock = clock as? VirtualClock
        pool = ThreadPool(workers: workers)
        inbox = ThreadsafeInbox(wake: clock.waker)
    }

    deinit {
        timers.removeAll()
        // Callbacks never run: let go of what they counted.
        while let item = ready.popFirst() {
            if case .call(.done(let call)) = item { call.releaseCounted() }
        }
    }

    public var now: Instant { virtualClock?.now ?? clock.now }

    // MARK: - Scheduling

    func callSoon(_ cb: consuming Callback) { ready.append(.call(cb)) }

    /// A future resolved with None after `delay`, unless cancelled first (see `TimerFuture`).
    package func futureResolved(after delay: TimeAmount) -> TimerFuture {
        let t = TimerFuture(loop: self)
        hold(timer: t, until: now + delay)
        return t
    }

    /// Puts `task`'s own sleep timer in the queue (see `Task.ownFuture`).
    package func scheduleOwnSleep(_ task: Task, until deadline: Instant) {
        task.timerIsOwnSleep = true
        hold(timer: task, until: deadline)
    }

    private func hold(timer t: Future, until deadline: Instant) {
        t.timerScheduled = true
        t.timerCancelled = false
        t.timerHeld = true
        timers.push(t, deadline: deadline.microseconds)
    }

    /// `loop.call_soon_threadsafe`: thread-safe, the only entry point for other threads.
    public func callSoonThreadsafe(_ work: @escaping @Sendable () -> Void) { inbox.post(work) }

    func timerCancelled() { cancelledTimers += 1 }

    package func createFuture() -> Future { Future(loop: self) }

    /// `loop.run_in_executor(None, work)`: a job for the pool, and the future to await.
    /// Submitted at `t`, the instant the caller read (a real clock moves between reads).
    package func runInExecutor(_ duration: TimeAmount, owner: String, tag: Int, at t: Instant) -> ThreadJob {
        let job = ThreadJob(duration: duration, future: createFuture(), owner: owner, tag: tag)
        job.future.addDoneCallback(job)
        pool.submit(job, at: t)
        return job
    }

    /// Told when a worker of the pool takes a job and when it finishes one, with the
    /// instant it happened (see `ThreadPool.onChange`).
    public var onThreadJob: ((ThreadJob, ThreadJob.State, Instant) -> Void)? {
        get { pool.onChange }
        set { pool.onChange = newValue }
    }

    public func setWorkers(_ n: Int) { pool.resize(n, at: now) }
    public var workers: Int { pool.workers }
    public var busyWorkers: Int { pool.busyWorkers }

    /// Blocking work on the loop thread (`cpu`, `block`): time passes and nothing else on the
    /// loop runs; thread jobs keep running and end on time, their results queued in order.
    /// When the last `cpu`/`block` hold ended: a timer due before that fired late because
    /// the loop was held (on a real clock, a few ms of lateness can also be the machine).
    public private(set) var lastHoldEnd = Instant.start

    package func hold(_ amount: TimeAmount) {
        defer { lastHoldEnd = now }
        let target = now + amount
        if let virtual = virtualClock {
            while let end = pool.nextEnd, end <= target {
                virtual.advance(to: end)
                finishJobs(until: end)
            }
            virtual.advance(to: target)
        } else {
            clock.hold(amount)
            finishJobs(until: now)
        }
    }

    private func finishJobs(until t: Instant) {
        pool.complete(until: t) { job, _ in
            // `call_soon_threadsafe(_set_state, …)`: the job's outcome reaches the loop
            // as a callback, after whatever is already queued.
            ready.append(.call(.jobEnded(job)))
        }
    }

    // MARK: - Running

    public var hasReadyWork: Bool { !ready.isEmpty }
    public var hasTimers: Bool { timers.count > cancelledTimers }

    /// One iteration, as `BaseEventLoop._run_once`:
    /// 1. drop cancelled timers from the head of the heap;
    /// 2. poll: the one place the loop may wait (for the next deadline, a thread job, or
    ///    input), with no wait at all when callbacks are ready or a timer is due;
    /// 3. move every timer that is due to the ready queue;
    /// 4. run exactly the callbacks that were ready when this batch began — anything they
    ///    schedule waits for the next iteration.
    public func runOnce() {
        dropCancelledTimers()
        poll()
        let t = now
        while let deadline = timers.firstDeadline, deadline <= t.microseconds {
            let head = timers.pop()!
            if head.timerCancelled { drop(head); cancelledTimers -= 1; continue }
            head.timerScheduled = false           // due: in the ready queue, still held
            ready.append(.timer(head, deadline: deadline))
        }
        var batch = ready.count
        while batch > 0, let item = ready.popFirst() {
            batch -= 1
            switch consume item {
            case .call(let cb):
                run(cb, lateBy: nil)
            case .timer(let timer, let deadline):
                timer.timerHeld = false
                if timer.timerCancelled { continue }
                let late = TimeAmount(microseconds: now.microseconds - deadline)
                timerLateness?.append(late.microseconds)
                if timer.timerIsOwnSleep {
                    run(.sleepDue(StepTarget(unsafeDowncast(timer, to: Task.self))), lateBy: late)
                } else {
                    run(.resolve(timer), lateBy: late)
                }
            }
        }
    }

    /// A cancelled timer leaves the loop without running.
    private func drop(_ timer: Future) {
        timer.timerScheduled = false
        timer.timerHeld = false
    }

    @inline(__always)
    private func dropCancelledTimers() {
        // No timer cancelled, the usual case, is told inline and without reading the head
        // timer's flag (a cache miss at a million timers).
        guard cancelledTimers > 0 else { return }
        dropSomeCancelledTimers()
    }

    private func dropSomeCancelledTimers() {
        if timers.count > 100 && cancelledTimers * 2 > timers.count {
            timers.removeCancelled(drop)
            cancelledTimers = 0
        } else {
            while timers.firstIsCancelled {
                drop(timers.pop()!)
                cancelledTimers -= 1
            }
        }
    }

    private func poll() {
        takeInbox()
        if pool.busyWorkers > 0 { finishJobs(until: now) }
        if !ready.isEmpty { return }
        var deadline = timers.firstDeadline.map { Instant(microseconds: $0) }
        if let d = deadline, d <= now { return }              // a timer is due: no wait
        if let onIdle, onIdle() { return }                   // input arrived
        if !ready.isEmpty { return }
        if let end = pool.nextEnd { deadline = deadline.map { min($0, end) } ?? end }
        if deadline == nil {
            if let onStall, onStall() { return }
            if clock.isVirtual { return }        // nothing can ever happen: let the driver see it
        }
        clock.wait(until: deadline)
        takeInbox()
        if pool.busyWorkers > 0 { finishJobs(until: now) }
    }

    @inline(__always)
    private func takeInbox() {
        guard inbox.hasWork else { return }
        for work in inbox.takeAll() { ready.append(.call(.external(work))) }
    }

    private func run(_ cb: Callback, lateBy: TimeAmount?) {
        if let instrument { instrument.willRun(cb, at: now, lateBy: lateBy) }
        switch cb {
        case .step(let target, let exc):
            target.withTask { task in if !task.isDone { task.step(exc) } }
        case .wake(let target, let exc):            // runs as `.step` (traced differently)
            target.withTask { task in if !task.isDone { task.step(exc) } }
        case .done(let call):
            call.invoke()
        case .resolve(let future):
            if !future.isDone { future.setResult(.none) }
        case .sleepDue(let target):
            target.withTask { $0.resolveOwnFuture() }
        case .jobEnded(let job):
            // `_copy_future_state`: nothing to do if the awaiting side gave up.
            if !job.future.isDone { job.future.setResult(.none) }
        case .external(let work):
            work()
        }
    }
}

/// What other threads hand the loop (`call_soon_threadsafe`): a locked list of work, and
/// a wake-up for a loop that waits on its clock.
public final class ThreadsafeInbox: Sendable {
    private let work = Mutex<[@Sendable () -> Void]>([])
    /// Set after an append, cleared when the loop takes the list: an iteration with
    /// nothing handed in reads one atomic, not the lock.
    private let pending = Atomic<Bool>(false)
    private let wake: @Sendable () -> Void

    init(wake: @escaping @Sendable () -> Void) { self.wake = wake }

    /// Any thread: queues `w` for the loop, and wakes it.
    public func post(_ w: @escaping @Sendable () -> Void) {
        work.withLock { list in
            list.append(w)
            pending.store(true, ordering: .releasing)
        }
        wake()
    }

    var hasWork: Bool { pending.load(ordering: .acquiring) }

    /// The loop's thread: everything handed in so far, in order.
    func takeAll() -> [@Sendable () -> Void] {
        work.withLock { list in
            pending.store(false, ordering: .relaxed)
            defer { list.removeAll(keepingCapacity: true) }
            return list
        }
    }
}
