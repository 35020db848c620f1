import AsyncPlayCore
/// An asyncio Future: pending, then cancelled or finished with a result or an exception.
/// Done-callbacks are never called directly: `scheduleCallbacks` hands each to `call_soon`,
/// so they run in the loop's next batch, exactly as in CPython's `futures.py`.
open class Future: DoneCallback {
    public enum State { case pending, cancelled, finished }

    // Field order keeps the small fields in the padding after `value` (a million tasks
    // and timers each carry a Future).
    public private(set) var value: PyValue = .none
    /// (`futureState`, not `state`: a task record's `state` is the richer TaskState.)
    public private(set) var futureState = State.pending
    /// `__log_traceback`: an exception nobody retrieved is reported at reset/exit.
    public package(set) var exceptionNeverRetrieved = false
    // The loop's bookkeeping for a future its timer queue holds: a `TimerFuture`, or a task
    // whose own sleep timer it is (see `Task.ownFuture`). Bytes in what was padding.
    /// In the timer heap, not yet due (CPython's `TimerHandle._scheduled`): only then does
    /// cancelling count towards the loop's "too many cancelled timers" clean-up.
    final var timerScheduled = false
    /// `TimerHandle.cancel()` was called: the loop drops the timer instead of running it.
    public final internal(set) var timerCancelled = false
    /// In the heap or due in the ready queue: the loop still holds it.
    final var timerHeld = false
    /// The timer is a task's own sleep (the future is that task), not a `TimerFuture`.
    final var timerIsOwnSleep = false
    /// Bit 0: the first callback slot's reference is not counted; bit 1: the second's;
    /// bit 2: `livesWithLoop`. One byte: a ninth byte here made every future 8 bytes bigger.
    private var referenceBits: UInt8 = 0
    /// Whether this future lives as long as its loop (a task: the session keeps every
    /// task until the loop is gone), so the ready queue need not count it.
    final var livesWithLoop: Bool {
        get { referenceBits & 4 != 0 }
        set { if newValue { referenceBits |= 4 } else { referenceBits &= ~4 } }
    }
    /// What the future finished with when it failed. Kept with the rare fields: most
    /// futures succeed, and eight bytes less per task moved a million tasks' records
    /// into a smaller allocation size.
    public private(set) var exception: PyException? {
        get { rare?.exception }
        set { if newValue != nil || rare != nil { rareFields.exception = newValue } }
    }
    /// The loop, lent: it outlives every future it runs. Hot paths borrow it through
    /// `withLoop`: an `unowned(unsafe)` reference (or `takeUnretainedValue()`) is copied
    /// strong, an atomic retain and release, around each use, eight times a task.
    private let loopRef: Unmanaged<EventLoop>
    package final var loop: EventLoop { loopRef.takeUnretainedValue() }
    @inline(__always)
    package final func withLoop<R>(_ body: (EventLoop) -> R) -> R { loopRef._withUnsafeGuaranteedRef(body) }

    /// `_cancel_message`: the message given to `cancel()`.
    var cancelMessage: String? {
        get { rare?.cancelMessage }
        set { if newValue != nil || rare != nil { rareFields.cancelMessage = newValue } }
    }
    /// `_cancelled_exc`: the CancelledError a task's coroutine actually raised; handed out
    /// once by `makeCancelledError`, then fresh ones are made (CPython 3.11 behaviour).
    var cancelledException: PyException? {
        get { rare?.cancelledException }
        set { if newValue != nil || rare != nil { rareFields.cancelledException = newValue } }
    }
    // Most futures get one or two done-callbacks (a task: the session's and gather's), so
    // two live inline; a third and more go to the side storage. A slot's reference is
    // counted unless the callback was added `counted: false` (see `referenceBits`).
    private var firstCallback: Unmanaged<DoneCallback>?
    private var secondCallback: Unmanaged<DoneCallback>?

    /// What few futures ever need (cancellation details, a third callback), kept apart so
    /// that a million futures do not each carry it.
    private final class RareFields {
        var exception: PyException?
        var cancelMessage: String?
        var cancelledException: PyException?
        var moreCallbacks: [DoneCallback] = []
    }
    private var rare: RareFields?
    private var rareFields: RareFields {
        if let r = rare { return r }
        let r = RareFields()
        rare = r
        return r
    }

    init(loop: EventLoop) {
        loopRef = Unmanaged.passUnretained(loop)
        super.init()
    }

    deinit {
        emptySlot(&firstCallback, bit: 1)
        emptySlot(&secondCallback, bit: 2)
    }

    /// Empties a callback slot (`bit` 1: the first, 2: the second), letting go of its
    /// reference if it was counted.
    private func emptySlot(_ slot: inout Unmanaged<DoneCallback>?, bit: UInt8) {
        if referenceBits & bit == 0 { slot?.release() }
        slot = nil
        referenceBits &= ~bit
    }

    public var isDone: Bool { futureState != .pending }
    public var isCancelled: Bool { futureState == .cancelled }

    /// `_make_cancelled_error()`
    func makeCancelledError() -> PyException {
        if let exc = cancelledException {
            cancelledException = nil
            return exc
        }
        return .cancelled(cancelMessage)
    }

    /// `result()`: the value, or throws what the future holds.
    package func result() -> Result<PyValue, PyException> {
        if let e = resultError() { return .failure(e) }
        return .success(value)
    }

    /// What `result()` would throw, or nil when it would return (the value is not copied).
    func resultError() -> PyException? {
        switch futureState {
        case .cancelled: return makeCancelledError()
        case .pending: return .invalidState("Result is not set.")
        case .finished:
            exceptionNeverRetrieved = false
            return exception
        }
    }

    /// `exception()`: marks the exception as retrieved. Only for done, uncancelled futures.
    func retrieveException() -> PyException? {
        exceptionNeverRetrieved = false
        return exception
    }

    @discardableResult
    func cancel(message: String? = nil) -> Bool {
        exceptionNeverRetrieved = false
        guard futureState == .pending else { return false }
        futureState = .cancelled
        cancelMessage = message
        scheduleCallbacks()
        return true
    }

    package func setResult(_ v: PyValue) {
        precondition(futureState == .pending, "set_result on a done future")
        value = v
        futureState = .finished
        scheduleCallbacks()
    }

    func setException(_ e: PyException) {
        precondition(futureState == .pending, "set_exception on a done future")
        exception = e
        futureState = .finished
        scheduleCallbacks()
        exceptionNeverRetrieved = true
    }

    /// `counted: false` is for a callback that lives as long as the loop (a task, the
    /// session's end reporter): then neither the slot nor the ready queue counts it.
    package func addDoneCallback(_ cb: DoneCallback, counted: Bool = true) {
        if futureState != .pending {
            loop.callSoon(.done(DoneCall(counted ? .passRetained(cb) : .passUnretained(cb), counted: counted, of: self)))
        } else if rare?.moreCallbacks.isEmpty ?? true, secondCallback == nil {
            let ref: Unmanaged<DoneCallback> = counted ? .passRetained(cb) : .passUnretained(cb)
            if firstCallback == nil {
                firstCallback = ref
                if !counted { referenceBits |= 1 }
            } else {
                secondCallback = ref
                if !counted { referenceBits |= 2 }
            }
        } else {
            rareFields.moreCallbacks.append(cb)
        }
    }

    /// Removes every registration of `cb`; returns how many there were.
    @discardableResult
    func removeDoneCallback(_ cb: DoneCallback) -> Int {
        var removed = 0
        let target = Unmanaged.passUnretained(cb).toOpaque()
        if firstCallback?.toOpaque() == target { emptySlot(&firstCallback, bit: 1); removed += 1 }
        if secondCallback?.toOpaque() == target { emptySlot(&secondCallback, bit: 2); removed += 1 }
        guard let r = rare, !r.moreCallbacks.isEmpty else { return removed }
        let before = r.moreCallbacks.count
        r.moreCallbacks.removeAll { $0 === cb }
        return removed + before - r.moreCallbacks.count
    }

    private func scheduleCallbacks() {
        // In registration order: the slots fill first, and stay filled while more are added.
        // Each slot's reference (counted or not) moves into the ready queue as it is.
        let uncounted = referenceBits
        referenceBits &= 4
        if let first = firstCallback.take() {
            withLoop { $0.callSoon(.done(DoneCall(first, counted: uncounted & 1 == 0, of: self))) }
        }
        if let second = secondCallback.take() {
            withLoop { $0.callSoon(.done(DoneCall(second, counted: uncounted & 2 == 0, of: self))) }
        }
        if let r = rare, !r.moreCallbacks.isEmpty {
            let callbacks = r.moreCallbacks
            r.moreCallbacks = []
            for cb in callbacks { loop.callSoon(.done(DoneCall(.passRetained(cb), counted: true, of: self))) }
        }
    }
}

/// `functools.partial(_release_waiter, waiter)`: resolve `waiter` when a future is done.
package final class ReleaseWaiter: DoneCallback {
    let waiter: Future
    init(_ waiter: Future) { self.waiter = waiter }
    package override func futureDone(_ future: Future) {
        if !waiter.isDone { waiter.setResult(.none) }
    }
}
