import AsyncPlayCore
/// `await asyncio.wait(tasks, timeout=…, return_when=…)` (`tasks._wait`): resolves a
/// waiter when the condition holds; cancels nothing, even on timeout.
package final class WaitCoroutine: DoneCallback, Coroutine {
    private let loop: EventLoop
    let futures: [Future]
    private let mode: WaitMode
    private let timeout: TimeAmount?
    private var waiter: Future?
    /// The waiter itself when there is a timeout (its timer is the timeout).
    private var timeoutHandle: TimerFuture?
    private var remaining: Int

    package init(loop: EventLoop, futures: [Future], mode: WaitMode, timeout: TimeAmount?) {
        self.loop = loop
        var seen = Set<ObjectIdentifier>()
        // `fs = set(fs)`, kept in argument order (oracle decision 31): the order in which
        // already-done futures reach `_on_completion` decides which exception it retrieves.
        self.futures = futures.filter { seen.insert(ObjectIdentifier($0)).inserted }
        self.mode = mode
        self.timeout = timeout
        remaining = self.futures.count
    }

    package func resume(_ thrown: PyException?) -> Suspension {
        guard let waiter else {
            if let e = thrown { return .raised(e) }
            if futures.isEmpty { return .raised(PyException("ValueError", "Set of Tasks/Futures is empty.")) }
            let w: Future
            if let timeout {
                let timed = loop.futureResolved(after: timeout)
                timeoutHandle = timed
                w = timed
            } else {
                w = loop.createFuture()
            }
            self.waiter = w
            for f in futures { f.addDoneCallback(self) }
            return .awaiting(w)
        }
        // finally: stop the timer, forget the callbacks
        timeoutHandle?.cancelTimer()
        for f in futures { f.removeDoneCallback(self) }
        let outcome = AwaitFuture.resume(waiter, thrown: thrown)
        if case .raised = outcome { return outcome }
        return .returned(.none)
    }

    /// `_on_completion`. Its test short-circuits as CPython's `or` does: `f.exception()`
    /// (which marks the exception retrieved) is asked only when the counter is not yet 0
    /// and the mode is FIRST_EXCEPTION, so a failure that completes the wait stays
    /// unretrieved, reported at exit (oracle decision 30).
    package override func futureDone(_ f: Future) {
        remaining -= 1
        if remaining <= 0 || mode == .firstCompleted
            || (mode == .firstException && !f.isCancelled && f.retrieveException() != nil) {
            timeoutHandle?.cancelTimer()
            if let w = waiter, !w.isDone { w.setResult(.none) }
        }
    }
}
