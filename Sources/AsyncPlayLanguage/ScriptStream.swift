import AsyncPlayCore
/// A script read as a stream of bytes, handed out one line at a time, for a command whose
/// memory must not grow with the script (`export python`): only the line being read is
/// held, never the file or its parsed lines.
///
/// Lines are exactly `Script`'s: a leading BOM is skipped, a line ends at `\n`, its
/// trailing CRs are not part of it, and a final `\n` ends the last line rather than
/// starting an empty one.
package struct ScriptLineSplitter {
    /// The bytes of a line not yet ended (and, before the BOM is decided, the first bytes).
    private var carry: [UInt8] = []
    /// Whether the first three bytes were seen (and a BOM among them dropped).
    private var bomDecided = false
    /// Lines handed out so far: the number of the last one.
    package private(set) var lineCount = 0

    package init() {}

    /// Hands `line` each line that `chunk` completes: its number and its bytes, lent for
    /// the length of the call.
    package mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>,
                               _ line: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        if !bomDecided {
            carry.append(contentsOf: chunk)
            // A BOM is only a BOM in full: decide once three bytes are in (or at the end).
            guard carry.count >= 3 else { return }
            try decideBOM(line)
            return
        }
        try split(chunk, line)
    }

    /// The last line, when the stream does not end with a newline.
    package mutating func finish(_ line: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        if !bomDecided { try decideBOM(line) }
        guard !carry.isEmpty else { return }
        let last = carry
        carry.removeAll()
        try last.withUnsafeBufferPointer { try hand($0, line) }
    }

    /// Drops a BOM from the first bytes held, then splits them as any chunk.
    private mutating func decideBOM(_ line: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        bomDecided = true
        var held = carry
        carry.removeAll(keepingCapacity: true)
        if held.starts(with: [0xEF, 0xBB, 0xBF]) { held.removeFirst(3) }
        try held.withUnsafeBufferPointer { try split($0, line) }
    }

    private mutating func split(_ chunk: UnsafeBufferPointer<UInt8>,
                                _ line: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var start = 0
        while start < chunk.count {
            let end = ASCIIScan.nextNewline(chunk, from: start)
            let piece = UnsafeBufferPointer(rebasing: chunk[start ..< end])
            if end == chunk.count {
                // The line goes on in the next chunk.
                carry.append(contentsOf: piece)
                return
            }
            if carry.isEmpty {
                try hand(piece, line)
            } else {
                carry.append(contentsOf: piece)
                let whole = carry
                carry.removeAll(keepingCapacity: true)
                try whole.withUnsafeBufferPointer { try hand($0, line) }
            }
            start = end + 1
        }
    }

    /// One line, its trailing CRs dropped (as `Script.lineRange` does).
    private mutating func hand(_ bytes: UnsafeBufferPointer<UInt8>,
                               _ line: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var end = bytes.count
        while end > 0 && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        lineCount += 1
        try line(lineCount, UnsafeBufferPointer(rebasing: bytes[..<end]))
    }
}

/// Checks and parses lines handed out by `ScriptLineSplitter` as `Script.parse` checks
/// and parses a whole file's, keeping nothing from one line to the next but scratch space.
package struct ScriptLineParser {
    package let limits: Limits
    private var tokens: [Token] = []

    package init(limits: Limits = .standard) { self.limits = limits }

    /// The diagnostic `Script.parse` gives a file whose bytes are not UTF-8 (its only
    /// one: nothing else in such a file is trusted), when line `number` holds the first
    /// bad byte.
    package static func invalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>, number: Int) -> Diagnostic? {
        guard let bad = Script.firstInvalidUTF8(bytes) else { return nil }
        return Diagnostic(line: number, column: bad + 1, message: "invalid UTF-8 (the file must be UTF-8 text)")
    }

    /// The line's commands (nil: none, a blank or comment line) or its errors. The line
    /// must be valid UTF-8 (see `invalidUTF8`).
    package mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>, number: Int) -> Result<ScriptLine?, LineErrors> {
        var reads = Script.Reads()
        return Script.parseLine(bytes, number: number, limits: limits, tokens: &tokens, reads: &reads)
    }

    /// The line as `Script.echoText` gives it (comments are kept this way).
    package static func echoText(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        Script.echoed(bytes)
    }

    /// The line as `Script.sourceLine` gives it, for the caret under an error.
    package static func sourceLine(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        Script.sourceLine(bytes)
    }
}
