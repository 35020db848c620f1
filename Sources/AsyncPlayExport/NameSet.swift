/// The names a script has used (task names taken, Python identifiers given): the export
/// must know every one of them to keep identifiers apart, so this is the one thing its
/// memory grows with (a name's bytes and a set entry; nothing per line). Names are kept
/// as they are, whatever their shape.
struct NameSet {
    private var names: Set<String> = []

    init<S: Sequence>(_ names: S) where S.Element == String {
        self.names = Set(names)
    }

    init() {}

    func contains(_ name: String) -> Bool { names.contains(name) }

    /// Inserts `name`; false when it was already a member.
    @discardableResult
    mutating func insert(_ name: String) -> Bool { names.insert(name).inserted }
}
