/// A growable table of values addressed by index, as one object: what the loop and the
/// session keep their futures, tasks and records in.
///
/// This target is the one place where asyncplay's storage opts out of Swift's dynamic
/// exclusivity checks (`@exclusivity(unchecked)`), and the one place with unsafe code.
/// A table is a `let` of its owner, so using it is never an access to a `var` of the
/// owner; its elements live in memory it allocates, reached through addressors, so
/// `table[i].field = x` changes the element in place, with no copy, no reference count
/// and no dynamic check. What keeps that sound: every table belongs to one single-threaded
/// owner (the loop, the session), and no code holds an element's address across a call
/// that could change the table (the addressors lend it for one access expression).
/// Indices are checked.
public final class SlotTable<Element> {
    @usableFromInline @exclusivity(unchecked) var base: UnsafeMutablePointer<Element>
    @usableFromInline @exclusivity(unchecked) var capacity: Int
    @usableFromInline @exclusivity(unchecked) var _count: Int

    public init(minimumCapacity: Int = 0) {
        capacity = Swift.max(minimumCapacity, 16)
        base = .allocate(capacity: capacity)
        _count = 0
    }

    deinit {
        base.deinitialize(count: _count)
        base.deallocate()
    }

    @inlinable public var count: Int { _count }
    @inlinable public var isEmpty: Bool { _count == 0 }
    @inlinable public var indices: Range<Int> { 0..<_count }

    @inlinable
    public subscript(i: Int) -> Element {
        unsafeAddress {
            precondition(i >= 0 && i < _count, "SlotTable index out of range")
            return UnsafePointer(base + i)
        }
        unsafeMutableAddress {
            precondition(i >= 0 && i < _count, "SlotTable index out of range")
            return base + i
        }
    }

    /// Adds `element` at the end; returns its index.
    @inlinable @discardableResult
    public func append(_ element: consuming Element) -> Int {
        if _count == capacity { grow() }
        (base + _count).initialize(to: element)
        _count += 1
        return _count - 1
    }

    public func reserveCapacity(_ n: Int) {
        if n > capacity { move(to: n) }
    }

    /// Empties the table, keeping its memory when `keepingCapacity`.
    public func removeAll(keepingCapacity: Bool = false) {
        base.deinitialize(count: _count)
        _count = 0
        if !keepingCapacity && capacity > 16 {
            base.deallocate()
            capacity = 16
            base = .allocate(capacity: capacity)
        }
    }

    @usableFromInline
    func grow() { move(to: capacity * 2) }

    private func move(to newCapacity: Int) {
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        grown.moveInitialize(from: base, count: _count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }
}

extension SlotTable: Sequence {
    public struct Iterator: IteratorProtocol {
        @usableFromInline let table: SlotTable
        @usableFromInline var i = 0
        @inlinable init(_ table: SlotTable) { self.table = table }
        @inlinable public mutating func next() -> Element? {
            guard i < table.count else { return nil }
            defer { i += 1 }
            return table[i]
        }
    }
    @inlinable public func makeIterator() -> Iterator { Iterator(self) }
}

/// One value a single-threaded owner keeps and changes in place (a queue, a heap, a
/// counter), as a `let` of the owner: using it is no access to a `var` of the owner, and
/// the value opts out of dynamic exclusivity checks on the same terms as `SlotTable`.
public final class Cell<Value> {
    @usableFromInline @exclusivity(unchecked) var stored: Value
    public init(_ value: Value) { stored = value }

    /// Read and changed in place. (Inlinable accessors: the attribute on `stored` is
    /// honoured where its accesses are compiled, which must be here, not in the client.)
    @inlinable public var value: Value {
        _read { yield stored }
        _modify { yield &stored }
    }
}
