import AsyncPlayCore
/// Everything the loop runs is a handle on the ready queue, as CPython's `Handle`: which
/// function to call, with what. An enum of values rather than closures: no allocation
/// per call, no reference counted per task, and `trace` can say what ran.
public enum Handle {
    /// `Task.__step`: drive a task's coroutine one step, optionally throwing into it.
    case step(Task, PyException?)
    /// A future's done-callback; futures never call them directly, always via `call_soon`.
    case done(DoneCallback, Future)
    /// `futures._set_result_unless_cancelled` of a timer future: resolve with None.
    case resolve(Future)
    /// A task's own sleep timer fell due: the `_set_result_unless_cancelled` of the sleep
    /// future it does not have (see `OwnFuture`).
    case sleepDue(Task)
    /// `Task.__wakeup` from that sleep: step the task with what the sleep future's
    /// `result()` would give (nil, or the CancelledError of cancelling the sleep). Runs
    /// as `.step`; a trace names it as the future's callback it stands for.
    case wake(Task, PyException?)
    /// `_chain_future`'s `_set_state`: a thread job ended; copy that into its asyncio future.
    case jobEnded(ThreadJob)
    /// `call_soon_threadsafe` from another thread (the shell delivering a typed line).
    case external(@Sendable () -> Void)
}

/// What sits on the ready queue: a handle, or a timer that fell due (and may still be
/// cancelled before its turn comes, as in CPython).
enum ReadyItem {
    case call(Handle)
    /// A timer future, or a task's own sleep (its timer is the task's future: the loop
    /// tells them apart by the future's kind); with its deadline (µs).
    case timer(Future, deadline: Int64)
}

/// What drives the loop's tasks: the owner of their coroutines (the session), passed to
/// every call that may run one. The loop keeps no reference to it, so nothing needs a
/// rule about who outlives whom.
public protocol TaskDriver: AnyObject {
    /// The coroutine numbered `coroutine`, of `task`: `send(None)` when `thrown` is nil,
    /// else `throw(thrown)`. `awaited` is the future its last step suspended on (nil when
    /// it did not, or the task was let go of it).
    func resume(_ task: Task, coroutine: Int32, thrown: PyException?, awaited: Future?, on loop: EventLoop) -> Suspension
    /// A done-callback the driver registered (`DoneCallback.driver(tag)`) runs.
    func futureDone(_ future: Future, tag: Int32, on loop: EventLoop)
    /// A worker of the pool took a job (`.running`) or finished one (`.finished`), at `t`.
    func threadJob(_ job: ThreadJob, changedTo state: ThreadJob.State, at t: Instant, on loop: EventLoop)
    /// Nothing is ready and no timer is due: returns true if it made work (the script's
    /// next line "arrives" while main waits for input).
    func loopIsIdle(_ loop: EventLoop) -> Bool
    /// The loop would wait forever (nothing ready, no timers, no busy workers): returns
    /// true if it made work (the session throws a deadlock into main).
    func loopStalled(_ loop: EventLoop) -> Bool
    /// Called before every handle the loop runs while `loop.tracing` is on (Trio's
    /// instrumentation): `trace`.
    func willRun(_ handle: Handle, at t: Instant, lateBy: TimeAmount?, on loop: EventLoop)
}
