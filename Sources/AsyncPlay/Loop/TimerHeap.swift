/// A 4-ary min-heap of timers ordered by (deadline, scheduling order): half the levels
/// of a binary heap, and a node's children share cache lines, which is what counts
/// when a million timers no longer fit in the cache. The keys sit in
/// the heap's own array, so sifting compares integers without touching the timers
/// (with a million sleeping tasks, chasing pointers made sifting a sixth of the run).
/// Entries hold their timer unmanaged (retained once on push, released on pop), so
/// moving an entry up or down is a plain copy without reference counting.
struct TimerHeap {
    struct Entry {
        let deadline: Int64
        let sequence: UInt64
        let handle: Unmanaged<TimerFuture>
        var timer: TimerFuture { handle.takeUnretainedValue() }

        @inline(__always)
        func before(_ o: Entry) -> Bool {
            deadline != o.deadline ? deadline < o.deadline : sequence < o.sequence
        }
    }

    private(set) var entries: [Entry] = []

    var count: Int { entries.count }
    /// The head's deadline (µs) and state, read without retaining the timer.
    var firstDeadline: Int64? { entries.first?.deadline }
    var firstIsCancelled: Bool {
        guard let e = entries.first else { return false }
        return e.handle._withUnsafeGuaranteedRef { $0.timerCancelled }
    }

    mutating func push(_ t: TimerFuture) {
        entries.append(Entry(deadline: t.deadline.microseconds, sequence: t.sequence, handle: .passRetained(t)))
        entries.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            let item = h[i]
            while i > 0 {
                let parent = (i - 1) / 4
                guard item.before(h[parent]) else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = item
        }
    }

    mutating func pop() -> TimerFuture? {
        guard !entries.isEmpty else { return nil }
        let top = entries[0].handle.takeRetainedValue()
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries.withUnsafeMutableBufferPointer { h in TimerHeap.siftDown(h, from: 0, item: last) }
        }
        return top
    }

    /// Empties the heap, handing each timer to `body` (the loop is going away).
    mutating func removeAll(_ body: (TimerFuture) -> Void = { _ in }) {
        for e in entries { body(e.handle.takeRetainedValue()) }
        entries.removeAll()
    }

    /// Drops cancelled timers and restores the heap (CPython does this when more than half
    /// of a large heap is cancelled, so memory stays proportional to live timers).
    mutating func removeCancelled(_ removed: (TimerFuture) -> Void) {
        entries.removeAll { e in
            guard e.timer.timerCancelled else { return false }
            removed(e.handle.takeRetainedValue())
            return true
        }
        entries.withUnsafeMutableBufferPointer { h in
            var i = h.count > 1 ? (h.count - 2) / 4 : -1
            while i >= 0 { TimerHeap.siftDown(h, from: i, item: h[i]); i -= 1 }
        }
    }

    /// Places `item` at `start` and moves it down to where it belongs.
    private static func siftDown(_ h: UnsafeMutableBufferPointer<Entry>, from start: Int, item: Entry) {
        var i = start
        let n = h.count
        while true {
            let first = 4 * i + 1
            if first >= n { break }
            var m = first
            var c = first + 1
            let end = min(first + 4, n)
            while c < end {
                if h[c].before(h[m]) { m = c }
                c += 1
            }
            guard h[m].before(item) else { break }
            h[i] = h[m]
            i = m
        }
        h[i] = item
    }
}

