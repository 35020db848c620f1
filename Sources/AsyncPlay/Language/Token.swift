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

    init(_ text: ArraySlice<UInt8>) {
        bytes = text
        base = text.startIndex
    }

    /// 1-based column of a byte offset, counting Unicode scalars as the oracle does.
    func column(ofByte offset: Int) -> Int {
        var col = 1
        for b in bytes.prefix(offset) where b & 0xC0 != 0x80 { col += 1 }   // skip continuation bytes
        return col
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
