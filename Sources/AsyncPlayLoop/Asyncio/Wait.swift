import AsyncPlayCore
import AsyncPlayCollections
/// `_wait`'s state while it waits: the futures it watches, and the waiter it releases.
struct WaitState {
    let mode: WaitMode
    let waiter: Future
    /// The waiter itself when there is a timeout (its timer is the timeout).
    let timeoutTimer: Future?
    var remaining: Int
}

/// `await asyncio.wait(tasks, timeout=…, return_when=…)` (`tasks._wait`): resolves a
/// waiter when the condition holds; cancels nothing, even on timeout.
package final class WaitCoroutine: Coroutine {
    private let loop: EventLoop
    let futures: [Future]
    private let mode: WaitMode
    private let timeout: TimeAmount?
    /// Its place in the loop's table of waits, once it waits.
    private var wait: Int32?

    package init(loop: EventLoop, futures: [Future], mode: WaitMode, timeout: TimeAmount?) {
        self.loop = loop
        // `fs = set(fs)`, kept in argument order (oracle decision 31): the order in which
        // already-done futures reach `_on_completion` decides which exception it retrieves.
        self.futures = futures.uniquedInOrder()
        self.mode = mode
        self.timeout = timeout
    }

    package func resume(_ thrown: PyException?) -> Suspension {
        guard let wait else {
            if let e = thrown { return .raised(e) }
            if futures.isEmpty { return .raised(PyException("ValueError", "Set of Tasks/Futures is empty.")) }
            let w = loop.startWait(futures, mode: mode, timeout: timeout)
            self.wait = w
            return .awaiting(loop.waits[Int(w)].waiter)
        }
        // finally: stop the timer, forget the callbacks
        let state = loop.waits[Int(wait)]
        if let t = state.timeoutTimer { loop.cancelTimer(t) }
        for f in futures { loop.removeDoneCallback(f, DoneCallback(.waitCompletion, wait)) }
        let outcome = loop.resumeAwait(state.waiter, thrown: thrown)
        if case .raised = outcome { return outcome }
        return .returned(.none)
    }
}

extension EventLoop {
    func startWait(_ futures: [Future], mode: WaitMode, timeout: TimeAmount?) -> Int32 {
        let timer = timeout.map { futureResolved(after: $0) }
        let waiter = timer ?? createFuture()
        let w = Int32(waits.count)
        waits.append(WaitState(mode: mode, waiter: waiter, timeoutTimer: timer, remaining: futures.count))
        for f in futures { addDoneCallback(f, DoneCallback(.waitCompletion, w)) }
        return w
    }

    /// `_on_completion`. Its test short-circuits as CPython's `or` does: `f.exception()`
    /// (which marks the exception retrieved) is asked only when the counter is not yet 0
    /// and the mode is FIRST_EXCEPTION, so a failure that completes the wait stays
    /// unretrieved, reported at exit (oracle decision 30).
    func waitCompletion(_ w: Int32, _ f: Future) {
        let i = Int(w)
        waits[i].remaining -= 1
        let mode = waits[i].mode
        if waits[i].remaining <= 0 || mode == .firstCompleted
            || (mode == .firstException && !isCancelled(f) && retrieveException(f) != nil) {
            if let t = waits[i].timeoutTimer { cancelTimer(t) }
            let waiter = waits[i].waiter
            if !isDone(waiter) { setResult(waiter, .none) }
        }
    }
}
