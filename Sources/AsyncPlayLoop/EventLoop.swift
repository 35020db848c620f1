import AsyncPlayCore
import AsyncPlayCollections
import DequeModule
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An asyncio-style event loop: a FIFO ready queue of handles, a timer heap ordered by
/// (deadline, scheduling order), a thread pool, and a clock that is virtual or real.
///
/// The loop owns the state of every future and task it runs, in tables of plain values
/// (`futures`, `tasks`, and the tables of gathers and waits); `Future`, `Task` and
/// `ThreadJob` are handles into them. Nothing it holds is reference counted per task,
/// and no future is freed while its loop lives (a loop lives until `reset` or exit).
///
/// Single-threaded: everything but `callSoonThreadsafe` runs on the loop's own thread.
public final class EventLoop {
    public let clock: LoopClock

    // The loop's state: tables and cells it owns (AsyncPlayCollections), changed in place.
    let futures = SlotTable<FutureSlot>()
    let tasks = SlotTable<TaskSlot>()
    let gathers = SlotTable<GatherState>()
    let waits = SlotTable<WaitState>()
    private let state: Cell<State>

    /// The rest of the loop's state, in one cell.
    struct State {
        var ready = Deque<ReadyItem>()
        var timers = TimerQueue()
        var cancelledTimers = 0
        var pool: ThreadPool
        /// The third and later done-callbacks of a future, by future (`FutureSlot.Flags.hasMore`).
        var moreCallbacks: [Int32: [DoneCallback]] = [:]
        /// `_cancel_message` of the few futures cancelled with a message.
        var cancelMessages: [Int32: String] = [:]
        var currentTask: Task?
        var tracing = false
        var timerLateness: [Int64]?
        var lastHoldEnd = Instant.start
    }

    var ready: Deque<ReadyItem> { _read { yield state.value.ready } _modify { yield &state.value.ready } }
    var timers: TimerQueue { _read { yield state.value.timers } _modify { yield &state.value.timers } }
    var cancelledTimers: Int { _read { yield state.value.cancelledTimers } _modify { yield &state.value.cancelledTimers } }
    var pool: ThreadPool { _read { yield state.value.pool } _modify { yield &state.value.pool } }
    var moreCallbacks: [Int32: [DoneCallback]] {
        _read { yield state.value.moreCallbacks } _modify { yield &state.value.moreCallbacks }
    }
    var cancelMessages: [Int32: String] {
        _read { yield state.value.cancelMessages } _modify { yield &state.value.cancelMessages }
    }

    /// The task whose step is running (`asyncio.current_task()`).
    public internal(set) var currentTask: Task? {
        get { state.value.currentTask }
        set { state.value.currentTask = newValue }
    }
    /// Whether the driver's `willRun` is called before each handle (`trace on`).
    public var tracing: Bool {
        get { state.value.tracing }
        set { state.value.tracing = newValue }
    }
    /// When set, how late (µs) every timer ran compared with its deadline (benchmarks).
    public var timerLateness: [Int64]? {
        get { state.value.timerLateness }
        set { state.value.timerLateness = newValue }
    }

    /// Work handed in from other threads, moved to the ready queue by `poll`.
    public let inbox: ThreadsafeInbox

    /// The clock when it is virtual: read directly, not through the protocol (the loop
    /// asks for the time several times per task).
    private let virtualClock: VirtualClock?

    /// `expectedTasks`: how many tasks the loop will likely run (its tables are sized for
    /// them at once instead of growing by doubling).
    public init(clock: LoopClock, workers: Int, expectedTasks: Int = 0) {
        self.clock = clock
        virtualClock = clock as? VirtualClock
        state = Cell(State(pool: ThreadPool(workers: workers)))
        inbox = ThreadsafeInbox(wake: clock.waker)
        tasks.reserveCapacity(expectedTasks + 1)
        futures.reserveCapacity(expectedTasks + 16)
    }

    public var now: Instant { virtualClock?.now ?? clock.now }

    // MARK: - Scheduling

    /// `loop.call_soon(handle)`.
    func callSoon(_ h: Handle) { ready.append(.call(h)) }

    /// A future resolved with None after `delay`, unless cancelled first: asyncio's
    /// `fut = loop.create_future(); h = loop.call_later(delay, _set_result_unless_cancelled, fut)`
    /// in one table entry, whose timer `cancelTimer` cancels (`h.cancel()`).
    package func futureResolved(after delay: TimeAmount) -> Future {
        let f = makeFuture(.timer)
        hold(timer: f, until: now + delay)
        return f
    }

    func hold(timer f: Future, until deadline: Instant) {
        let i = Int(f.index)
        futures[i].flags.insert([.timerScheduled, .timerHeld])
        futures[i].flags.remove(.timerCancelled)
        timers.push(f, deadline: deadline.microseconds)
    }

    /// `TimerHandle.cancel()` for the timer of `f` (a timer future or a task's own sleep):
    /// marks it, and counts it while it is still in the heap. The loop drops it when it
    /// reaches the head of the heap or the ready queue.
    package func cancelTimer(_ f: Future) {
        let i = Int(f.index)
        guard !futures[i].flags.contains(.timerCancelled) else { return }
        futures[i].flags.insert(.timerCancelled)
        if futures[i].flags.contains(.timerScheduled) { cancelledTimers += 1 }
    }

    package func isTimerCancelled(_ f: Future) -> Bool { futures[Int(f.index)].flags.contains(.timerCancelled) }

    /// `loop.call_soon_threadsafe`: thread-safe, the only entry point for other threads.
    public func callSoonThreadsafe(_ work: @escaping @Sendable () -> Void) { inbox.post(work) }

    // MARK: - The executor

    /// `loop.run_in_executor(None, work)`: a job for the pool, and the future to await.
    /// Submitted at `t`, the instant the caller read (a real clock moves between reads).
    package func runInExecutor<D: TaskDriver>(_ duration: TimeAmount, owner: String, tag: Int, at t: Instant,
                                              _ driver: D) -> ThreadJob {
        let f = createFuture()
        let job = pool.add(duration, future: f, owner: owner, tag: tag)
        addDoneCallback(f, DoneCallback(.executorCancel, job.index))
        for taken in pool.submit(job, at: t) { driver.threadJob(taken, changedTo: .running, at: t, on: self) }
        return job
    }

    public func state(of job: ThreadJob) -> ThreadJob.State { pool[job].state }
    public func future(of job: ThreadJob) -> Future { pool[job].future }
    public func tag(of job: ThreadJob) -> Int { pool[job].tag }
    public func owner(of job: ThreadJob) -> String { pool[job].owner }

    public func setWorkers<D: TaskDriver>(_ n: Int, _ driver: D) {
        let t = now
        for taken in pool.resize(n, at: t) { driver.threadJob(taken, changedTo: .running, at: t, on: self) }
    }
    public var workers: Int { pool.workers }
    public var busyWorkers: Int { pool.busyWorkers }

    /// Blocking work on the loop thread (`cpu`, `block`): time passes and nothing else on the
    /// loop runs; thread jobs keep running and end on time, their results queued in order.
    /// When the last `cpu`/`block` hold ended: a timer due before that fired late because
    /// the loop was held (on a real clock, a few ms of lateness can also be the machine).
    public private(set) var lastHoldEnd: Instant {
        get { state.value.lastHoldEnd }
        set { state.value.lastHoldEnd = newValue }
    }

    package func hold<D: TaskDriver>(_ amount: TimeAmount, _ driver: D) {
        defer { lastHoldEnd = now }
        let target = now + amount
        if let virtual = virtualClock {
            while let end = pool.nextEnd, end <= target {
                virtual.advance(to: end)
                finishJobs(until: end, driver)
            }
            virtual.advance(to: target)
        } else {
            clock.hold(amount)
            finishJobs(until: now, driver)
        }
    }

    /// Ends every job that is over by `t`, in time order; each freed worker takes the next
    /// queued job at the moment it became free.
    private func finishJobs<D: TaskDriver>(until t: Instant, _ driver: D) {
        while let (ended, taken) = pool.completeNext(until: t) {
            let end = pool[ended].endsAt
            driver.threadJob(ended, changedTo: .finished, at: end, on: self)
            // `call_soon_threadsafe(_set_state, …)`: the job's outcome reaches the loop
            // as a callback, after whatever is already queued.
            callSoon(.jobEnded(ended))
            for j in taken { driver.threadJob(j, changedTo: .running, at: end, on: self) }
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
    /// 4. run exactly the handles that were ready when this batch began — anything they
    ///    schedule waits for the next iteration.
    public func runOnce<D: TaskDriver>(_ driver: D) {
        if cancelledTimers > 0 { dropCancelledTimers() }
        poll(driver)
        let t = now.microseconds
        while let deadline = timers.firstDeadline, deadline <= t {
            let head = timers.pop()!
            if futures[Int(head.index)].flags.contains(.timerCancelled) {
                drop(head)
                cancelledTimers -= 1
                continue
            }
            futures[Int(head.index)].flags.remove(.timerScheduled)   // due: in the ready queue, still held
            ready.append(.timer(head, deadline: deadline))
        }
        var batch = ready.count
        while batch > 0, let item = ready.popFirst() {
            batch -= 1
            switch consume item {
            case .call(let h):
                run(h, lateBy: nil, driver)
            case .timer(let f, let deadline):
                let i = Int(f.index)
                futures[i].flags.remove(.timerHeld)
                if futures[i].flags.contains(.timerCancelled) { continue }
                let late = TimeAmount(microseconds: now.microseconds - deadline)
                state.value.timerLateness?.append(late.microseconds)
                if case .task(let task) = futures[i].kind {
                    run(.sleepDue(Task(task)), lateBy: late, driver)
                } else {
                    run(.resolve(f), lateBy: late, driver)
                }
            }
        }
    }

    /// A cancelled timer leaves the loop without running.
    private func drop(_ f: Future) {
        futures[Int(f.index)].flags.remove([.timerScheduled, .timerHeld])
    }

    private func dropCancelledTimers() {
        if timers.count > 100 && cancelledTimers * 2 > timers.count {
            timers.removeCancelled({ futures[Int($0.index)].flags.contains(.timerCancelled) }, drop)
            cancelledTimers = 0
        } else {
            while let head = timers.first, futures[Int(head.index)].flags.contains(.timerCancelled) {
                _ = timers.pop()
                drop(head)
                cancelledTimers -= 1
            }
        }
    }

    private func poll<D: TaskDriver>(_ driver: D) {
        takeInbox()
        if pool.busyWorkers > 0 { finishJobs(until: now, driver) }
        if !ready.isEmpty { return }
        var deadline = timers.firstDeadline.map { Instant(microseconds: $0) }
        if let d = deadline, d <= now { return }              // a timer is due: no wait
        if driver.loopIsIdle(self) { return }                  // input arrived
        if !ready.isEmpty { return }
        if let end = pool.nextEnd { deadline = deadline.map { min($0, end) } ?? end }
        if deadline == nil {
            if driver.loopStalled(self) { return }
            if clock.isVirtual { return }        // nothing can ever happen: let the driver see it
        }
        clock.wait(until: deadline)
        takeInbox()
        if pool.busyWorkers > 0 { finishJobs(until: now, driver) }
    }

    private func takeInbox() {
        guard inbox.hasWork else { return }
        for work in inbox.takeAll() { callSoon(.external(work)) }
    }

    private func run<D: TaskDriver>(_ h: Handle, lateBy: TimeAmount?, _ driver: D) {
        if tracing { driver.willRun(h, at: now, lateBy: lateBy, on: self) }
        switch h {
        case .step(let task, let exc), .wake(let task, let exc):     // `.wake` runs as `.step`
            if !isDone(task) { step(task, exc, driver) }
        case .done(let cb, let f):
            runDoneCallback(cb, f, driver)
        case .resolve(let f):
            if !isDone(f) { setResult(f, .none) }
        case .sleepDue(let task):
            resolveOwnFuture(task)
        case .jobEnded(let job):
            // `_copy_future_state`: nothing to do if the awaiting side gave up.
            let f = pool[job].future
            if !isDone(f) { setResult(f, .none) }
        case .external(let work):
            work()
        }
    }

    private func runDoneCallback<D: TaskDriver>(_ cb: DoneCallback, _ f: Future, _ driver: D) {
        switch cb.kind {
        case .wakeup:
            // `Task.__wakeup`: the awaited future is done; resume with its outcome.
            step(Task(cb.argument), resultError(f), driver)
        case .gatherChild:
            gatherChildDone(cb.argument, f)
        case .waitCompletion:
            waitCompletion(cb.argument, f)
        case .releaseWaiter:
            // `_release_waiter`
            let waiter = Future(cb.argument)
            if !isDone(waiter) { setResult(waiter, .none) }
        case .executorCancel:
            // `_chain_future`'s `_call_check_cancel`: when the awaiting side is cancelled,
            // cancel the job too (which only works while it waits in the queue).
            if isCancelled(f) { pool.cancelIfQueued(ThreadJob(index: cb.argument)) }
        case .driver:
            driver.futureDone(f, tag: cb.argument, on: self)
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
