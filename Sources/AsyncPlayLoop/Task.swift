import AsyncPlayCore
/// An asyncio Task: a future driven by a coroutine, one `step` at a time (`tasks.py`).
/// What the coroutine is depends on the subclass: `CoroutineTask` drives any coroutine
/// (main's); the session's task record is its own coroutine (one object per spawned
/// task instead of two). Every member here is `final`.
open class Task: Future {
    public final let name: String
    /// The future this task is blocked on (`_fut_waiter`).
    public final internal(set) var waitingOn: Future?
    /// `cancelling()`: how many cancellations were requested.
    public final internal(set) var cancelRequests: Int32 = 0
    final var mustCancel = false
    /// Whether the coroutine has run its first step (a task cancelled before that never starts).
    public final private(set) var hasStarted = false

    /// A future awaited by this task alone and never shown to anyone, as the task's own
    /// state instead of an object: the task stands in for it, and the future's one
    /// done-callback (`__wakeup`) is a `.wake` of the task. Two such futures:
    /// - `await asyncio.sleep(d)`: its timer is the task itself in the loop's queue, so
    ///   a million sleeping tasks cost a million objects, not two million;
    /// - main's wait for its next line: the session resolves it when the line arrives
    ///   (a future per line, with its callback bookkeeping, was a tenth of a line's cost).
    enum OwnFuture: UInt8 {
        case none
        /// The future is pending: the task is blocked on it (`_fut_waiter`).
        case pending
        /// The future is done (resolved or cancelled); the `.wake` is queued and the task
        /// has not stepped yet.
        case done
    }
    final var ownFuture = OwnFuture.none
    /// Whether the last cancellation walk through this task reached a level that accepted
    /// it, so a CancelledError is on its way here (false after a walk that met a cycle).
    final var cancelArranged = false

    /// Not started: `start()` schedules the first step (`loop.create_task(coro)`).
    package init(loop: EventLoop, name: String) {
        self.name = name
        super.init(loop: loop)
        livesWithLoop = true
    }

    package final func start() {
        scheduleStep(nil)
    }

    /// `loop.call_soon(self.__step, exc)`.
    private final func scheduleStep(_ thrown: PyException?) {
        withLoop { $0.callSoon(.step(StepTarget(self), thrown)) }
    }

    /// The coroutine's `send(None)` / `throw(e)`: the subclass's coroutine. `awaited` is
    /// the future its last step suspended on (nil when it did not, or it was let go).
    open func resumeCoroutine(_ thrown: PyException?, awaited: Future?) -> Suspension {
        fatalError("Task.resumeCoroutine: a subclass provides the coroutine")
    }

    /// `Task.__step`
    final func step(_ thrownIn: PyException?) {
        precondition(!isDone, "step() on a done task")
        var thrown = thrownIn
        if mustCancel {
            if thrown?.isCancellation != true { thrown = makeCancelledError() }
            mustCancel = false
        }
        let awaited = waitingOn.take()
        ownFuture = .none
        hasStarted = true
        withLoop { $0.currentTask = self }
        let suspension = resumeCoroutine(thrown, awaited: awaited)
        withLoop { $0.currentTask = nil }
        switch consume suspension {
        case .returned(let v):
            if mustCancel {
                // Cancelled right before the coroutine returned.
                mustCancel = false
                _ = super.cancel(message: cancelMessage)
            } else {
                setResult(v)
            }
        case .raised(let e):
            if e.isCancellation {
                cancelledException = e
                _ = super.cancel()
            } else {
                setException(e)
            }
        case .awaiting(let f):
            if f === self {
                scheduleStep(.runtime("Task cannot await on itself: <Task pending name='\(name)'>"))
            } else {
                // Not counted: the task lives as long as the loop.
                f.addDoneCallback(self, counted: false)
                waitingOn = f
                if mustCancel, (try? cancelFuture(f, message: cancelMessage)) == true { mustCancel = false }
            }
        case .yielded:
            scheduleStep(nil)
        case .awaitingOwnFuture:
            ownFuture = .pending
            if mustCancel { cancelOwnFuture(message: cancelMessage); mustCancel = false }
        }
    }

    /// Whether this task can sleep on its own timer now: not while the loop still holds
    /// the timer of an earlier sleep (cancelled, but not yet dropped).
    package final var ownSleepAvailable: Bool { !timerHeld }

    /// The own future's `set_result(None)` (for a sleep, `_set_result_unless_cancelled`,
    /// run when its timer is due): the task wakes at the loop's next iteration.
    package final func resolveOwnFuture() {
        guard ownFuture == .pending else { return }
        ownFuture = .done
        withLoop { $0.callSoon(.wake(StepTarget(self), nil)) }
    }

    /// `own_future.cancel(msg)`: done at once, and the task wakes to its CancelledError.
    private final func cancelOwnFuture(message: String?) {
        ownFuture = .done
        withLoop { $0.callSoon(.wake(StepTarget(self), .cancelled(message))) }
    }

    /// The sleep's `finally: h.cancel()`, when the task resumes.
    package final func cancelOwnSleepTimer() { cancelHeldTimer() }

    /// `Task.__wakeup`: the awaited future is done; resume with its outcome.
    override public final func futureDone(_ future: Future) {
        step(future.resultError())
    }

    /// `Task.cancel(msg)`: each task forwards the cancellation to what it awaits, on every
    /// call, as 3.11 does; the deepest one that cannot forward it marks itself to be
    /// cancelled at its next step. CPython recurses down an await chain; this walks it in
    /// a loop, so a chain of 100,000 tasks cannot overflow the stack. A task met twice is
    /// an await cycle, where CPython hits RecursionError: `AwaitCycle` is thrown, and every
    /// task the walk passed keeps its raised `cancelling()` count with nothing arranged to
    /// deliver it (as after CPython's RecursionError).
    package final func requestCancel(message: String?) throws(AwaitCycle) -> Bool {
        var chain: [Task] = []
        var visited = Set<ObjectIdentifier>()
        var forwarded = false          // whether the level below accepted the cancellation
        var task = self
        do throws(AwaitCycle) {
            while true {
                task.exceptionNeverRetrieved = false
                if task.isDone { forwarded = false; break }
                if !visited.insert(ObjectIdentifier(task)).inserted { throw AwaitCycle() }
                task.cancelRequests += 1
                chain.append(task)
                // A task below the first whose earlier cancellation already reached a level
                // that accepted it: CPython would walk on, but in a chain that is not a
                // cycle that walk only repeats what is arranged (the tasks below stay hooked
                // until the bottom one is cancelled), and asyncio.run's shutdown of a long
                // chain would be quadratic. A task whose earlier walk ended in a cycle has
                // nothing arranged: the walk goes on and meets the cycle again.
                if chain.count > 1 && task.cancelArranged { forwarded = true; break }
                if task.ownFuture == .pending {
                    task.cancelOwnFuture(message: message)
                    forwarded = true
                    break
                }
                guard let waiter = task.waitingOn else { forwarded = false; break }
                if let next = waiter as? Task { task = next; continue }
                if let gathering = waiter as? GatheringFuture {
                    forwarded = try gathering.cancelChildren(message: message)
                } else {
                    forwarded = waiter.cancel(message: message)
                }
                break
            }
        } catch {
            for t in chain { t.cancelArranged = false }
            throw error
        }
        // Unwind: the first level (from the bottom) whose forward failed marks itself;
        // every level above it sees True from below.
        for t in chain.reversed() where !forwarded {
            t.mustCancel = true
            t.cancelMessage = message
            forwarded = true
        }
        for t in chain { t.cancelArranged = true }
        return forwarded
    }

    /// Unhooks the task from what it awaits and throws `exception` into it at its next
    /// step: how the session delivers a deadlock, and cancels an await cycle (oracle
    /// decision 7) where CPython would recurse forever.
    package final func throwIn(_ exception: PyException) {
        if let waiter = waitingOn {
            waiter.removeDoneCallback(self)
            waitingOn = nil
        }
        if ownFuture == .pending { ownFuture = .none }     // its timer will find no one waiting
        mustCancel = false
        scheduleStep(exception)
    }
}

/// Cancelling walked into an await cycle (A awaits B awaits A).
public struct AwaitCycle: Error {}

/// `fut.cancel(msg)` with Python's dynamic dispatch: a task forwards the cancellation to
/// what it awaits, a gather future cancels its children, a plain future just cancels.
func cancelFuture(_ f: Future, message: String?) throws(AwaitCycle) -> Bool {
    if let task = f as? Task { return try task.requestCancel(message: message) }
    if let gathering = f as? GatheringFuture { return try gathering.cancelChildren(message: message) }
    return f.cancel(message: message)
}

/// A task over a coroutine object (main's), started at once.
package final class CoroutineTask<C: Coroutine>: Task {
    /// Lent, not owned: the creator keeps the coroutine alive as long as the task (the
    /// session holds main's), and stepping it costs no reference counting (an
    /// `unowned(unsafe)` reference was copied strong around each step).
    private let coroutine: Unmanaged<C>

    package init(loop: EventLoop, name: String, coroutine: C) {
        self.coroutine = Unmanaged.passUnretained(coroutine)
        super.init(loop: loop, name: name)
        start()
    }

    package override func resumeCoroutine(_ thrown: PyException?, awaited: Future?) -> Suspension {
        coroutine._withUnsafeGuaranteedRef { $0.resume(thrown) }
    }
}
