import AsyncPlayCore
/// Where a coroutine stopped: the `yield` of a Python coroutine, made explicit.
public enum Suspension {
    /// Blocked on a future (`yield fut` from `Future.__await__`).
    case awaiting(Future)
    /// A bare `yield`: give the loop one iteration (`asyncio.sleep(0)`).
    case yielded
    /// Blocked on a future that only this task awaits and nobody else sees, kept as the
    /// task's own state instead of a table entry (see `OwnFuture`): a spawned task's
    /// `asyncio.sleep`, whose timer is already in the loop's heap, or main waiting for
    /// its next line, which the session delivers. Only a task's own coroutine returns this.
    case awaitingOwnFuture
    /// `return value` (StopIteration).
    case returned(PyValue)
    /// An exception escaped the coroutine.
    case raised(PyException)
}

/// A coroutine as a state machine (main's commands: `await`, `gather`, `wait`, `sleep`).
/// `resume(nil)` is `coro.send(None)`, `resume(e)` is `coro.throw(e)` at the point where
/// it last suspended.
public protocol Coroutine: AnyObject {
    func resume(_ thrown: PyException?) -> Suspension
}

/// `await fut` (`Future.__await__`), split at its one suspension point.
extension EventLoop {
    /// Starting the await: a done future gives its outcome at once, without yielding.
    package func startAwait(_ f: Future) -> Suspension? {
        isDone(f) ? outcome(f) : nil
    }

    /// Resuming after the loop woke us: the future's outcome, or what was thrown in.
    package func resumeAwait(_ f: Future, thrown: PyException?) -> Suspension {
        if let e = thrown { return .raised(e) }
        guard isDone(f) else { return .raised(.runtime("await wasn't used with future")) }
        return outcome(f)
    }

    package func outcome(_ f: Future) -> Suspension {
        switch result(f) {
        case .success(let v): return .returned(v)
        case .failure(let e): return .raised(e)
        }
    }
}
