import AsyncPlayCore
/// A whole `.async` file. It is checked in full before anything runs (a file with errors
/// runs nothing), but its commands are parsed again line by line as main reaches them:
/// a million-line script then never holds a million parsed lines in memory.
public struct Script: Sendable {
    /// The file's bytes (without a BOM).
    public let bytes: [UInt8]
    /// Byte offset where each line starts; line N is `lineStarts[N - 1]`.
    private let lineStarts: [Int]
    public private(set) var diagnostics: [Diagnostic] = []
    public let limits: Limits
    /// Scripts up to this many lines keep what the check parsed, so it is not parsed twice;
    /// longer ones are parsed again line by line as they run, to bound memory.
    static let keepParsedUpTo = 200_000
    /// The lines the check parsed (a script up to `keepParsedUpTo` lines), in line order:
    /// only lines with commands: a script of spawns and comments keeps nothing for the rest.
    private var parsed: [ScriptLine] = []
    /// Whether `parsed` holds every parsed line (false: lines are parsed as they run).
    /// (For a script without errors, the only kind whose commands are asked for.)
    private var keptParsed: Bool { lineStarts.count <= Script.keepParsedUpTo }

    /// Whether some command of the script (run or not: after `exit` too) reads the
    /// session's recorded history (see `Command.readsHistory`). Without one, nothing needs
    /// the event log. Found by the check, which sees every line.
    public var readsHistory: Bool { reads.contains(.history) }
    /// Whether some command of the script is a `status` (see `Command.readsStatus`): its
    /// rows are folded from the events, phases included. Found by the check too.
    public var readsStatus: Bool { reads.contains(.status) }
    private var reads = Reads()

    /// What the views among a script's commands read from the session's records.
    struct Reads: OptionSet {
        let rawValue: UInt8
        static let history = Reads(rawValue: 1)
        static let status = Reads(rawValue: 2)
        init(rawValue: UInt8 = 0) { self.rawValue = rawValue }
        init(_ command: Command) {
            self.init()
            if command.readsHistory { insert(.history) }
            if command.readsStatus { insert(.status) }
        }
    }
    /// How many lines start with `spawn ` (about how many tasks the script makes). A hint
    /// for sizing the session's task table up front.
    public private(set) var spawnCount = 0

    public var hasErrors: Bool { !diagnostics.isEmpty }
    public var lineCount: Int { lineStarts.count }

    /// Parses UTF-8 bytes: a leading BOM is skipped, CRLF is accepted.
    public static func parse(_ source: [UInt8], limits: Limits = .standard) -> Script {
        var script = Script(source, limits: limits)
        script.validate()
        return script
    }

    public static func parse(_ text: String, limits: Limits = .standard) -> Script {
        parse(Array(text.utf8), limits: limits)
    }

    private init(_ source: [UInt8], limits: Limits) {
        self.limits = limits
        bytes = source.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(source.dropFirst(3)) : source
        var starts: [Int] = []
        bytes.withUnsafeBufferPointer { file in
            guard !file.isEmpty else { return }
            starts.append(0)
            var i = ASCIIScan.nextNewline(file, from: 0)
            while i + 1 < file.count {
                starts.append(i + 1)
                i = ASCIIScan.nextNewline(file, from: i + 1)
            }
        }
        lineStarts = starts
    }

    /// Where line `n` (1-based) is in `bytes`, without its newline and trailing CRs.
    private func lineRange(_ n: Int) -> Range<Int> {
        let start = lineStarts[n - 1]
        var end = n < lineStarts.count ? lineStarts[n] - 1 : bytes.count
        if end > start && end == bytes.count && bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        while end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return start..<end
    }

    func lineBytes(_ n: Int) -> ArraySlice<UInt8> { bytes[lineRange(n)] }

    /// Line `n` as written (for carets under errors); very long lines are cut short.
    public func sourceLine(_ n: Int) -> String? {
        guard n >= 1 && n <= lineStarts.count else { return nil }
        return lineBytes(n).withUnsafeBufferPointer { Script.sourceLine($0) }
    }

    /// A line's bytes as `sourceLine` shows them.
    static func sourceLine(_ b: UnsafeBufferPointer<UInt8>) -> String {
        if b.count > 4096 { return String(decoding: b.prefix(200), as: UTF8.self) + "…" }
        return echoed(b)     // as echoed: a recorded transcript must replay
    }

    /// Line `n` as transcripts echo it: without trailing whitespace, except whitespace
    /// right after a backslash, which is part of what the line means (`"abc\ ` is an
    /// unknown escape, `"abc\` an unterminated string): trimmed there, a recorded
    /// transcript replayed to another error. (The parser, like the oracle's, reads the
    /// line with its trailing whitespace.)
    public func echoText(_ n: Int) -> String { Script.echoed(lineBytes(n)) }

    static func echoed(_ b: ArraySlice<UInt8>) -> String {
        b.withUnsafeBufferPointer { echoed($0) }
    }

    static func echoed(_ b: UnsafeBufferPointer<UInt8>) -> String {
        var end = trimmedCount(b)
        if end > 0 && end < b.count && b[end - 1] == UInt8(ascii: "\\") { end = b.count }
        return String(decoding: UnsafeBufferPointer(rebasing: b[..<end]), as: UTF8.self)
    }

    private mutating func validate() {
        if let bad = Script.firstInvalidUTF8(bytes[...]) {
            // Like the oracle: one diagnostic at the first bad byte, nothing else is trusted.
            let line = (lineStarts.lastIndex { $0 <= bad } ?? 0)
            diagnostics = [Diagnostic(line: line + 1, column: bad - lineStarts[line] + 1,
                                      message: "invalid UTF-8 (the file must be UTF-8 text)")]
            return
        }
        let keep = keptParsed
        var found: [Diagnostic] = []
        var kept: [ScriptLine] = []
        var tokens: [Token] = []
        var readsFound = Reads()
        var spawns = 0
        bytes.withUnsafeBufferPointer { file in
            for n in stride(from: 1, through: lineStarts.count, by: 1) {
                let line = UnsafeBufferPointer(rebasing: file[lineRange(n)])
                // A line that starts with `spawn ` (a count, not a parse: a hint).
                if line.count > 6 && line[5] == UInt8(ascii: " ")
                    && ASCIIScan.equals(UnsafeBufferPointer(rebasing: line[0 ..< 5]), "spawn") { spawns += 1 }
                switch Script.parseLine(line, number: n, limits: limits, checkOnly: !keep, tokens: &tokens,
                                        reads: &readsFound, textIn: (bytes, lineStarts[n - 1])) {
                case .failure(let errors): found += errors.diagnostics
                case .success(let line): if keep, let line { kept.append(line) }
                }
            }
        }
        diagnostics = found
        reads = readsFound
        spawnCount = spawns
        parsed = found.isEmpty ? kept : []
    }

    /// The commands of line `n`, or nil when it holds none (blank, comment). Only for a
    /// script without errors.
    public func commands(ofLine n: Int) -> ScriptLine? {
        var tokens: [Token] = []
        return commands(ofLine: n, tokens: &tokens)
    }

    /// `tokens` is scratch space, kept by a caller that asks for many lines.
    private func commands(ofLine n: Int, tokens: inout [Token]) -> ScriptLine? {
        if keptParsed { return keptLine(n) }
        var readsFound = Reads()
        let result = bytes.withUnsafeBufferPointer { file in
            Script.parseLine(UnsafeBufferPointer(rebasing: file[lineRange(n)]), number: n, limits: limits, tokens: &tokens,
                             reads: &readsFound, textIn: (bytes, lineStarts[n - 1]))
        }
        guard case .success(let line) = result else { return nil }
        return line
    }

    /// Line `n` in `parsed` (binary search), nil when it holds no command.
    private func keptLine(_ n: Int) -> ScriptLine? {
        var low = 0, high = parsed.count
        while low < high {
            let mid = (low + high) / 2
            if parsed[mid].number < n { low = mid + 1 } else { high = mid }
        }
        return low < parsed.count && parsed[low].number == n ? parsed[low] : nil
    }

    /// Main's lines, one at a time, as a session asks for them. Lines holding no command
    /// (blank, comment) are skipped, and handed to `skipped` so a transcript keeps them.
    public func lineFeed(skipped: ((String) -> Void)? = nil) -> () -> ScriptLine? {
        var next = 1
        // Lines are asked for in order, so the kept ones are handed out in order too: the
        // next of `parsed` is the only one that can be line `next`.
        var nextKept = 0
        var tokens: [Token] = []
        return {
            while next <= self.lineCount {
                let n = next
                next += 1
                if self.keptParsed {
                    if nextKept < self.parsed.count && self.parsed[nextKept].number == n {
                        nextKept += 1
                        return self.parsed[nextKept - 1]
                    }
                } else if let line = self.commands(ofLine: n, tokens: &tokens) {
                    return line
                }
                skipped?(self.echoText(n))
            }
            return nil
        }
    }

    /// Parses one line typed in the shell.
    public static func parseLine(_ text: String, number: Int, limits: Limits = .standard) -> Result<ScriptLine?, LineErrors> {
        if let bad = firstInvalidUTF8(Array(text.utf8)[...]) {
            return .failure(LineErrors([Diagnostic(line: number, column: bad + 1, message: "invalid UTF-8")]))
        }
        var text = text
        var tokens: [Token] = []
        var readsFound = Reads()
        return text.withUTF8 { parseLine($0, number: number, limits: limits, tokens: &tokens, reads: &readsFound) }
    }

    /// Parses the line `bytes`; `tokens` is scratch space the caller may reuse from line to line.
    /// `reads` gains what the line's commands read of the records (left alone otherwise).
    /// `textIn`: the file `bytes` lie in, and where, so the line's text can share it (nil:
    /// the text is copied).
    static func parseLine(_ bytes: UnsafeBufferPointer<UInt8>, number: Int, limits: Limits, checkOnly: Bool = false,
                          tokens: inout [Token], reads: inout Reads,
                          textIn file: (bytes: [UInt8], offset: Int)? = nil) -> Result<ScriptLine?, LineErrors> {
        if bytes.count > limits.maxLineBytes {
            return .failure(LineErrors([Diagnostic(line: number, column: limits.maxLineBytes + 1,
                message: "line too long (\(bytes.count) bytes; the limit is \(limits.maxLineBytes))")]))
        }
        return parseTokens(bytes, number: number, limits: limits, checkOnly: checkOnly, tokens: &tokens,
                           reads: &reads, textIn: file)
    }

    /// The line's text without trailing whitespace, shared with its file when there is one.
    private static func lineText(_ bytes: UnsafeBufferPointer<UInt8>, in file: (bytes: [UInt8], offset: Int)?) -> LineText {
        let count = trimmedCount(bytes)
        guard let file else { return LineText(Array(bytes[..<count]), start: 0, count: count) }
        return LineText(file.bytes, start: file.offset, count: count)
    }

    /// The general path of `parseLine`: the lexer's tokens, parsed `;` segment by segment.
    static func parseTokens(_ bytes: UnsafeBufferPointer<UInt8>, number: Int, limits: Limits, checkOnly: Bool = false,
                            tokens: inout [Token], reads: inout Reads,
                            textIn file: (bytes: [UInt8], offset: Int)? = nil) -> Result<ScriptLine?, LineErrors> {
        let source = SourceLine(bytes)
        tokens.removeAll(keepingCapacity: true)
        do {
            try Lexer(source).tokenize(into: &tokens)
        } catch {
            return .failure(LineErrors([Diagnostic(line: number, column: error.column, message: error.message)]))
        }
        if tokens.isEmpty { return .success(nil) }
        var commands: [Command] = []
        var errors: [Diagnostic] = []
        tokens.withUnsafeBufferPointer { tokens in
            var segmentStart = 0
            for i in 0...tokens.count where i == tokens.count || tokens[i].kind == .semicolon {
                if i > segmentStart {
                    var parser = CommandParser(tokens: UnsafeBufferPointer(rebasing: tokens[segmentStart..<i]), line: source,
                                               checkOnly: checkOnly)
                    do throws(LineError) {
                        let command = try parser.command()
                        reads.formUnion(Reads(command))
                        if parser.bodySteps > limits.maxStepsPerBody {
                            errors.append(Diagnostic(line: number, column: source.column(ofByte: tokens[segmentStart].start),
                                message: "a body has at most \(limits.maxStepsPerBody) steps (this one has \(parser.bodySteps))"))
                        } else if commands.isEmpty {
                            if !checkOnly { commands = [command] }     // a literal: cheaper than growing an empty array
                        } else {
                            commands.append(command)
                        }
                    } catch {
                        errors.append(Diagnostic(line: number, column: error.column, message: error.message))
                    }
                }
                segmentStart = i + 1
            }
        }
        if !errors.isEmpty { return .failure(LineErrors(errors)) }
        if commands.isEmpty { return .success(nil) }
        return .success(ScriptLine(number: number, lineText: lineText(bytes, in: file), commands: commands))
    }

    /// How many bytes of `b` are left without its trailing whitespace.
    static func trimmedCount(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        var end = b.count
        while end > 0 {
            let c = b[end - 1]
            guard c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") || c == 0x0B || c == 0x0C else { break }
            end -= 1
        }
        return end
    }

    /// `s` without trailing whitespace (for rendered lines).
    package static func trimTrailingSpace(_ s: String) -> String {
        Array(s.utf8).withUnsafeBufferPointer { b in
            String(decoding: UnsafeBufferPointer(rebasing: b[..<trimmedCount(b)]), as: UTF8.self)
        }
    }

    /// Offset of the first byte that is not part of valid UTF-8, if any.
    static func firstInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { firstInvalidUTF8($0) }
    }

    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let end = bytes.count
        while i < end {
            i = ASCIIScan.prefixLength(bytes, from: i)
            if i == end { break }
            let b = bytes[i]
            var need = 0
            var minScalar: UInt32 = 0
            var scalar: UInt32 = 0
            switch b {
            case 0xC2...0xDF: need = 1; scalar = UInt32(b & 0x1F); minScalar = 0x80
            case 0xE0...0xEF: need = 2; scalar = UInt32(b & 0x0F); minScalar = 0x800
            case 0xF0...0xF4: need = 3; scalar = UInt32(b & 0x07); minScalar = 0x10000
            default: return i
            }
            var j = i + 1
            for _ in 0..<need {
                guard j < end, bytes[j] & 0xC0 == 0x80 else { return i }
                scalar = scalar << 6 | UInt32(bytes[j] & 0x3F)
                j += 1
            }
            if scalar < minScalar || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
            i = j
        }
        return nil
    }
}

extension Script {
    /// Whether `source` parses without errors.
    public static func looksValid(_ source: [UInt8]) -> Bool { !parse(source).hasErrors }
}

/// Every error found on one line.
public struct LineErrors: Error {
    public let diagnostics: [Diagnostic]
    init(_ d: [Diagnostic]) { diagnostics = d }
}
