/// A FIFO ring buffer: the ready queue. Elements are moved in and out of raw storage,
/// so a push or pop is a plain copy of bytes: no Optional wrapping, and no retain and
/// release of the payload for each copy (that was a fifth of a big run's instructions).
final class RingQueue<Element> {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int          // a power of two
    private var head = 0
    private(set) var count = 0

    init() {
        capacity = 16
        storage = .allocate(capacity: capacity)
    }

    deinit {
        removeAll()
        storage.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    func append(_ e: __owned Element) {
        if count == capacity { grow() }
        (storage + ((head + count) & (capacity - 1))).initialize(to: e)
        count += 1
    }

    @inline(__always)
    func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let e = (storage + head).move()
        head = (head + 1) & (capacity - 1)
        count -= 1
        return e
    }

    func removeAll() {
        while count > 0 {
            (storage + head).deinitialize(count: 1)
            head = (head + 1) & (capacity - 1)
            count -= 1
        }
        head = 0
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        // The elements in order, moved (not copied) to the front of the new storage.
        let firstRun = min(count, capacity - head)
        bigger.moveInitialize(from: storage + head, count: firstRun)
        (bigger + firstRun).moveInitialize(from: storage, count: count - firstRun)
        storage.deallocate()
        storage = bigger
        capacity *= 2
        head = 0
    }
}
