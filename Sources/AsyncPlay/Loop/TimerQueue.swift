/// The loop's timers, handed out in (deadline, scheduling order) as CPython's heap of
/// TimerHandles does, but stored as one FIFO bucket per distinct deadline plus a 4-ary
/// min-heap of those deadlines.
///
/// Why buckets: scheduling order is the order of `push` (sequence numbers only grow), so
/// appending to a deadline's bucket keeps the bucket sorted, and the earliest bucket's
/// front is exactly the heap's minimum. Lessons and benchmarks put many timers on few
/// deadlines (a million tasks sleeping `i mod 1000` ms share 1000 deadlines): a pop is
/// then an index bump in a bucket instead of a sift through twenty levels of a
/// million-entry heap (a cache miss each, a ninth of such a run). With all deadlines
/// distinct, each bucket holds one timer and this is a heap with a dictionary beside it.
///
/// Timers are held unmanaged (retained once on push, released on pop), so moving them
/// costs no reference counting.
final class TimerQueue {
    /// A deadline's timers in scheduling order, in storage the queue manages itself:
    /// with a Swift array per bucket, every push read the array's header to check it was
    /// not shared, and with a million timers that header was a cache miss.
    private struct Bucket {
        var timers: UnsafeMutablePointer<Unmanaged<Future>>? = nil
        var capacity = 0
        var count = 0
        var head = 0                      // timers before `head` were popped
        var isEmpty: Bool { head == count }

        mutating func append(_ t: Unmanaged<Future>) {
            if count == capacity {
                let bigger = UnsafeMutablePointer<Unmanaged<Future>>.allocate(capacity: max(8, capacity * 2))
                if let old = timers {
                    bigger.moveInitialize(from: old, count: count)
                    old.deallocate()
                }
                timers = bigger
                capacity = max(8, capacity * 2)
            }
            (timers! + count).initialize(to: t)
            count += 1
        }

        /// The timers not yet popped.
        var pending: UnsafeMutableBufferPointer<Unmanaged<Future>> {
            UnsafeMutableBufferPointer(start: timers.map { $0 + head }, count: count - head)
        }

        mutating func release() {
            timers?.deallocate()
            self = Bucket()
        }
    }
    /// A heap node: the bucket's deadline kept beside its index, so sifting compares
    /// integers without reading the bucket.
    private struct Node {
        let deadline: Int64
        let bucket: Int32
    }

    /// The buckets, in storage the queue manages itself too: a Swift array checked it was
    /// not shared on every push and pop (a third of a push's instructions).
    private var buckets = UnsafeMutablePointer<Bucket>.allocate(capacity: 16)
    private var bucketCount = 0
    private var bucketCapacity = 16
    private var freeBuckets: [Int32] = []
    private var heap: [Node] = []
    /// Deadline → bucket, for the buckets in the heap.
    private var bucketFor = DeadlineMap()
    /// The bucket the last push went to: consecutive timers often share a deadline.
    private var lastPush: (deadline: Int64, bucket: Int32)?
    /// How many timers are in the queue (cancelled ones included, as in CPython's heap).
    private(set) var count = 0

    /// The head's deadline (µs).
    var firstDeadline: Int64? { heap.first?.deadline }
    /// Whether the head timer is cancelled (read without retaining it).
    var firstIsCancelled: Bool {
        guard let node = heap.first else { return false }
        return buckets[Int(node.bucket)].pending[0]._withUnsafeGuaranteedRef { $0.timerCancelled }
    }

    init() {}

    deinit {
        removeAll()
        buckets.deinitialize(count: bucketCount)
        buckets.deallocate()
    }

    /// Queues `t` (a TimerFuture, or a task's own sleep) to fire at `deadline` (µs).
    func push(_ t: Future, deadline: Int64) {
        let index: Int32
        if let last = lastPush, last.deadline == deadline {
            index = last.bucket
        } else if let existing = bucketFor.find(deadline) {
            index = existing
        } else {
            index = newBucket(deadline)
        }
        lastPush = (deadline, index)
        buckets[Int(index)].append(.passRetained(t))
        count += 1
    }

    func pop() -> Future? {
        guard let node = heap.first else { return nil }
        let i = Int(node.bucket)
        let pending = buckets[i].pending
        let timer = pending[0].takeRetainedValue()
        buckets[i].head += 1
        count -= 1
        if buckets[i].isEmpty { retireHeadBucket() }
        return timer
    }

    /// Empties the queue, handing each timer to `body` (the loop is going away).
    func removeAll(_ body: (Future) -> Void = { _ in }) {
        for node in heap {
            for t in buckets[Int(node.bucket)].pending { body(t.takeRetainedValue()) }
        }
        clear()
    }

    /// Forgets every timer (each already handed back) and every bucket's storage.
    private func clear() {
        for i in 0..<bucketCount { buckets[i].release() }
        buckets.deinitialize(count: bucketCount)
        bucketCount = 0
        freeBuckets = []
        heap = []
        bucketFor = DeadlineMap()
        lastPush = nil
        count = 0
    }

    /// Drops cancelled timers (CPython does this when more than half of a large heap is
    /// cancelled, so memory stays proportional to live timers). Order is kept.
    func removeCancelled(_ removed: (Future) -> Void) {
        // Buckets in deadline order, each in scheduling order: pushing the survivors again
        // in this order rebuilds the same queue without the cancelled timers.
        var survivors: [(Future, Int64)] = []
        survivors.reserveCapacity(count)
        for node in heap.sorted(by: { $0.deadline < $1.deadline }) {
            for t in buckets[Int(node.bucket)].pending {
                let timer = t.takeRetainedValue()
                if timer.timerCancelled { removed(timer) } else { survivors.append((timer, node.deadline)) }
            }
        }
        clear()
        for (t, deadline) in survivors { push(t, deadline: deadline) }
    }

    // MARK: - Buckets

    private func newBucket(_ deadline: Int64) -> Int32 {
        let index: Int32
        if let reused = freeBuckets.popLast() {
            index = reused
        } else {
            if bucketCount == bucketCapacity {
                let bigger = UnsafeMutablePointer<Bucket>.allocate(capacity: bucketCapacity * 2)
                bigger.moveInitialize(from: buckets, count: bucketCount)
                buckets.deallocate()
                buckets = bigger
                bucketCapacity *= 2
            }
            index = Int32(bucketCount)
            (buckets + bucketCount).initialize(to: Bucket())
            bucketCount += 1
        }
        bucketFor.insert(deadline, index)
        siftUp(Node(deadline: deadline, bucket: index))
        return index
    }

    /// The earliest bucket ran out: out of the heap, its storage kept for a later deadline
    /// (unless it grew large, so one burst of timers does not pin its memory).
    private func retireHeadBucket() {
        let (deadline, index) = (heap[0].deadline, heap[0].bucket)
        let i = Int(index)
        bucketFor.remove(deadline)
        if lastPush?.bucket == index { lastPush = nil }
        if buckets[i].capacity > 4096 {
            buckets[i].release()
        } else {
            buckets[i].count = 0
            buckets[i].head = 0
        }
        freeBuckets.append(index)
        let last = heap.removeLast()
        if !heap.isEmpty { siftDown(from: 0, item: last) }
    }

    // MARK: - The heap of deadlines (all distinct)

    private func siftUp(_ item: Node) {
        heap.append(item)
        heap.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) / 4
                guard item.deadline < h[parent].deadline else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = item
        }
    }

    /// Places `item` at `start` and moves it down to where it belongs.
    private func siftDown(from start: Int, item: Node) {
        heap.withUnsafeMutableBufferPointer { h in
            var i = start
            let n = h.count
            while true {
                let first = 4 * i + 1
                if first >= n { break }
                var m = first
                var c = first + 1
                let end = min(first + 4, n)
                while c < end {
                    if h[c].deadline < h[m].deadline { m = c }
                    c += 1
                }
                guard h[m].deadline < item.deadline else { break }
                h[i] = h[m]
                i = m
            }
            h[i] = item
        }
    }
}

/// Deadline → bucket index: open addressing with linear probing and backward-shift
/// deletion (no tombstones, so a long run of timers cannot clog it). A Dictionary hashed
/// every push with SipHash, which cost more than the rest of the push.
private struct DeadlineMap {
    /// A key and its value side by side: one cache line per probe. (With keys and values
    /// in two arrays a lookup missed the cache twice: a spawn per line, each to another
    /// deadline, and the tasks in between had pushed the map out of L1.)
    private struct Entry {
        var key: Int64
        var value: Int32                   // -1: empty
        static let empty = Entry(key: 0, value: -1)
    }
    private var entries = Array(repeating: Entry.empty, count: 16)
    private var count = 0

    private func home(_ key: Int64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9e37_79b9_7f4a_7c15) >> 32) & mask
    }

    func find(_ key: Int64) -> Int32? {
        let mask = entries.count - 1
        var i = home(key, mask)
        while case let e = entries[i], e.value >= 0 {
            if e.key == key { return e.value }
            i = (i + 1) & mask
        }
        return nil
    }

    /// `key` must not be in the map.
    mutating func insert(_ key: Int64, _ value: Int32) {
        if (count + 1) * 2 > entries.count { grow() }
        let mask = entries.count - 1
        var i = home(key, mask)
        while entries[i].value >= 0 { i = (i + 1) & mask }
        entries[i] = Entry(key: key, value: value)
        count += 1
    }

    mutating func remove(_ key: Int64) {
        let mask = entries.count - 1
        var i = home(key, mask)
        while entries[i].value >= 0 && entries[i].key != key { i = (i + 1) & mask }
        guard entries[i].value >= 0 else { return }
        // Shift later members of the probe run back into the hole, so every key stays
        // reachable from its home slot without tombstones.
        var hole = i
        var j = (i + 1) & mask
        while entries[j].value >= 0 {
            let h = home(entries[j].key, mask)
            // Move j into the hole if its home is not in (hole, j] (cyclically).
            let inRange = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j)
            if !inRange {
                entries[hole] = entries[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        entries[hole] = .empty
        count -= 1
    }

    private mutating func grow() {
        let old = entries
        entries = Array(repeating: .empty, count: old.count * 2)
        count = 0
        for e in old where e.value >= 0 { insert(e.key, e.value) }
    }
}
