/// An asyncio Task: a future driven by a coroutine, one `step` at a time (`tasks.py`).
public final class Task: Future, DoneCallback {
    public let name: String
    /// Dropped once the task is done, so a finished task keeps only its outcome.
    private var coroutine: Coroutine?
    /// The future this task is blocked on (`_fut_waiter`).
    public internal(set) var waitingOn: Future?
    var mustCancel = false
    /// `cancelling()`: how many cancellations were requested.
    public internal(set) var cancelRequests = 0
    /// Set while `cancel()` forwards to the awaited future: meeting it again means an
    /// await cycle, where CPython recurses until RecursionError.
    private var cancelling = false
    /// Whether the coroutine has run its first step (a task cancelled before that never starts).
    public private(set) var hasStarted = false

    init(loop: EventLoop, name: String, coroutine: Coroutine) {
        self.name = name
        self.coroutine = coroutine
        super.init(loop: loop)
        loop.callSoon(.step(self, nil))
    }

    /// `Task.__step`
    func step(_ thrownIn: PyException?) {
        precondition(!isDone, "step() on a done task")
        var thrown = thrownIn
        if mustCancel {
            if thrown?.isCancellation != true { thrown = makeCancelledError() }
            mustCancel = false
        }
        waitingOn = nil
        hasStarted = true
        loop.currentTask = self
        let suspension = coroutine!.resume(thrown)
        loop.currentTask = nil
        switch suspension {
        case .returned(let v):
            coroutine = nil
            if mustCancel {
                // Cancelled right before the coroutine returned.
                mustCancel = false
                _ = super.cancel(message: cancelMessage)
            } else {
                setResult(v)
            }
        case .raised(let e):
            coroutine = nil
            if e.isCancellation {
                cancelledException = e
                _ = super.cancel()
            } else {
                setException(e)
            }
        case .awaiting(let f):
            if f === self {
                loop.callSoon(.step(self, .runtime("Task cannot await on itself: <Task pending name='\(name)'>")))
            } else {
                f.addDoneCallback(self)
                waitingOn = f
                if mustCancel, (try? cancelFuture(f, message: cancelMessage)) == true { mustCancel = false }
            }
        case .yielded:
            loop.callSoon(.step(self, nil))
        }
    }

    /// `Task.__wakeup`: the awaited future is done; resume with its outcome.
    public func futureDone(_ future: Future) {
        switch future.result() {
        case .success: step(nil)
        case .failure(let e): step(e)
        }
    }

    /// `Task.cancel(msg)`. Throws `AwaitCycle` where CPython would hit RecursionError.
    func requestCancel(message: String?) throws(AwaitCycle) -> Bool {
        exceptionNeverRetrieved = false
        if isDone { return false }
        if cancelling { throw AwaitCycle() }
        cancelRequests += 1
        if let waiter = waitingOn {
            cancelling = true
            defer { cancelling = false }
            if try cancelFuture(waiter, message: message) { return true }
        }
        mustCancel = true
        cancelMessage = message
        return true
    }

    /// Unhooks the task from what it awaits and throws `exception` into it at its next
    /// step: how the session delivers a deadlock, and cancels an await cycle (oracle
    /// decision 7) where CPython would recurse forever.
    func throwIn(_ exception: PyException) {
        if let waiter = waitingOn {
            waiter.removeDoneCallback(self)
            waitingOn = nil
        }
        mustCancel = false
        loop.callSoon(.step(self, exception))
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
