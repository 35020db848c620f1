/// One token of a line. Positions are byte offsets into the line's UTF-8; columns
/// (counted in characters, 1-based) are computed by `SourceLine` only when reported.
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
    /// The decoded text: the word itself, or a string literal's value.
    let text: String
}

/// A line of source with the byte→column mapping diagnostics need.
struct SourceLine {
    let bytes: [UInt8]
    let isASCII: Bool

    init(_ text: ArraySlice<UInt8>) {
        bytes = Array(text)
        isASCII = !bytes.contains(where: { $0 >= 0x80 })
    }

    /// 1-based column of a byte offset, counting Unicode scalars as the oracle does.
    func column(ofByte offset: Int) -> Int {
        if isASCII { return offset + 1 }
        var col = 1
        for b in bytes.prefix(offset) where b & 0xC0 != 0x80 { col += 1 }   // skip continuation bytes
        return col
    }

    func text(_ token: Token) -> String {
        String(decoding: bytes[token.start..<token.end], as: UTF8.self)
    }
}
