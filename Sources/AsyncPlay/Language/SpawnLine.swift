/// The commonest line of a big script, `spawn NAME DUR`, read straight from its bytes.
///
/// The general path (lexer, token array, recursive descent) cost a few thousand
/// instructions a line, most of a million-spawn script's parse. This reads only
/// `spawn|run [NAME] [sleep|cpu|thread] DUR` on a line of plain ASCII words (a trailing
/// `# comment` allowed) and gives up, with nil, on anything else: other commands, commas,
/// arrows, quotes, `;`, non-ASCII bytes, and every error. The general path then parses
/// the line, so diagnostics keep one source, and this path accepts only lines the
/// general path accepts, building the same command (SpawnLineTests compares the two).
struct SpawnLine {
    let isRun: Bool
    /// Where the task name is in the line, if one is given.
    let name: Range<Int>?
    /// The body's only step: a sleep, cpu or thread of `amount`. (Plain data, not a
    /// `Step`: copying this struct then needs no reference counting.)
    let kind: Kind
    let amount: TimeAmount

    enum Kind { case sleep, cpu, thread }

    init?(_ line: UnsafeBufferPointer<UInt8>) {
        if let quick = SpawnLine.quick(line) {
            self = quick
            return
        }
        var words = Words(line: line)
        guard let command = words.next() else { return nil }
        if ASCIIScan.equals(words.bytes(command), "spawn") {
            isRun = false
        } else if ASCIIScan.equals(words.bytes(command), "run") {
            isRun = true
        } else {
            return nil
        }
        guard var word = words.next() else { return nil }
        // As `CommandParser`: a name is a NAME that is no keyword; anything else starts the body.
        let nameBytes = words.bytes(word)
        if CommandParser.isName(nameBytes) && !Keywords.isKeyword(bytes: nameBytes) {
            name = word
            guard let next = words.next() else { return nil }
            word = next
        } else {
            name = nil
        }
        let stepBytes = words.bytes(word)
        let first = stepBytes[0]                  // a word is never empty
        if (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) || first == UInt8(ascii: ".") {
            kind = .sleep                         // a bare duration sleeps
        } else {
            if ASCIIScan.equals(stepBytes, "sleep") {
                kind = .sleep
            } else if ASCIIScan.equals(stepBytes, "cpu") {
                kind = .cpu
            } else if ASCIIScan.equals(stepBytes, "thread") {
                kind = .thread
            } else {
                return nil
            }
            guard let next = words.next() else { return nil }
            word = next
        }
        guard case .ok(let amount) = DurationLiteral.parse(words.bytes(word)) else { return nil }
        // Nothing more: a further word, or a byte the general path must judge, gives up.
        guard words.next() == nil, words.reachedEnd else { return nil }
        self.amount = amount
    }

    /// `spawn NAME DIGITS[ms|s]` and nothing else, NAME of ASCII letters, digits and `_`
    /// and no keyword, at most nine digits: the shape of nearly every line of a big
    /// script, read in one pass (the word-by-word reading below cost ~670 instructions a
    /// line, a tenth of a whole spawn). Nil for anything else, which that reading judges.
    private static func quick(_ line: UnsafeBufferPointer<UInt8>) -> SpawnLine? {
        let n = line.count
        guard n >= 9, let p = line.baseAddress,
              p[0] == UInt8(ascii: "s"), p[1] == UInt8(ascii: "p"), p[2] == UInt8(ascii: "a"),
              p[3] == UInt8(ascii: "w"), p[4] == UInt8(ascii: "n"), p[5] == UInt8(ascii: " ") else { return nil }
        let nameStart = 6
        let first = p[nameStart] | 0x20            // ASCII letters folded to lowercase
        guard (first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z")) || p[nameStart] == UInt8(ascii: "_") else { return nil }
        var i = nameStart
        var lowercase = true                       // keywords are lowercase letters and `_`
        while i < n {
            // [A-Za-z0-9_], with the lexer's bit masks.
            let b = p[i]
            let inName = b < 64 ? Lexer.digits >> b & 1 != 0
                                : b < 128 && Lexer.lettersAndUnderscore >> (b &- 64) & 1 != 0
            if !inName { break }
            lowercase = lowercase && b >= UInt8(ascii: "_")    // `_` and a-z; not A-Z or digits
            i &+= 1
        }
        let nameEnd = i
        guard i < n, p[i] == UInt8(ascii: " ") else { return nil }
        if lowercase && Keywords.isKeyword(bytes: UnsafeBufferPointer(start: p + nameStart, count: nameEnd - nameStart)) {
            return nil                             // `spawn sleep 1s`: a step, not a name
        }
        i &+= 1
        let digitsStart = i
        var value: Int64 = 0
        while i < n, p[i] &- UInt8(ascii: "0") < 10 {
            value = value &* 10 &+ Int64(p[i] &- UInt8(ascii: "0"))
            i &+= 1
        }
        guard i - digitsStart >= 1, i - digitsStart <= 9 else { return nil }
        var unit: Int64 = 1_000_000                // a bare number is seconds
        if i < n {
            if p[i] == UInt8(ascii: "m") && i + 2 == n && p[i + 1] == UInt8(ascii: "s") {
                unit = 1000
            } else if !(p[i] == UInt8(ascii: "s") && i + 1 == n) {
                return nil
            }
        }
        let micros = value * unit
        guard micros <= TimeAmount.maximum.microseconds else { return nil }
        return SpawnLine(isRun: false, name: nameStart ..< nameEnd, kind: .sleep, amount: TimeAmount(microseconds: micros))
    }

    private init(isRun: Bool, name: Range<Int>?, kind: Kind, amount: TimeAmount) {
        self.isRun = isRun
        self.name = name
        self.kind = kind
        self.amount = amount
    }

    /// A spawn line in 16 bytes: what a script too long to keep its parsed lines keeps of
    /// each such line, so that running it rebuilds the command from this instead of
    /// reading the line again (for a million lines, 16 MB instead of a second parse).
    struct Packed {
        private let amount: Int64
        private let nameStart: UInt32
        private let nameCount: UInt16
        /// 0: no line packed here. Bit 0: packed; bit 1: `run`; bit 2: named; bits 3-4: kind.
        private let flags: UInt8

        static let none = Packed(amount: 0, nameStart: 0, nameCount: 0, flags: 0)

        private init(amount: Int64, nameStart: UInt32, nameCount: UInt16, flags: UInt8) {
            self.amount = amount
            self.nameStart = nameStart
            self.nameCount = nameCount
            self.flags = flags
        }

        /// Nil when the name's place does not fit (a line longer than 4 GB, a name longer than 64 KB).
        init?(_ line: SpawnLine) {
            var flags: UInt8 = 1
            if line.isRun { flags |= 2 }
            var start: UInt32 = 0, count: UInt16 = 0
            if let name = line.name {
                guard let s = UInt32(exactly: name.lowerBound), let c = UInt16(exactly: name.count) else { return nil }
                start = s
                count = c
                flags |= 4
            }
            switch line.kind {
            case .sleep: break
            case .cpu: flags |= 8
            case .thread: flags |= 16
            }
            self.init(amount: line.amount.microseconds, nameStart: start, nameCount: count, flags: flags)
        }

        /// Whether a line is packed here.
        var holdsLine: Bool { flags & 1 != 0 }

        /// Where the name of the task a `spawn` line makes is in its line (nil: no line
        /// packed here, a `run` line, or no name).
        var spawnedName: Range<Int>? {
            flags & 7 == 5 ? Int(nameStart) ..< Int(nameStart) + Int(nameCount) : nil
        }

        var line: SpawnLine? {
            guard flags & 1 != 0 else { return nil }
            let kind: Kind = flags & 8 != 0 ? .cpu : flags & 16 != 0 ? .thread : .sleep
            let name = flags & 4 != 0 ? Int(nameStart) ..< Int(nameStart) + Int(nameCount) : nil
            return SpawnLine(isRun: flags & 2 != 0, name: name, kind: kind, amount: TimeAmount(microseconds: amount))
        }
    }

    /// The command, as `CommandParser` builds it, from the text of the line it was read from.
    func command(in text: LineText) -> Command { text.withBytes { command(in: $0) } }

    /// The name's bytes in `line` (nil for an unnamed spawn).
    func nameBytes(in line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        name.map { UnsafeBufferPointer(rebasing: line[$0]) }
    }

    /// The command, as `CommandParser` builds it.
    func command(in line: UnsafeBufferPointer<UInt8>) -> Command {
        let (ref, body) = parts(in: line)
        return isRun ? .run(name: ref, body: body) : .spawn(name: ref, body: body)
    }

    /// The command's name and body.
    func parts(in line: UnsafeBufferPointer<UInt8>) -> (name: NameRef?, body: Body) {
        // The line is ASCII up to its last word, so a column is the byte offset + 1.
        let ref = name.map { NameRef(name: SpawnLine.string(UnsafeBufferPointer(rebasing: line[$0])), column: $0.lowerBound + 1) }
        let step: Step
        switch kind {
        case .sleep: step = .sleep(amount)
        case .cpu: step = .cpu(amount)
        case .thread: step = .thread(amount)
        }
        return (ref, Body(first: step))
    }

    /// The name's String. Filled in place: `String(decoding:as:)` took ~30 instructions
    /// more per name (its generic repairing path), and a big script makes a name a line.
    /// (Both check the bytes are UTF-8; these are.)
    private static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { $0.initialize(fromContentsOf: bytes) }
    }

    /// The words of a line, split as `Lexer` splits them while the line holds only words,
    /// spaces and a comment.
    private struct Words {
        let line: UnsafeBufferPointer<UInt8>
        private var i = 0
        /// Set when the line ended (or a comment began) with no byte left unread: only
        /// then were all its tokens words.
        private(set) var reachedEnd = false

        init(line: UnsafeBufferPointer<UInt8>) { self.line = line }

        @inline(__always)
        func bytes(_ word: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: line[word]) }

        /// The next word; nil at the end of the line, at a comment, or at a byte that is
        /// neither a word's, a space nor `#` (then `reachedEnd` stays false).
        @inline(__always)
        mutating func next() -> Range<Int>? {
            let n = line.count
            while i < n && Lexer.isSpaceByte(line[i]) { i &+= 1 }
            if i == n || line[i] == UInt8(ascii: "#") {
                reachedEnd = true
                return nil
            }
            let start = i
            while i < n && Lexer.isWordByte(line[i]) { i &+= 1 }
            // A word that ends at anything but a space, `#` or the end (`->`, `,`, `;`, a
            // quote, a non-ASCII byte) is left to the lexer.
            if i == start { return nil }
            if i < n && !Lexer.isSpaceByte(line[i]) && line[i] != UInt8(ascii: "#") { return nil }
            return Range(uncheckedBounds: (start, i))
        }
    }
}
