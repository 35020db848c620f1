import AsyncPlayCore
/// `await asyncio.sleep(delay)`, split at its suspension point:
///
///     if delay <= 0: yield (one loop iteration)
///     fut = loop.create_future(); h = loop.call_later(delay, set_result_unless_cancelled, fut)
///     try: await fut  finally: h.cancel()
///
/// Main's `sleep` command. A body's sleep (BodyCoroutine.swift) is the task's own timer,
/// or a TimerFuture held by whoever drives the body.
struct SleepOperation {
    private(set) var future: TimerFuture?

    mutating func start(_ loop: EventLoop, _ delay: TimeAmount) -> Suspension {
        if delay.microseconds <= 0 {
            future = nil
            return .yielded
        }
        let f = loop.futureResolved(after: delay)
        future = f
        return .awaiting(f)
    }

    /// The sleep's outcome once the loop resumes us (`.returned(None)` or what was thrown).
    /// Only right after `start`.
    mutating func resume(_ thrown: PyException?) -> Suspension {
        defer { future?.cancelTimer() }
        guard let f = future else {
            return thrown.map(Suspension.raised) ?? .returned(.none)
        }
        return AwaitFuture.resume(f, thrown: thrown)
    }
}

/// `asyncio.sleep(delay)` on its own, as main's `sleep` command.
package final class SleepCoroutine: Coroutine {
    private let loop: EventLoop
    private let delay: TimeAmount
    private var op = SleepOperation()
    private var started = false

    package init(loop: EventLoop, delay: TimeAmount) {
        self.loop = loop
        self.delay = delay
    }

    package func resume(_ thrown: PyException?) -> Suspension {
        if !started {
            started = true
            if let e = thrown { return .raised(e) }
            return op.start(loop, delay)
        }
        return op.resume(thrown)
    }
}

/// `await fut` as a coroutine of its own (main's `await NAME` and `gather`).
package final class AwaitCoroutine: Coroutine {
    let future: Future
    private var started = false

    package init(_ future: Future) { self.future = future }

    package func resume(_ thrown: PyException?) -> Suspension {
        if !started {
            started = true
            if let e = thrown { return .raised(e) }
            return AwaitFuture.start(future) ?? .awaiting(future)
        }
        return AwaitFuture.resume(future, thrown: thrown)
    }
}
