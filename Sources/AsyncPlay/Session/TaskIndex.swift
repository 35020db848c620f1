/// The session's tasks by name: an open-addressing table (linear probing) whose 8-byte
/// slots hold a name's hash and where its record sits in a dense array of records.
///
/// At a million tasks the table no longer fits in any cache, so what a lookup costs is
/// the memory it touches: one slot (hash and position side by side, one cache line),
/// and a record only when the hashes match. A new name, which is every `spawn`, rarely
/// reads a record at all. (A Dictionary<String, TaskRecord> cost 24 bytes a slot, a
/// SipHash per lookup and a name comparison per probe.) The dense array is the
/// session's list of tasks in creation order, so the index costs no second array and no
/// second reference count per task. Names are only ever added (a loop's tasks are
/// dropped together at `reset`).
final class TaskIndex {
    /// `position + 1` in the low half (0: an empty slot), the hash in the high half.
    private var slots: UnsafeMutablePointer<UInt64>
    private var capacity: Int           // a power of two
    /// Every task, in the order they were added (the session's `tasks`).
    private(set) var records: [TaskRecord] = []
    var count: Int { records.count }

    /// Sized for `expected` names at once (at most half full, as it grows).
    init(expecting expected: Int = 0) {
        capacity = 16
        while capacity < 2 * expected { capacity *= 2 }
        slots = TaskIndex.allocateSlots(capacity)
        records.reserveCapacity(expected)
    }

    deinit { TaskIndex.freeSlots(slots, capacity) }

    /// Where `name` is, or the empty slot where it would go.
    struct Slot {
        fileprivate let index: Int
        fileprivate let hash: UInt32
        let found: TaskRecord?
    }

    func slot(for name: String) -> Slot { slot(for: name, hash: TaskIndex.hash(name)) }

    /// `hash` is `TaskIndex.hash(name)`, computed by the caller.
    func slot(for name: String, hash h: UInt32) -> Slot {
        let mask = capacity - 1
        var i = Int(h) & mask
        while case let s = slots[i], s != 0 {
            if UInt32(truncatingIfNeeded: s >> 32) == h {
                let r = records[Int(UInt32(truncatingIfNeeded: s)) - 1]
                if r.name == name { return Slot(index: i, hash: h, found: r) }
            }
            i = (i + 1) & mask
        }
        return Slot(index: i, hash: h, found: nil)
    }

    subscript(name: String) -> TaskRecord? { slot(for: name).found }

    /// Puts `record` in the empty slot `slot` found for its name (nothing added since).
    func insert(_ record: TaskRecord, at slot: Slot) {
        precondition(slot.found == nil && slots[slot.index] == 0, "TaskIndex: slot taken")
        precondition(records.count < Int(UInt32.max), "TaskIndex: too many tasks")
        records.append(record)
        slots[slot.index] = UInt64(slot.hash) << 32 | UInt64(records.count)
        if records.count * 2 > capacity { grow() }   // at most half full: short probes
    }

    private func grow() {
        let old = slots, oldCapacity = capacity
        capacity *= 2
        slots = TaskIndex.allocateSlots(capacity)
        let mask = capacity - 1
        for j in 0..<oldCapacity where old[j] != 0 {
            var i = Int(UInt32(truncatingIfNeeded: old[j] >> 32)) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = old[j]
        }
        TaskIndex.freeSlots(old, oldCapacity)
    }

    private static func allocateSlots(_ n: Int) -> UnsafeMutablePointer<UInt64> {
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        p.initialize(repeating: 0, count: n)
        return p
    }

    private static func freeSlots(_ p: UnsafeMutablePointer<UInt64>, _ n: Int) {
        p.deallocate()
    }

    /// FNV-1a over the name's UTF-8, finished with a multiply-shift mix so that names
    /// differing only at the end (T1, T2, …) spread over the low bits the mask keeps.
    static func hash(_ name: String) -> UInt32 {
        // The bytes are lent in place (a `var` copy for `withUTF8` cost a retain and a
        // release per hash); a name that is not stored as UTF-8 takes the slow walk.
        if let h = name.utf8.withContiguousStorageIfAvailable({ hash($0) }) { return h }
        var h = fnvStart
        for b in name.utf8 { h = (h ^ UInt64(b)) &* fnvPrime }
        return mix(h)
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var h = fnvStart
        for b in bytes { h = (h ^ UInt64(b)) &* fnvPrime }
        return mix(h)
    }

    private static let fnvStart: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

    @inline(__always)
    private static func mix(_ fnv: UInt64) -> UInt32 {
        let h = (fnv ^ (fnv >> 29)) &* 0xbf58_476d_1ce4_e5b9
        return UInt32(truncatingIfNeeded: h ^ (h >> 32))
    }
}
