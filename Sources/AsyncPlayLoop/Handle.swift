import AsyncPlayCore
/// Everything the loop runs is a callback put on the ready queue, as CPython's `Handle`.
/// An enum rather than closures: no allocation per call, and `trace` can say what ran.
public enum Callback {
    /// `Task.__step`: drive a task's coroutine one step, optionally throwing into it.
    case step(StepTarget, PyException?)
    /// A future's done-callback; futures never call them directly, always via `call_soon`.
    case done(DoneCall)
    /// `futures._set_result_unless_cancelled` / `tasks._release_waiter`: resolve with None.
    case resolve(Future)
    /// A task's own sleep timer fell due: the `_set_result_unless_cancelled` of the sleep
    /// future it does not have (see `Task.ownFuture`).
    case sleepDue(StepTarget)
    /// `Task.__wakeup` from that sleep: step the task with what the sleep future's
    /// `result()` would give (nil, or the CancelledError of cancelling the sleep). Runs
    /// as `.step`; a trace names it as the future's callback it stands for.
    case wake(StepTarget, PyException?)
    /// `_chain_future`'s `_set_state`: a thread job ended; copy that into its asyncio future.
    case jobEnded(ThreadJob)
    /// `call_soon_threadsafe` from another thread (the shell delivering a typed line).
    case external(@Sendable () -> Void)
}

/// A done-callback and its future as the ready queue holds them. A reference is counted
/// only where it must be: a task and the session's end reporter live as long as the loop
/// (so a task woken by what it awaited, or reported as ended, costs no atomic operation),
/// and so does a task as the future. Whatever is counted is released after the call, or
/// by `releaseCounted` if the loop goes away first.
public struct DoneCall {
    let callback: Unmanaged<DoneCallback>
    let future: Unmanaged<Future>
    let callbackCounted: Bool
    let futureCounted: Bool

    /// Takes over one count of `callback` if `callbackCounted`; counts `future` unless it
    /// lives as long as the loop.
    init(_ callback: Unmanaged<DoneCallback>, counted callbackCounted: Bool, of future: Future) {
        self.callback = callback
        self.callbackCounted = callbackCounted
        futureCounted = !future.livesWithLoop
        self.future = futureCounted ? .passRetained(future) : .passUnretained(future)
    }

    package var target: DoneCallback { callback.takeUnretainedValue() }
    package var doneFuture: Future { future.takeUnretainedValue() }

    func invoke() {
        callback._withUnsafeGuaranteedRef { cb in future._withUnsafeGuaranteedRef { cb.futureDone($0) } }
        releaseCounted()
    }

    func releaseCounted() {
        if callbackCounted { callback.release() }
        if futureCounted { future.release() }
    }
}

/// The task a `.step` callback drives, held without a reference count: a task that can
/// be stepped is kept by the session for as long as its loop lives (the session's tasks
/// and main are let go only after the loop and its ready queue are), and a step or two
/// per task in every run were two atomic counts each.
public struct StepTarget {
    private let ref: Unmanaged<Task>
    init(_ task: Task) { ref = .passUnretained(task) }
    public var task: Task { ref.takeUnretainedValue() }
    /// Calls `body` with the task, without a retain and release around the call.
    func withTask<R>(_ body: (Task) -> R) -> R { ref._withUnsafeGuaranteedRef(body) }
}

/// Something registered with `Future.addDoneCallback`. Identity is what
/// `remove_done_callback` compares.
///
/// A class, not a protocol: a reference to a class is one word where a protocol
/// existential is two, and every future keeps two callbacks inline (a million tasks'
/// records each 16 bytes smaller). Future is a subclass only because a Task and gather's
/// future are both futures and callbacks; a plain future never registers itself.
open class DoneCallback {
    package init() {}
    /// The future is done: called by the loop, one batch after it finished.
    open func futureDone(_ future: Future) {
        fatalError("DoneCallback.futureDone: a subclass says what to do")
    }
}

/// A future that a timer resolves at its deadline: asyncio's
/// `fut = loop.create_future(); h = loop.call_at(when, _set_result_unless_cancelled, fut)`
/// in one object. The timeouts of wait and wait_for, main's `sleep` and a `run` body's
/// sleeps are of this kind; a spawned task's sleep needs no object at all (`Task.ownFuture`).
/// `cancelTimer()` is `h.cancel()`: it only marks the timer; the loop drops it when it
/// reaches the head of the heap or the ready queue. The timer queue keeps the deadline.
public final class TimerFuture: Future {
    public func cancelTimer() { cancelHeldTimer() }
}

extension Future {
    /// `TimerHandle.cancel()` for the timer this future is (a TimerFuture or a task's
    /// own sleep): marks it, and counts it while it is still in the heap.
    package final func cancelHeldTimer() {
        guard !timerCancelled else { return }
        timerCancelled = true
        if timerScheduled { loop.timerCancelled() }
    }
}

/// What sits on the ready queue: a plain callback, or a timer that fell due (and may
/// still be cancelled before its turn comes, as in CPython).
enum ReadyItem {
    case call(Callback)
    /// A TimerFuture, or a task whose own sleep is due; with its deadline (µs).
    case timer(Future, deadline: Int64)
}
