/// The session's tasks by name: an open-addressing table (linear probing) of records,
/// with each slot's hash kept beside it so a probe rarely has to read a record's name.
/// A Dictionary<String, TaskRecord> cost 24 bytes a slot and a SipHash per lookup; at a
/// million tasks that was ~50 MB and a tenth of `spawn`. Slots hold records unmanaged
/// (retained once on insert, released with the table), so growing copies plain words.
/// Names are only ever added (a loop's tasks are dropped together at `reset`).
final class TaskIndex {
    private var records: UnsafeMutablePointer<Unmanaged<TaskRecord>?>
    private var hashes: UnsafeMutablePointer<UInt32>
    private var capacity: Int           // a power of two
    private(set) var count = 0

    init() {
        capacity = 16
        records = .allocate(capacity: capacity)
        records.initialize(repeating: nil, count: capacity)
        hashes = .allocate(capacity: capacity)
    }

    deinit {
        for i in 0..<capacity { records[i]?.release() }
        records.deallocate()
        hashes.deallocate()
    }

    /// Where `name` is, or the empty slot where it would go.
    struct Slot {
        fileprivate let index: Int
        fileprivate let hash: UInt32
        let found: TaskRecord?
    }

    func slot(for name: String) -> Slot {
        let h = TaskIndex.hash(name)
        let mask = capacity - 1
        var i = Int(h) & mask
        while let r = records[i] {
            if hashes[i] == h && r._withUnsafeGuaranteedRef({ $0.name == name }) {
                return Slot(index: i, hash: h, found: r.takeUnretainedValue())
            }
            i = (i + 1) & mask
        }
        return Slot(index: i, hash: h, found: nil)
    }

    subscript(name: String) -> TaskRecord? { slot(for: name).found }

    /// Puts `record` in the empty slot `slot` found for its name (nothing added since).
    func insert(_ record: TaskRecord, at slot: Slot) {
        precondition(slot.found == nil && records[slot.index] == nil, "TaskIndex: slot taken")
        records[slot.index] = .passRetained(record)
        hashes[slot.index] = slot.hash
        count += 1
        if count * 2 > capacity { grow() }   // at most half full: short probes
    }

    private func grow() {
        let oldRecords = records, oldHashes = hashes, oldCapacity = capacity
        capacity *= 2
        records = .allocate(capacity: capacity)
        records.initialize(repeating: nil, count: capacity)
        hashes = .allocate(capacity: capacity)
        let mask = capacity - 1
        for j in 0..<oldCapacity {
            guard let r = oldRecords[j] else { continue }
            var i = Int(oldHashes[j]) & mask
            while records[i] != nil { i = (i + 1) & mask }
            records[i] = r
            hashes[i] = oldHashes[j]
        }
        oldRecords.deallocate()
        oldHashes.deallocate()
    }

    /// FNV-1a over the name's UTF-8, finished with a multiply-shift mix so that names
    /// differing only at the end (T1, T2, …) spread over the low bits the mask keeps.
    static func hash(_ name: String) -> UInt32 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var s = name
        s.withUTF8 { bytes in
            for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        }
        h = (h ^ (h >> 29)) &* 0xbf58_476d_1ce4_e5b9
        return UInt32(truncatingIfNeeded: h ^ (h >> 32))
    }
}
