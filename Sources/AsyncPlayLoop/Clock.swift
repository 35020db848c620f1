import AsyncPlayCore
import AsyncPlayCollections
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the loop's time comes from, and how it waits. The loop is written once against
/// this; the virtual clock jumps, the real clock sleeps (and can be woken from another thread).
public protocol LoopClock: AnyObject {
    var now: Instant { get }
    /// Virtual clocks skip idle time; the loop then asks for input or jumps to deadlines.
    var isVirtual: Bool { get }
    /// Blocking work on the loop thread (`cpu`, `block`): time passes, nothing else runs.
    func hold(_ amount: TimeAmount)
    /// Waits until `deadline` (nil: no deadline) or until `wake()` is called.
    /// The virtual clock jumps straight to the deadline.
    func wait(until deadline: Instant?)
    /// Interrupts a `wait` from another thread.
    func wake()
    /// `wake`, as a function any thread may call (nothing to wake on a virtual clock).
    var waker: @Sendable () -> Void { get }
    /// The time, as a function any thread may call; nil when the time is the loop
    /// thread's alone (a virtual clock moves only as the loop runs).
    var timeSource: (@Sendable () -> Instant)? { get }
}

/// Time that only moves when the loop says so: hours of script run in milliseconds, and
/// every run is byte-identical.
public final class VirtualClock: LoopClock {
    /// The loop reads the time several times a task: kept in a cell (no dynamic check).
    private let time = Cell(Instant.start)
    public var now: Instant { time.value }
    public init() {}
    public var isVirtual: Bool { true }
    public func hold(_ amount: TimeAmount) { time.value = time.value + amount }
    public func advance(to t: Instant) { if t > time.value { time.value = t } }
    public func wait(until deadline: Instant?) { if let deadline { advance(to: deadline) } }
    public func wake() {}
    public var waker: @Sendable () -> Void { {} }
    public var timeSource: (@Sendable () -> Instant)? { nil }
}

/// The monotonic clock, scaled by `speed` (2 = twice as fast). Waits on a condition
/// variable so that a line typed in the shell wakes the loop at once.
public final class RealClock: LoopClock, @unchecked Sendable {
    private let origin: UInt64
    private let speed: Double
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var woken = false

    public init(speed: Double = 1) {
        self.speed = speed
        origin = RealClock.monotonicNanoseconds()
        pthread_mutex_init(&mutex, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(&condition, &attr)
    }

    public var isVirtual: Bool { false }

    public var now: Instant {
        let elapsed = Double(RealClock.monotonicNanoseconds() - origin) / 1000 * speed
        return Instant(microseconds: Int64(elapsed))
    }

    public func hold(_ amount: TimeAmount) {
        // Really block this thread: the learner sees the loop freeze.
        let end = now + amount
        while now < end {
            let left = (end - now).microseconds
            var ts = timespec(tv_sec: Int(Double(left) / speed / 1_000_000),
                              tv_nsec: Int((Double(left) / speed).truncatingRemainder(dividingBy: 1_000_000) * 1000))
            nanosleep(&ts, nil)
        }
    }

    public func wait(until deadline: Instant?) {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while !woken {
            if let deadline {
                let left = deadline - now
                if left.microseconds <= 0 { break }
                let realNs = UInt64(Double(left.microseconds) / speed * 1000)
                var ts = timespec()
                clock_gettime(CLOCK_MONOTONIC, &ts)
                let total = UInt64(ts.tv_nsec) + realNs % 1_000_000_000
                ts.tv_sec += Int(realNs / 1_000_000_000) + Int(total / 1_000_000_000)
                ts.tv_nsec = Int(total % 1_000_000_000)
                pthread_cond_timedwait(&condition, &mutex, &ts)
            } else {
                pthread_cond_wait(&condition, &mutex)
            }
        }
        woken = false
    }

    public var waker: @Sendable () -> Void { { self.wake() } }
    public var timeSource: (@Sendable () -> Instant)? { { self.now } }

    public func wake() {
        pthread_mutex_lock(&mutex)
        woken = true
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
