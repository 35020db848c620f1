import AsyncPlayCore
/// Splits one line into tokens. Stops at `#` (comment). The first bad character or
/// string ends the line with an error: the rest of that line cannot be trusted.
struct Lexer {
    let line: SourceLine

    init(_ line: SourceLine) { self.line = line }

    /// `[A-Za-z0-9_.+-]`, as one bit per ASCII byte: every byte of a script's words is
    /// tested, and one bit test replaces five range comparisons.
    @inline(__always)
    static func isWordByte(_ b: UInt8) -> Bool {
        let low: UInt64 = 0x03FF_6800_0000_0000       // + - . 0-9
        if b < 64 { return low >> b & 1 != 0 }
        return b < 128 && lettersAndUnderscore >> (b - 64) & 1 != 0
    }

    /// A-Z, `_` and a-z, one bit per byte from 64 to 127.
    static let lettersAndUnderscore: UInt64 = 0x07FF_FFFE_87FF_FFFE
    /// 0-9, one bit per byte from 0 to 63.
    static let digits: UInt64 = 0x03FF_0000_0000_0000

    /// Space, tab, CR, VT and FF, as one bit each (see `isWordByte`).
    @inline(__always)
    static func isSpaceByte(_ b: UInt8) -> Bool {
        b < 64 && 0x1_0000_3A00 as UInt64 >> b & 1 != 0
    }

    /// Appends the line's tokens to `tokens` (a buffer the caller reuses from line to line).
    func tokenize(into tokens: inout [Token]) throws(LineError) {
        let bytes = line.bytes
        let n = bytes.count
        var i = 0
        while i < n {
            let c = bytes[i]
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0B, 0x0C:
                i += 1
            case UInt8(ascii: "#"):
                return
            case UInt8(ascii: ";"):
                tokens.append(Token(kind: .semicolon, start: i, end: i + 1))
                i += 1
            case UInt8(ascii: ","):
                tokens.append(Token(kind: .comma, start: i, end: i + 1))
                i += 1
            case UInt8(ascii: "-") where i + 1 < n && bytes[i + 1] == UInt8(ascii: ">"):
                tokens.append(Token(kind: .arrow, start: i, end: i + 2))
                i += 2
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                var ignored: [UInt8]? = nil
                let next = try scanString(from: i, into: &ignored)
                tokens.append(Token(kind: .string, start: i, end: next))
                i = next
            default:
                guard Lexer.isWordByte(c) else { throw unexpectedCharacter(at: i) }
                var j = i + 1
                while j < n {
                    let d = bytes[j]
                    guard Lexer.isWordByte(d) else { break }
                    // A word ends at `->`, so `1s->5` reads as `1s`, `->`, `5`.
                    if d == UInt8(ascii: "-") && j + 1 < n && bytes[j + 1] == UInt8(ascii: ">") { break }
                    j += 1
                }
                tokens.append(Token(kind: .word, start: i, end: j))
                i = j
            }
        }
    }

    /// Checks the string literal that starts (at its quote) at `start` and returns the offset
    /// past its closing quote; the decoded value goes to `value` when one is given.
    func scanString(from start: Int, into value: inout [UInt8]?) throws(LineError) -> Int {
        let bytes = line.bytes
        let quote = bytes[start]
        var j = start + 1
        while true {
            guard j < bytes.count else {
                throw LineError(column: line.column(ofByte: start), message: "unterminated string")
            }
            let d = bytes[j]
            if d == UInt8(ascii: "\\") && j + 1 < bytes.count {
                let e = bytes[j + 1]
                switch e {
                case UInt8(ascii: "n"): value?.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "t"): value?.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): value?.append(e)
                default:
                    let shown = String(decoding: bytes[(j + 1)...].prefix(utf8Length(e)), as: UTF8.self)
                    throw LineError(column: line.column(ofByte: j),    // the backslash, as the oracle
                                    message: "unknown escape '\\\(shown)' (use \\n, \\t, \\\\, \\\" or \\')")
                }
                j += 2
                continue
            }
            if d == quote { return j + 1 }
            value?.append(d)
            j += 1
        }
    }

    private func unexpectedCharacter(at i: Int) -> LineError {
        let len = utf8Length(line.bytes[i])
        let ch = String(decoding: line.bytes[i..<min(line.bytes.count, i + len)], as: UTF8.self)
        var message = "unexpected character \(PyString.repr(ch))"
        if let hint = Lexer.hint(for: ch) { message += "; " + hint }
        return LineError(column: line.column(ofByte: i), message: message)
    }

    /// Near-misses a learner types, with what they probably meant.
    static func hint(for ch: String) -> String? {
        switch ch {
        case "\u{201C}", "\u{201D}", "\u{201E}": return "use a plain double quote \""
        case "\u{2018}", "\u{2019}": return "use a plain single quote '"
        case "\u{2192}": return "write the arrow as ->"
        case "\u{00A0}": return "a non-breaking space; use a plain space"
        case "=": return "values are returned with -> VALUE"
        case "(", ")", "[", "]", "{", "}": return "the language has no brackets: write `spawn A 1s, 2s -> 5`"
        default: return nil
        }
    }

    private func utf8Length(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...: return 4
        case 0xE0...: return 3
        case 0xC0...: return 2
        default: return 1
        }
    }
}
