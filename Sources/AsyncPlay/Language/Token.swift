/// One token of a line. Positions are byte offsets into the line's UTF-8; a token's text
/// is made into a String only when someone needs it (names, messages), which keeps a
/// million-line script cheap to check.
struct Token {
    enum Kind: Equatable {
        case word          // commands, names, numbers, durations: [A-Za-z0-9_.+-]+
        case string        // "…" or '…' with \n \t \\ \" \' escapes
        case comma
        case semicolon
        case arrow         // ->
    }
    let kind: Kind
    let start: Int         // byte offset of the first byte
    let end: Int           // byte offset past the last byte
    /// A string literal's decoded value (nil for other tokens).
    let stringValue: String?
}

/// A line of source with the byte→column mapping diagnostics need.
struct SourceLine {
    /// The line's bytes; a slice of the whole file, so offsets are relative to `base`.
    let bytes: ArraySlice<UInt8>
    let base: Int
    /// Offsets of the line's UTF-8 continuation bytes (none in an ASCII line), so that a
    /// column is a binary search: every name records its column, and counting bytes for
    /// each one made a line of many names quadratic (tested in LimitsTests).
    private let continuations: [Int]

    init(_ text: ArraySlice<UInt8>) {
        bytes = text
        base = text.startIndex
        var c: [Int] = []
        if text.contains(where: { $0 >= 0x80 }) {
            for (i, b) in text.enumerated() where b & 0xC0 == 0x80 { c.append(i) }
        }
        continuations = c
    }

    /// 1-based column of a byte offset, counting Unicode scalars as the oracle does.
    func column(ofByte offset: Int) -> Int {
        if continuations.isEmpty { return offset + 1 }
        var lo = 0, hi = continuations.count          // continuation bytes before `offset`
        while lo < hi {
            let mid = (lo + hi) / 2
            if continuations[mid] < offset { lo = mid + 1 } else { hi = mid }
        }
        return offset + 1 - lo
    }

    /// The token's source text.
    func text(_ token: Token) -> String {
        String(decoding: slice(token), as: UTF8.self)
    }

    /// The token's bytes, for keyword and number checks without a String.
    func slice(_ token: Token) -> ArraySlice<UInt8> { bytes[(base + token.start)..<(base + token.end)] }

    /// Whether the token is exactly this (ASCII) word.
    func isWord(_ token: Token, _ word: StaticString) -> Bool {
        guard token.kind == .word, token.end - token.start == word.utf8CodeUnitCount else { return false }
        let p = word.utf8Start
        var i = 0
        for b in slice(token) {
            if b != p[i] { return false }
            i += 1
        }
        return true
    }
}
