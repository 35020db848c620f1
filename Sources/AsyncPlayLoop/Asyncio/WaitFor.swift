import AsyncPlayCore
/// `await asyncio.wait_for(fut, timeout)` as CPython 3.11 writes it: a waiter released by
/// the future or by the timeout; on timeout the future is cancelled and awaited
/// (`_cancel_and_wait`), then TimeoutError is raised.
package final class WaitForCoroutine: Coroutine {
    private enum Phase {
        case start
        case waiting                           // await waiter
        case cancelling(reraise: PyException?) // await _cancel_and_wait(fut)
        case finished
    }

    private let loop: EventLoop
    private let future: Future
    private let timeout: TimeAmount
    private var phase = Phase.start
    /// The waiter, whose timer is the timeout.
    private var waiter: Future?
    private var cancelAndWait: CancelAndWait?

    package init(loop: EventLoop, future: Future, timeout: TimeAmount) {
        self.loop = loop
        self.future = future
        self.timeout = timeout
    }

    package func resume(_ thrown: PyException?) -> Suspension {
        switch phase {
        case .start:
            if let e = thrown { return finish(.raised(e)) }
            if timeout.microseconds <= 0 {
                if loop.isDone(future) { return finish(loop.outcome(future)) }
                return startCancelling(reraise: nil)
            }
            let w = loop.futureResolved(after: timeout)
            waiter = w
            loop.addDoneCallback(future, DoneCallback(.releaseWaiter, w.index))
            phase = .waiting
            return .awaiting(w)
        case .waiting:
            let release = DoneCallback(.releaseWaiter, waiter!.index)
            if let e = thrown {
                guard e.isCancellation else { return finish(.raised(e)) }
                if loop.isDone(future) { return finish(loop.outcome(future)) }
                loop.removeDoneCallback(future, release)
                return startCancelling(reraise: e)
            }
            if loop.isDone(future) { return finish(loop.outcome(future)) }
            loop.removeDoneCallback(future, release)
            return startCancelling(reraise: nil)
        case .cancelling(let reraise):
            let inner = cancelAndWait!.resume(thrown)
            return afterCancelAndWait(inner, reraise: reraise)
        case .finished:
            return .raised(.runtime("cannot reuse already awaited coroutine"))
        }
    }

    private func startCancelling(reraise: PyException?) -> Suspension {
        let c = CancelAndWait(loop: loop, future: future)
        cancelAndWait = c
        phase = .cancelling(reraise: reraise)
        return afterCancelAndWait(c.resume(nil), reraise: reraise)
    }

    private func afterCancelAndWait(_ inner: Suspension, reraise: PyException?) -> Suspension {
        switch inner {
        case .awaiting, .yielded, .awaitingOwnFuture:
            return inner
        case .raised(let e):
            return finish(.raised(e))
        case .returned:
            if let reraise { return finish(.raised(reraise)) }
            let outcome = loop.outcome(future)
            if case .raised(let e) = outcome, e.isCancellation { return finish(.raised(.timeout())) }
            return finish(outcome)
        }
    }

    /// `finally: timeout_handle.cancel()`
    private func finish(_ s: Suspension) -> Suspension {
        if let w = waiter { loop.cancelTimer(w) }
        phase = .finished
        return s
    }
}

/// `tasks._cancel_and_wait(fut)`: cancel it, then wait until it is really done.
final class CancelAndWait: Coroutine {
    private let loop: EventLoop
    private let future: Future
    private var waiter: Future?

    init(loop: EventLoop, future: Future) {
        self.loop = loop
        self.future = future
    }

    func resume(_ thrown: PyException?) -> Suspension {
        guard let waiter else {
            let w = loop.createFuture()
            waiter = w
            let release = DoneCallback(.releaseWaiter, w.index)
            loop.addDoneCallback(future, release)
            do {
                _ = try loop.cancel(future, message: nil)
            } catch {
                loop.removeDoneCallback(future, release)
                return .raised(PyException("RecursionError", "maximum recursion depth exceeded"))
            }
            return .awaiting(w)
        }
        loop.removeDoneCallback(future, DoneCallback(.releaseWaiter, waiter.index))
        return loop.resumeAwait(waiter, thrown: thrown)
    }
}
