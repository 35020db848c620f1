import AsyncPlayCore
/// `await asyncio.sleep(delay)` as main's `sleep` command, split at its suspension point:
///
///     if delay <= 0: yield (one loop iteration)
///     fut = loop.create_future(); h = loop.call_later(delay, set_result_unless_cancelled, fut)
///     try: await fut  finally: h.cancel()
///
/// A body's sleep (BodyCoroutine.swift) is the task's own timer, or a timer future held
/// by whoever drives the body.
package final class SleepCoroutine: Coroutine {
    private let loop: EventLoop
    private let delay: TimeAmount
    private var future: Future?
    private var started = false

    package init(loop: EventLoop, delay: TimeAmount) {
        self.loop = loop
        self.delay = delay
    }

    package func resume(_ thrown: PyException?) -> Suspension {
        if !started {
            started = true
            if let e = thrown { return .raised(e) }
            if delay.microseconds <= 0 { return .yielded }
            let f = loop.futureResolved(after: delay)
            future = f
            return .awaiting(f)
        }
        guard let f = future else { return thrown.map(Suspension.raised) ?? .returned(.none) }
        defer { loop.cancelTimer(f) }
        return loop.resumeAwait(f, thrown: thrown)
    }
}

/// `await fut` as a coroutine of its own (main's `await NAME` and `gather`).
package final class AwaitCoroutine: Coroutine {
    private let loop: EventLoop
    let future: Future
    private var started = false

    package init(loop: EventLoop, _ future: Future) {
        self.loop = loop
        self.future = future
    }

    package func resume(_ thrown: PyException?) -> Suspension {
        if !started {
            started = true
            if let e = thrown { return .raised(e) }
            return loop.startAwait(future) ?? .awaiting(future)
        }
        return loop.resumeAwait(future, thrown: thrown)
    }
}
