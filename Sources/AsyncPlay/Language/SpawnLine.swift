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

    /// The command, as `CommandParser` builds it.
    func command(in line: UnsafeBufferPointer<UInt8>) -> Command {
        // The line is ASCII up to its last word, so a column is the byte offset + 1.
        let ref = name.map { NameRef(name: String(decoding: UnsafeBufferPointer(rebasing: line[$0]), as: UTF8.self), column: $0.lowerBound + 1) }
        let step: Step
        switch kind {
        case .sleep: step = .sleep(amount)
        case .cpu: step = .cpu(amount)
        case .thread: step = .thread(amount)
        }
        let body = Body(first: step)
        return isRun ? .run(name: ref, body: body) : .spawn(name: ref, body: body)
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
