extension Array where Element: Hashable {
    /// The elements in order, each at its first place (Python's `list(dict.fromkeys(xs))`):
    /// how `gather` and `wait` treat a task named twice. A short array (a few names on a
    /// line, the usual case) is compared pair by pair and given back as it is when nothing
    /// repeats; only a long one builds a set.
    @inlinable
    package func uniquedInOrder() -> [Element] {
        if count <= 16 {
            var repeats = false
            for i in indices where !repeats {
                for j in indices where j > i && self[j] == self[i] { repeats = true; break }
            }
            guard repeats else { return self }
            var out: [Element] = []
            out.reserveCapacity(count)
            for x in self where !out.contains(x) { out.append(x) }
            return out
        }
        var seen = Set<Element>(minimumCapacity: count)
        return filter { seen.insert($0).inserted }
    }
}
