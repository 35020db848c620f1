import AsyncPlayCore
/// Every lowercase word the language reserves (SPEC section 2): a NAME may not be one.
/// The command words and their options come from `CommandTable`.
public enum Keywords {
    /// Every command spelling, in the table's order.
    public static let commands: [String] = CommandTable.spellings
    /// Commands that complete and are suggested like the others, but that a task may still
    /// be named after (see `CommandTable.Row.reserved`).
    public static let unreserved: Set<String> = Set(CommandTable.rows.filter { !$0.reserved }.map(\.spelling))
    public static let options: Set<String> = Set(CommandTable.rows.flatMap(\.reservedOptions))
    public static let steps: [String] = ["sleep", "cpu", "thread", "await", "fail"]
    public static let values: [String] = ["none", "true", "false"]

    public static let all: Set<String> = Set(commands + steps + values).union(options).subtracting(unreserved)
    static let stepWords: Set<String> = Set(steps)

    /// Keywords grouped by first letter (all are lowercase ASCII): a lookup compares a
    /// few byte strings instead of hashing (the check runs for every word of a script).
    private static let byFirstLetter: [[[UInt8]]] = {
        var table = Array(repeating: [[UInt8]](), count: 26)
        for k in all { table[Int(k.utf8.first! - UInt8(ascii: "a"))].append(Array(k.utf8)) }
        return table
    }()

    public static func isKeyword(_ word: String) -> Bool {
        var w = word
        return w.withUTF8 { isKeyword(bytes: $0) }
    }

    static func isKeyword(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let f = bytes.first, f >= UInt8(ascii: "a"), f <= UInt8(ascii: "z") else { return false }
        for k in byFirstLetter[Int(f - UInt8(ascii: "a"))] where k.count == bytes.count {
            if k.elementsEqual(bytes) { return true }
        }
        return false
    }
}
