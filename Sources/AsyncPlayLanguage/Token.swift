import AsyncPlayCore
/// One token of a line. Positions are byte offsets into the line's UTF-8; a token's text
/// (or a string literal's value) is made into a String only when someone needs it (names,
/// messages). Plain data, so a line's tokens are copied and freed without reference counting.
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
}

/// A line of source with the byte→column mapping diagnostics need. It only borrows the
/// line's bytes: it lives while `Script.withLine` runs, and is never kept.
struct SourceLine {
    /// The line's bytes, offset 0 being its first byte.
    let bytes: UnsafeBufferPointer<UInt8>
    /// Offsets of the line's UTF-8 continuation bytes (none in an ASCII line), so that a
    /// column is a binary search: every name records its column, and counting bytes for
    /// each one made a line of many names quadratic (tested in LimitsTests).
    private let continuations: [Int]

    init(_ text: UnsafeBufferPointer<UInt8>) {
        bytes = text
        var c: [Int] = []
        if ASCIIScan.prefixLength(text, from: 0) < text.count {
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

    /// A string literal's value (the lexer has already checked its escapes).
    func stringValue(_ token: Token) -> String {
        var value: [UInt8]? = []
        _ = try? Lexer(self).scanString(from: token.start, into: &value)
        return String(decoding: value ?? [], as: UTF8.self)
    }

    /// The token's bytes, for keyword and number checks without a String.
    func slice(_ token: Token) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[token.start..<token.end])
    }

    /// Whether the token is exactly this (ASCII) word.
    func isWord(_ token: Token, _ word: StaticString) -> Bool {
        token.kind == .word && ASCIIScan.equals(slice(token), word)
    }
}
