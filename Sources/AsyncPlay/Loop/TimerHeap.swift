/// A binary min-heap of timers ordered by (deadline, scheduling order).
struct TimerHeap {
    private(set) var items: [TimerHandle] = []

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var first: TimerHandle? { items.first }

    mutating func push(_ t: TimerHandle) {
        items.append(t)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].firesBefore(items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> TimerHandle? {
        guard !items.isEmpty else { return nil }
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            siftDown(0)
        }
        return top
    }

    /// Drops cancelled timers and restores the heap (CPython does this when more than half
    /// of a large heap is cancelled, so memory stays proportional to live timers).
    mutating func removeCancelled() {
        items.removeAll { $0.cancelled }
        var i = items.count / 2 - 1
        while i >= 0 { siftDown(i); i -= 1 }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = items.count
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var m = i
            if l < n && items[l].firesBefore(items[m]) { m = l }
            if r < n && items[r].firesBefore(items[m]) { m = r }
            if m == i { return }
            items.swapAt(i, m)
            i = m
        }
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
