/// A set of names (task names, Python identifiers) that stays small when the names are
/// numbered in order: `T0`, `T1`, … `T999999` are one run of numbers under the stem `T`,
/// not a million strings. The export must know every name a script has used (a name
/// taken, an identifier given), and generated scripts name their tasks this way; its
/// memory then does not grow with the script. Other names are kept as they are.
///
/// Exact: a name is a member only if it was inserted.
struct NameSet {
    /// Names that are not a stem and a number (see `split`), and the reserved words.
    private var plain: Set<String> = []
    /// Numbered names by stem, but for the stem used last.
    private var numbered: [String: Numbers] = [:]
    /// The stem used last and its numbers, out of `numbered`: names in a row mostly share
    /// their stem, and this spares a lookup (and a copy of the numbers) each.
    private var current: (stem: String, numbers: Numbers)?

    init<S: Sequence>(_ names: S) where S.Element == String {
        for name in names { insert(name) }
    }

    init() {}

    func contains(_ name: String) -> Bool {
        guard let (stem, k) = NameSet.split(name) else { return plain.contains(name) }
        if let current, current.stem == stem { return current.numbers.contains(k) }
        return numbered[stem]?.contains(k) ?? false
    }

    /// Inserts `name`; false when it was already a member.
    @discardableResult
    mutating func insert(_ name: String) -> Bool {
        guard let (stem, k) = NameSet.split(name) else { return plain.insert(name).inserted }
        if current?.stem != stem {
            if let current { numbered[current.stem] = current.numbers }
            current = (stem, numbered.removeValue(forKey: stem) ?? Numbers())
        }
        return current!.numbers.insert(k)
    }

    /// `name` as a stem and the number its trailing digits spell, when the digits say the
    /// number one way only: no leading zero (`T07` is not `T7`; it stays a plain name)
    /// and few enough digits for an Int.
    static func split(_ name: String) -> (stem: String, number: Int)? {
        let u = name.utf8
        var i = u.endIndex
        var digits = 0
        while i > u.startIndex {
            let j = u.index(before: i)
            guard u[j] >= UInt8(ascii: "0") && u[j] <= UInt8(ascii: "9") else { break }
            i = j
            digits += 1
        }
        guard digits >= 1 && digits <= 18 else { return nil }
        if digits > 1 && u[i] == UInt8(ascii: "0") { return nil }
        var k = 0
        for b in u[i...] { k = k * 10 + Int(b - UInt8(ascii: "0")) }
        // The digits are ASCII, so `i` is a character boundary.
        return (String(name[..<i]), k)
    }

    /// The numbers used under one stem: runs of consecutive numbers in ascending order
    /// (what names numbered in order make: one run), and the few that came below the
    /// last run and next to none of its ends.
    struct Numbers {
        /// Ascending and disjoint.
        private var runs: [ClosedRange<Int>] = []
        private var scattered: Set<Int> = []

        func contains(_ k: Int) -> Bool {
            var low = 0, high = runs.count
            while low < high {
                let mid = (low + high) / 2
                if runs[mid].upperBound < k { low = mid + 1 } else { high = mid }
            }
            if low < runs.count && runs[low].contains(k) { return true }
            return scattered.contains(k)
        }

        /// Inserts `k`; false when it was already there.
        mutating func insert(_ k: Int) -> Bool {
            guard let last = runs.last else {
                runs.append(k ... k)
                return true
            }
            if k == last.upperBound + 1 {
                runs[runs.count - 1] = last.lowerBound ... k
            } else if k > last.upperBound + 1 {
                runs.append(k ... k)
            } else if contains(k) {
                return false
            } else {
                scattered.insert(k)
            }
            return true
        }
    }
}
