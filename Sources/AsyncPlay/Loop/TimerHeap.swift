/// A binary min-heap of timers ordered by (deadline, scheduling order). The keys sit in
/// the heap's own array, so sifting compares integers without touching the timers
/// (with a million sleeping tasks, chasing pointers made sifting a sixth of the run).
struct TimerHeap {
    struct Entry {
        let deadline: Int64
        let sequence: UInt64
        let timer: TimerHandle

        @inline(__always)
        func before(_ o: Entry) -> Bool {
            deadline != o.deadline ? deadline < o.deadline : sequence < o.sequence
        }
    }

    private(set) var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var first: TimerHandle? { entries.first?.timer }
    var items: [TimerHandle] { entries.map(\.timer) }

    mutating func push(_ t: TimerHandle) {
        entries.append(Entry(deadline: t.deadline.microseconds, sequence: t.sequence, timer: t))
        entries.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            let item = h[i]
            while i > 0 {
                let parent = (i - 1) / 2
                guard item.before(h[parent]) else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = item
        }
    }

    mutating func pop() -> TimerHandle? {
        guard !entries.isEmpty else { return nil }
        let top = entries[0].timer
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries.withUnsafeMutableBufferPointer { h in TimerHeap.siftDown(h, from: 0, item: last) }
        }
        return top
    }

    /// Drops cancelled timers and restores the heap (CPython does this when more than half
    /// of a large heap is cancelled, so memory stays proportional to live timers).
    mutating func removeCancelled() {
        entries.removeAll { $0.timer.cancelled }
        entries.withUnsafeMutableBufferPointer { h in
            var i = h.count / 2 - 1
            while i >= 0 { TimerHeap.siftDown(h, from: i, item: h[i]); i -= 1 }
        }
    }

    /// Places `item` at `start` and moves it down to where it belongs.
    private static func siftDown(_ h: UnsafeMutableBufferPointer<Entry>, from start: Int, item: Entry) {
        var i = start
        let n = h.count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            let r = l + 1
            let m = (r < n && h[r].before(h[l])) ? r : l
            guard h[m].before(item) else { break }
            h[i] = h[m]
            i = m
        }
        h[i] = item
    }
}

/// A FIFO ring buffer: the ready queue. Amortised O(1) push and pop, no shifting.
struct RingQueue<Element> {
    private var storage: [Element?] = Array(repeating: nil, count: 16)
    private var head = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ e: Element) {
        if count == storage.count { grow() }
        storage[(head + count) & (storage.count - 1)] = e
        count += 1
    }

    mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let e = storage[head]
        storage[head] = nil
        head = (head + 1) & (storage.count - 1)
        count -= 1
        return e
    }

    mutating func removeAll() {
        storage = Array(repeating: nil, count: 16)
        head = 0
        count = 0
    }

    private mutating func grow() {
        var bigger: [Element?] = Array(repeating: nil, count: storage.count * 2)
        for i in 0..<count { bigger[i] = storage[(head + i) & (storage.count - 1)] }
        storage = bigger
        head = 0
    }
}
