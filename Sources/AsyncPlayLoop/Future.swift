import AsyncPlayCore
import AsyncPlayCollections
/// An asyncio Future, as a handle: its place in the loop's future table. The loop owns
/// every future's state (`FutureSlot`); a handle is a plain value, so holding one, queueing
/// one or handing one to a callback costs no reference count. Handles of one loop mean
/// nothing to another (`reset` makes a new loop and a new table).
///
/// A future is pending, then cancelled or finished with a result or an exception.
/// Done-callbacks are never called directly: `scheduleCallbacks` hands each to `call_soon`,
/// so they run in the loop's next batch, exactly as in CPython's `futures.py`.
public struct Future: Hashable, Sendable {
    let index: Int32
    init(_ index: Int32) { self.index = index }
    init(_ index: Int) { self.index = Int32(index) }
}

/// What a future is, beyond a plain future: the subclass whose methods override
/// `Future`'s (`Task.cancel`, `_GatheringFuture.cancel`), with its place in the loop's
/// table of that kind.
enum FutureKind {
    case plain
    /// A future that a timer resolves (see `EventLoop.futureResolved(after:)`).
    case timer
    case task(Int32)
    case gathering(Int32)
}

/// One future's state in the loop's table.
struct FutureSlot {
    enum Phase: UInt8 { case pending, cancelled, finished }

    var value: PyValue = .none
    /// Finished: the exception it failed with (nil: it succeeded). Cancelled task: the
    /// CancelledError its coroutine raised (`_cancelled_exc`), until `makeCancelledError`
    /// hands it out once.
    var exception: PyException?
    /// Most futures get one or two done-callbacks (a task: the session's and gather's, or a
    /// waiter's); a third and more go to the loop's overflow lists (`moreCallbacks`).
    var firstCallback: DoneCallback?
    var secondCallback: DoneCallback?
    /// The task or gather this future is (`kind`), as its table index and a tag: an enum
    /// with a payload would take a word where these take five bytes.
    private let owner: Int32
    private let kindTag: UInt8
    var phase = Phase.pending
    var flags = Flags()

    var kind: FutureKind {
        switch kindTag {
        case 1: return .timer
        case 2: return .task(owner)
        case 3: return .gathering(owner)
        default: return .plain
        }
    }

    struct Flags: OptionSet {
        let rawValue: UInt8
        /// `__log_traceback`: an exception nobody retrieved is reported at reset/exit.
        static let neverRetrieved = Flags(rawValue: 1)
        /// In the timer heap, not yet due (CPython's `TimerHandle._scheduled`): only then
        /// does cancelling count towards the loop's "too many cancelled timers" clean-up.
        static let timerScheduled = Flags(rawValue: 2)
        /// `TimerHandle.cancel()` was called: the loop drops the timer instead of running it.
        static let timerCancelled = Flags(rawValue: 4)
        /// In the heap or due in the ready queue: the loop still holds the timer.
        static let timerHeld = Flags(rawValue: 8)
        /// More than two done-callbacks: the rest are in the loop's overflow list.
        static let hasMore = Flags(rawValue: 16)
    }

    init(kind: FutureKind) {
        switch kind {
        case .plain: (kindTag, owner) = (0, -1)
        case .timer: (kindTag, owner) = (1, -1)
        case .task(let t): (kindTag, owner) = (2, t)
        case .gathering(let g): (kindTag, owner) = (3, g)
        }
    }
}


extension EventLoop {
    /// `loop.create_future()`.
    package func createFuture() -> Future { makeFuture(.plain) }

    func makeFuture(_ kind: FutureKind) -> Future {
        futures.append(FutureSlot(kind: kind))
        return Future(futures.count - 1)
    }

    public func isDone(_ f: Future) -> Bool { futures[Int(f.index)].phase != .pending }
    public func isCancelled(_ f: Future) -> Bool { futures[Int(f.index)].phase == .cancelled }
    package func value(_ f: Future) -> PyValue { futures[Int(f.index)].value }
    package func exception(_ f: Future) -> PyException? {
        futures[Int(f.index)].phase == .finished ? futures[Int(f.index)].exception : nil
    }
    /// Finished with an exception that nobody has retrieved yet.
    package func hasUnretrievedException(_ f: Future) -> Bool {
        let s = futures[Int(f.index)]
        return s.phase == .finished && s.flags.contains(.neverRetrieved)
    }
    package func markRetrieved(_ f: Future) { futures[Int(f.index)].flags.remove(.neverRetrieved) }

    /// `_cancel_message`.
    func cancelMessage(_ f: Future) -> String? { cancelMessages[f.index] }

    /// `_make_cancelled_error()`
    func makeCancelledError(_ f: Future) -> PyException {
        let i = Int(f.index)
        if futures[i].phase == .cancelled, let exc = futures[i].exception {
            futures[i].exception = nil
            return exc
        }
        return .cancelled(cancelMessage(f))
    }

    /// `result()`: the value, or throws what the future holds.
    package func result(_ f: Future) -> Result<PyValue, PyException> {
        if let e = resultError(f) { return .failure(e) }
        return .success(value(f))
    }

    /// What `result()` would throw, or nil when it would return.
    func resultError(_ f: Future) -> PyException? {
        switch futures[Int(f.index)].phase {
        case .cancelled: return makeCancelledError(f)
        case .pending: return .invalidState("Result is not set.")
        case .finished:
            futures[Int(f.index)].flags.remove(.neverRetrieved)
            return futures[Int(f.index)].exception
        }
    }

    /// `exception()`: marks the exception as retrieved. Only for done, uncancelled futures.
    func retrieveException(_ f: Future) -> PyException? {
        futures[Int(f.index)].flags.remove(.neverRetrieved)
        return exception(f)
    }

    /// `fut.cancel(msg)`, dispatched as Python dispatches the method: `Task.cancel`
    /// forwards the cancellation to what the task awaits, `_GatheringFuture.cancel`
    /// cancels the children, `Future.cancel` cancels the future itself.
    package func cancel(_ f: Future, message: String?) throws(AwaitCycle) -> Bool {
        switch futures[Int(f.index)].kind {
        case .task(let t): return try requestCancel(Task(t), message: message)
        case .gathering(let g): return try cancelChildren(ofGather: g, message: message)
        case .plain, .timer: return cancelFuture(f, message: message)
        }
    }

    /// `Future.cancel(msg)` itself (what `Task.cancel` calls as `super().cancel()`).
    @discardableResult
    func cancelFuture(_ f: Future, message: String?) -> Bool {
        let i = Int(f.index)
        futures[i].flags.remove(.neverRetrieved)
        guard futures[i].phase == .pending else { return false }
        futures[i].phase = .cancelled
        if message != nil || cancelMessages[f.index] != nil { cancelMessages[f.index] = message }
        scheduleCallbacks(f)
        return true
    }

    package func setResult(_ f: Future, _ v: PyValue) {
        let i = Int(f.index)
        precondition(futures[i].phase == .pending, "set_result on a done future")
        futures[i].value = v
        futures[i].phase = .finished
        scheduleCallbacks(f)
    }

    func setException(_ f: Future, _ e: PyException) {
        let i = Int(f.index)
        precondition(futures[i].phase == .pending, "set_exception on a done future")
        futures[i].exception = e
        futures[i].phase = .finished
        futures[i].flags.insert(.neverRetrieved)
        scheduleCallbacks(f)
    }

    /// `fut.add_done_callback(cb)`: on a done future, the callback is scheduled at once.
    package func addDoneCallback(_ f: Future, _ cb: DoneCallback) {
        let i = Int(f.index)
        if futures[i].phase != .pending {
            callSoon(.done(cb, f))
        } else if !futures[i].flags.contains(.hasMore) && futures[i].secondCallback == nil {
            if futures[i].firstCallback == nil { futures[i].firstCallback = cb } else { futures[i].secondCallback = cb }
        } else {
            futures[i].flags.insert(.hasMore)
            moreCallbacks[f.index, default: []].append(cb)
        }
    }

    /// `fut.remove_done_callback(cb)`: removes every registration of `cb`; returns how
    /// many there were.
    @discardableResult
    func removeDoneCallback(_ f: Future, _ cb: DoneCallback) -> Int {
        let i = Int(f.index)
        var removed = 0
        if futures[i].firstCallback == cb { futures[i].firstCallback = nil; removed += 1 }
        if futures[i].secondCallback == cb { futures[i].secondCallback = nil; removed += 1 }
        guard futures[i].flags.contains(.hasMore), let more = moreCallbacks[f.index] else { return removed }
        let kept = more.filter { $0 != cb }
        moreCallbacks[f.index] = kept
        return removed + more.count - kept.count
    }

    /// In registration order: the inline slots fill first (and stay filled while more are
    /// added), so their callbacks come before the overflow list's.
    private func scheduleCallbacks(_ f: Future) {
        let i = Int(f.index)
        if let first = futures[i].firstCallback {
            futures[i].firstCallback = nil
            callSoon(.done(first, f))
        }
        if let second = futures[i].secondCallback {
            futures[i].secondCallback = nil
            callSoon(.done(second, f))
        }
        if futures[i].flags.contains(.hasMore), let callbacks = moreCallbacks.removeValue(forKey: f.index) {
            futures[i].flags.remove(.hasMore)
            for cb in callbacks { callSoon(.done(cb, f)) }
        }
    }
}

/// Something registered with `addDoneCallback`, as a value: which asyncio function it
/// stands for, and the table index of what it belongs to. Equality is what
/// `remove_done_callback` compares.
public struct DoneCallback: Equatable, Sendable {
    public enum Kind: UInt8, Sendable {
        /// `Task.__wakeup` of the task `argument`: the future it awaited is done.
        case wakeup
        /// `_GatheringFuture`'s `_done_callback` of gather `argument`.
        case gatherChild
        /// `_wait`'s `_on_completion` of wait `argument`.
        case waitCompletion
        /// `_release_waiter` of the waiter future `argument` (`wait_for`).
        case releaseWaiter
        /// The executor future's `_call_check_cancel` of thread job `argument`.
        case executorCancel
        /// A callback of the loop's driver (the session), with the driver's own number.
        case driver
    }
    public let kind: Kind
    public let argument: Int32

    init(_ kind: Kind, _ argument: Int32) {
        self.kind = kind
        self.argument = argument
    }

    /// The task a `.wakeup` wakes.
    public var wakesTask: Task? { kind == .wakeup ? Task(argument) : nil }
    /// The thread job of an `.executorCancel`.
    public var threadJob: ThreadJob? { kind == .executorCancel ? ThreadJob(index: argument) : nil }

    /// The driver's callback numbered `tag` (see `TaskDriver.futureDone`).
    package static func driver(_ tag: Int32) -> DoneCallback { DoneCallback(.driver, tag) }
}
