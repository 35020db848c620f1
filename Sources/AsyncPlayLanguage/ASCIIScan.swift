import AsyncPlayCore
/// Byte checks the parser runs on every line, eight bytes at a time where it can: the
/// check of a million-line script is mostly skipping ASCII.
enum ASCIIScan {
    /// Offset of the first byte at or after `from` that is not ASCII (`bytes.count` if none).
    static func prefixLength(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let n = bytes.count
        var i = from
        while i + 8 <= n {
            if UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < n && base[i] < 0x80 { i += 1 }
        return i
    }

    /// Whether `bytes` are exactly the (ASCII) `word`. Inlined: with `word` a literal the
    /// compare becomes a length test and a few byte tests.
    @inline(__always)
    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let p = word.utf8Start
        for i in 0..<bytes.count where bytes[i] != p[i] { return false }
        return true
    }

    /// Offset of the first `\n` at or after `from` (`bytes.count` if none). Eight bytes
    /// at a time: a script's lines are found before anything else is read.
    static func nextNewline(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let n = bytes.count
        var i = from
        while i + 8 <= n {
            // Zero bytes of `word` are the newlines; this is non-zero exactly when there is one.
            let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) ^ 0x0A0A_0A0A_0A0A_0A0A
            if (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < n && base[i] != UInt8(ascii: "\n") { i += 1 }
        return i
    }
}
