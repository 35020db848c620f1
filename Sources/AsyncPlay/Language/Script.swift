/// A whole `.async` file, parsed before anything runs: every line's commands, and every
/// error of the file (a file with errors runs nothing).
public struct Script: Sendable {
    public var lines: [ScriptLine]
    public var diagnostics: [Diagnostic]
    /// Every source line as written (without the newline), for carets under errors.
    public var sourceLines: [String]

    public var hasErrors: Bool { !diagnostics.isEmpty }

    /// Parses UTF-8 bytes: a leading BOM is skipped, CRLF is accepted.
    public static func parse(_ bytes: [UInt8], limits: Limits = .standard) -> Script {
        var content = bytes[...]
        if content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }
        if let bad = firstInvalidUTF8(content) {
            // Like the oracle: one diagnostic at the first bad byte, nothing else is trusted.
            var lineStart = content.startIndex
            var lineNumber = 1
            for i in content.startIndex..<bad where content[i] == UInt8(ascii: "\n") {
                lineNumber += 1
                lineStart = i + 1
            }
            let column = bad - lineStart + 1
            let raw = content[lineStart...].prefix { $0 != UInt8(ascii: "\n") }
            var script = Script(lines: [], diagnostics: [], sourceLines: [])
            script.sourceLines = Array(repeating: "", count: lineNumber - 1) + [String(decoding: raw, as: UTF8.self)]
            script.diagnostics = [Diagnostic(line: lineNumber, column: column, message: "invalid UTF-8 (the file must be UTF-8 text)")]
            return script
        }
        var script = Script(lines: [], diagnostics: [], sourceLines: [])
        var number = 0
        var start = content.startIndex
        let end = content.endIndex
        while start < end {
            var stop = start
            while stop < end && content[stop] != UInt8(ascii: "\n") { stop += 1 }
            number += 1
            script.addLine(number: number, content[start..<stop], limits: limits)
            start = stop + 1
        }
        return script
    }

    public static func parse(_ text: String, limits: Limits = .standard) -> Script {
        parse(Array(text.utf8), limits: limits)
    }

    /// Parses one line typed in the shell (line number given by the shell).
    public static func parseLine(_ text: String, number: Int, limits: Limits = .standard) -> (ScriptLine?, [Diagnostic]) {
        var script = Script(lines: [], diagnostics: [], sourceLines: [])
        script.addLine(number: number, Array(text.utf8)[...], limits: limits)
        return (script.lines.first, script.diagnostics)
    }

    private mutating func addLine(number: Int, _ raw: ArraySlice<UInt8>, limits: Limits) {
        var bytes = raw
        while let last = bytes.last, last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        let sourceText = String(decoding: bytes, as: UTF8.self)
        sourceLines.append(bytes.count > 4096 ? String(sourceText.prefix(200)) + "…" : sourceText)
        if bytes.count > limits.maxLineBytes {
            diagnostics.append(Diagnostic(line: number, column: limits.maxLineBytes + 1,
                message: "line too long (\(bytes.count) bytes; the limit is \(limits.maxLineBytes))"))
            return
        }
        let source = SourceLine(sourceText.utf8[...])
        let tokens: [Token]
        do {
            tokens = try Lexer(source).tokenize()
        } catch {
            diagnostics.append(Diagnostic(line: number, column: error.column, message: error.message))
            return
        }
        var commands: [Command] = []
        var segmentStart = 0
        for i in 0...tokens.count where i == tokens.count || tokens[i].kind == .semicolon {
            if i > segmentStart {
                var parser = CommandParser(tokens: Array(tokens[segmentStart..<i]), line: source)
                do {
                    let command = try parser.command()
                    if let tooMany = Script.bodyTooLong(command, limits: limits) {
                        diagnostics.append(Diagnostic(line: number, column: source.column(ofByte: tokens[segmentStart].start), message: tooMany))
                    } else {
                        commands.append(command)
                    }
                } catch {
                    diagnostics.append(Diagnostic(line: number, column: error.column, message: error.message))
                }
            }
            segmentStart = i + 1
        }
        if !commands.isEmpty {
            lines.append(ScriptLine(number: number, text: Script.trimTrailingSpace(sourceText), commands: commands))
        }
    }

    private static func bodyTooLong(_ command: Command, limits: Limits) -> String? {
        switch command {
        case .spawn(_, let body), .run(_, let body):
            if body.steps.count > limits.maxStepsPerBody {
                return "a body has at most \(limits.maxStepsPerBody) steps (this one has \(body.steps.count))"
            }
        default: break
        }
        return nil
    }

    static func trimTrailingSpace(_ s: String) -> String {
        var end = s.endIndex
        while end > s.startIndex {
            let before = s.index(before: end)
            if s[before].isWhitespace { end = before } else { break }
        }
        return String(s[..<end])
    }

    /// Offset of the first byte that is not part of valid UTF-8, if any.
    static func firstInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> Int? {
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
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
    /// Whether `source` parses without errors (cheap enough to call before a run).
    public static func looksValid(_ source: [UInt8]) -> Bool { !parse(source).hasErrors }
}
