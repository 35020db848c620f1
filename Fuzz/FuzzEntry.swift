// The libFuzzer entry point for asyncplay (scripts/fuzz builds it).
//
// It is compiled together with every file of Sources/AsyncPlay into one module, with
// `swiftc -sanitize=fuzzer`, so it reaches the library's internals directly. It is not a
// SwiftPM target: SwiftPM cannot link libFuzzer's own main.
//
// Each input is a script. It is parsed and run on the virtual clock the way
// `asyncplay run` does, several ways, and the outputs are checked for properties that
// must hold for every input (a violated property stops the process like a crash, so
// libFuzzer keeps the input):
//   * nothing traps (overflow, index out of range, exclusivity, force-unwraps, ...);
//   * the exit code is 0, 1 or 2; 2 exactly when the script has syntax errors, and then
//     every diagnostic points inside the file (line ≥ 1 within it, column ≥ 1) and
//     nothing ran;
//   * every JSON Lines line is one well-formed JSON object;
//   * the same script gives byte-identical JSON twice (determinism);
//   * a transcript recorded from a valid UTF-8 script replays to the same text
//     (what `asyncplay check` relies on);
//   * each line parsed the shell's way (`Script.parseLine`) agrees with the file's parse.
// Hangs and memory are left to libFuzzer's -timeout= and -rss_limit_mb=.

/// Small limits for one of the runs, so the fuzzer reaches every limit's diagnostic
/// with short inputs; the other runs use the standard limits.
private let smallLimits: Limits = {
    var l = Limits()
    l.maxLineBytes = 200
    l.maxStepsPerBody = 8
    l.maxLiveTasks = 12
    l.maxKeptEvents = 40
    return l
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func asyncplayFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes: [UInt8] = (size > 0 && data != nil) ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    FuzzProperties.check(bytes)
    return 0
}

enum FuzzProperties {
    static func check(_ source: [UInt8]) {
        // 1. The standard run, as `asyncplay run --json`, twice: byte-identical.
        let json1 = run(source, format: .jsonLines, limits: .standard)
        let json2 = run(source, format: .jsonLines, limits: .standard)
        require(json1.exitCode == json2.exitCode && json1.output == json2.output,
                "two runs of the same script differ")
        checkJSONLines(json1.output)

        // 2. The parse agrees with the exit code; diagnostics point inside the file.
        let script = Script.parse(source)
        require((json1.exitCode == 2) == script.hasErrors, "exit code \(json1.exitCode) but hasErrors = \(script.hasErrors)")
        require([0, 1, 2].contains(json1.exitCode), "exit code \(json1.exitCode)")
        for d in script.diagnostics {
            require(d.line >= 1 && d.line <= max(1, script.lineCount), "diagnostic on line \(d.line) of \(script.lineCount)")
            require(d.column >= 1, "diagnostic at column \(d.column)")
            require(!d.message.isEmpty, "empty diagnostic message")
        }
        if script.hasErrors {
            require(!json1.syntaxErrors.isEmpty, "syntax errors but nothing on stderr")
            // Nothing ran: only diagnostics are printed.
            for line in json1.output.split(separator: "\n") {
                require(line.hasPrefix("{\"type\":\"diagnostic\""), "a script with errors printed \(line.prefix(80))")
            }
        }

        // 3. The shell parses line by line: it must agree with the file's parse.
        if Script.firstInvalidUTF8(source[...]) == nil && !script.hasErrors {
            for n in stride(from: 1, through: script.lineCount, by: 1) {
                let text = script.echoText(n)
                if case .failure(let e) = Script.parseLine(text, number: n) {
                    fail("line \(n) parses in the file but not in the shell: \(e.diagnostics.first!.message)")
                }
            }
        }

        // 4. The transcript with small limits (reaches the limits' diagnostics).
        let text = run(source, format: .transcript, limits: smallLimits)
        require([0, 1, 2].contains(text.exitCode), "exit code \(text.exitCode) with small limits")

        // 5. A recorded transcript replays to itself (what `asyncplay check` compares).
        if Script.firstInvalidUTF8(source[...]) == nil {
            let recorded = TranscriptFile.record(source: source, scriptName: "fuzz.async")
            let replayed = TranscriptFile.record(source: Array(TranscriptFile.script(of: recorded.text).utf8), scriptName: "fuzz.async")
            require(recorded.exitCode == replayed.exitCode, "replay exit \(replayed.exitCode), recorded \(recorded.exitCode)")
            if !Array(recorded.text.utf8).elementsEqual(replayed.text.utf8) {
                fail("a recorded transcript does not replay to itself:\n" + firstDifference(recorded.text, replayed.text))
            }
        }
    }

    struct Run {
        let exitCode: Int32
        let output: String
        let syntaxErrors: String
    }

    static func run(_ source: [UInt8], format: ScriptRunner.Format, limits: Limits) -> Run {
        var runner = ScriptRunner(fileName: "fuzz.async")
        runner.format = format
        runner.sessionOptions.limits = limits
        let out = OutputBuffer()
        let outcome = runner.run(source, out: out)
        return Run(exitCode: outcome.exitCode, output: out.text, syntaxErrors: outcome.syntaxErrors)
    }

    static func checkJSONLines(_ text: String) {
        guard !text.isEmpty else { return }
        require(text.hasSuffix("\n"), "JSON Lines output does not end with a newline")
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
            var p = JSONCheck(Array(line))
            guard p.object(), p.atEnd else {
                fail("not one JSON object per line: \(String(decoding: line.prefix(200), as: UTF8.self))")
            }
        }
    }

    static func firstDifference(_ a: String, _ b: String) -> String {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false)
        let lb = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(la.count, lb.count) {
            let x = i < la.count ? String(la[i]) : "<none>"
            let y = i < lb.count ? String(lb[i]) : "<none>"
            if x != y { return "line \(i + 1):\n  recorded: \(x.prefix(200))\n  replayed: \(y.prefix(200))" }
        }
        return "(same lines)"
    }

    static func require(_ ok: Bool, _ why: @autoclosure () -> String) {
        if !ok { fail(why()) }
    }

    static func fail(_ why: String) -> Never {
        fatalError("asyncplay fuzz property violated: " + why)
    }
}

/// A strict JSON (RFC 8259) well-formedness check, enough to catch broken escaping.
struct JSONCheck {
    let b: [UInt8]
    var i = 0
    var depth = 0
    init(_ b: [UInt8]) { self.b = b }

    var atEnd: Bool { i == b.count }

    mutating func object() -> Bool {
        guard eat(UInt8(ascii: "{")) else { return false }
        depth += 1
        defer { depth -= 1 }
        if depth > 64 { return false }
        if eat(UInt8(ascii: "}")) { return true }
        while true {
            guard string(), eat(UInt8(ascii: ":")), value() else { return false }
            if eat(UInt8(ascii: "}")) { return true }
            guard eat(UInt8(ascii: ",")) else { return false }
        }
    }

    mutating func array() -> Bool {
        guard eat(UInt8(ascii: "[")) else { return false }
        depth += 1
        defer { depth -= 1 }
        if depth > 64 { return false }
        if eat(UInt8(ascii: "]")) { return true }
        while true {
            guard value() else { return false }
            if eat(UInt8(ascii: "]")) { return true }
            guard eat(UInt8(ascii: ",")) else { return false }
        }
    }

    mutating func value() -> Bool {
        guard i < b.count else { return false }
        switch b[i] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    mutating func literal(_ word: String) -> Bool {
        for c in word.utf8 { guard eat(c) else { return false } }
        return true
    }

    mutating func number() -> Bool {
        _ = eat(UInt8(ascii: "-"))
        guard i < b.count, isDigit(b[i]) else { return false }
        if b[i] == UInt8(ascii: "0") { i += 1 } else { while i < b.count && isDigit(b[i]) { i += 1 } }
        if eat(UInt8(ascii: ".")) {
            guard i < b.count, isDigit(b[i]) else { return false }
            while i < b.count && isDigit(b[i]) { i += 1 }
        }
        if i < b.count && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
            i += 1
            if i < b.count && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < b.count, isDigit(b[i]) else { return false }
            while i < b.count && isDigit(b[i]) { i += 1 }
        }
        return true
    }

    mutating func string() -> Bool {
        guard eat(UInt8(ascii: "\"")) else { return false }
        while i < b.count {
            let c = b[i]
            i += 1
            if c == UInt8(ascii: "\"") { return true }
            if c < 0x20 { return false }                      // raw control characters are not allowed
            if c == UInt8(ascii: "\\") {
                guard i < b.count else { return false }
                let e = b[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    for _ in 0..<4 {
                        guard i < b.count, isHex(b[i]) else { return false }
                        i += 1
                    }
                default:
                    return false
                }
            }
        }
        return false
    }

    mutating func eat(_ c: UInt8) -> Bool {
        guard i < b.count, b[i] == c else { return false }
        i += 1
        return true
    }

    func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    func isHex(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
    }
}
