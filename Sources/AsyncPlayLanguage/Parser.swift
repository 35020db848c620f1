import AsyncPlayCore
/// Recursive descent over one `;`-separated segment, one method per rule of SPEC section 2.
/// Errors carry the column of the offending token (or the end of the segment when
/// something is missing); the message wording follows the reference oracle.
struct CommandParser {
    /// The segment's tokens; borrowed, like the line's bytes (see `SourceLine`).
    private let tokens: UnsafeBufferPointer<Token>
    private let line: SourceLine
    /// Where a missing token is reported: past the segment's last token. Kept as a byte
    /// offset; the column is counted only for an error (counting for every `;` segment
    /// made a line of many commands quadratic).
    private let endByte: Int
    private var index = 0
    /// Only look for errors: bodies and names are not built (the check pass of a long script
    /// drops them), so a line without errors allocates nothing.
    private let checkOnly: Bool
    /// Steps in the body parsed last, for the per-body limit that `Script` applies.
    private(set) var bodySteps = 0

    init(tokens: UnsafeBufferPointer<Token>, line: SourceLine, checkOnly: Bool = false) {
        self.tokens = tokens
        self.line = line
        self.checkOnly = checkOnly
        endByte = tokens.last!.end
    }

    // MARK: - Token helpers

    private var peek: Token? { index < tokens.count ? tokens[index] : nil }

    private mutating func next() -> Token? {
        guard index < tokens.count else { return nil }
        index += 1
        return tokens[index - 1]
    }

    private func column(_ t: Token?) -> Int { line.column(ofByte: t?.start ?? endByte) }

    private func error(_ t: Token?, _ message: String) -> LineError {
        LineError(column: column(t), message: message)
    }

    /// A token's text: a string literal's value, or the word itself.
    private func text(_ t: Token) -> String { t.kind == .string ? line.stringValue(t) : line.text(t) }

    /// How a token is quoted in messages: Python's repr of its source text.
    private func shown(_ t: Token) -> String { PyString.repr(line.text(t)) }

    private func expectEnd() throws(LineError) {
        if let t = peek { throw error(t, "unexpected \(shown(t))") }
    }

    static func isName(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isName($0) }
    }

    static func isName(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first,
              (first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z"))
                || (first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z")) || first == UInt8(ascii: "_")
        else { return false }
        for b in bytes {
            let ok = (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
                || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || b == UInt8(ascii: "-")
            if !ok { return false }
        }
        return true
    }

    private static func isExceptionType(_ text: String) -> Bool {
        isName(text) && !text.contains(".") && !text.contains("-")
    }

    private func isNameToken(_ t: Token?) -> Bool {
        guard let t, t.kind == .word else { return false }
        let bytes = line.slice(t)
        return CommandParser.isName(bytes) && !Keywords.isKeyword(bytes: bytes)
    }

    private mutating func name(_ what: String = "a task name") throws(LineError) -> NameRef {
        guard let t = next() else { throw error(nil, "expected \(what)") }
        guard t.kind == .word, CommandParser.isName(line.slice(t)) else {
            throw error(t, "expected \(what), got \(shown(t))")
        }
        if Keywords.isKeyword(bytes: line.slice(t)) { throw error(t, "'\(line.text(t))' is a keyword, not a task name") }
        return nameRef(t)
    }

    private func nameRef(_ t: Token) -> NameRef {
        NameRef(name: checkOnly ? "" : line.text(t), column: column(t))
    }

    private mutating func duration() throws(LineError) -> TimeAmount {
        guard let t = next() else { throw error(nil, "expected a duration (e.g. 1s, 250ms, 2m)") }
        guard t.kind == .word else { throw error(t, "expected a duration, got \(shown(t))") }
        switch DurationLiteral.parse(line.slice(t)) {
        case .ok(let amount): return amount
        case .tooLong: throw error(t, "duration \(shown(t)) exceeds 24 h")
        case .notADuration:
            var message = "invalid duration \(shown(t)) (number with unit ms, s or m)"
            if let hint = CommandParser.durationHint(text(t)) { message += "; " + hint }
            throw error(t, message)
        }
    }

    static func durationHint(_ text: String) -> String? {
        let units = ["h": "hours are not a unit: write 60m", "sec": "write s", "secs": "write s",
                     "min": "write m", "mins": "write m", "msec": "write ms", "us": "the smallest unit is ms (0.001ms is 1 µs)"]
        let number = text.prefix { $0.isNumber || $0 == "." }
        let unit = text.dropFirst(number.count)
        if !number.isEmpty, let hint = units[String(unit)] { return hint }
        if text.hasPrefix("-") { return "durations cannot be negative" }
        return nil
    }

    private mutating func value() throws(LineError) -> PyValue {
        guard let t = next() else { throw error(nil, "expected a value after '->'") }
        if t.kind == .string { return .string(text(t)) }
        if t.kind == .word {
            let word = line.text(t)
            switch word {
            case "none": return .none
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: break
            }
            if let digits = PyLiteral.integer(word) { return .int(digits) }
            if PyLiteral.isFloat(word) {
                guard let d = Double(word), d.isFinite else { throw error(t, "number out of range: \(word)") }
                return .float(d)
            }
        }
        var message = "invalid value \(shown(t)) (integer, float, \"string\", none, true or false)"
        if t.kind == .word, ["None", "True", "False", "null", "nil"].contains(text(t)) {
            message += "; write \(text(t) == "True" ? "true" : text(t) == "False" ? "false" : "none") in lowercase"
        }
        throw error(t, message)
    }

    private mutating func step() throws(LineError) -> Step {
        let expected = "a step (DUR, sleep, cpu, thread, await or fail)"
        guard let t = next() else { throw error(nil, "expected \(expected)") }
        if t.kind == .word {
            let first = line.bytes[t.start]       // a word is never empty
            if (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) || first == UInt8(ascii: ".") {
                index -= 1
                return .sleep(try duration())
            }
            if line.isWord(t, "sleep") { return .sleep(try duration()) }
            if line.isWord(t, "cpu") { return .cpu(try duration()) }
            if line.isWord(t, "thread") { return .thread(try duration()) }
            if line.isWord(t, "await") { return .await(try name()) }
            if line.isWord(t, "fail") {
                var type = "Exception"
                var message: String? = nil
                if let nt = peek, nt.kind == .word {
                    guard CommandParser.isExceptionType(text(nt)), !Keywords.isKeyword(text(nt)) else {
                        throw error(nt, "expected an exception type, got \(shown(nt))")
                    }
                    type = text(nt)
                    index += 1
                }
                if let nt = peek, nt.kind == .string {
                    message = text(nt)
                    index += 1
                }
                return .fail(type: type, message: message)
            }
        }
        var message = "expected \(expected), got \(shown(t))"
        if t.kind == .word, let guess = Suggest.closest(to: text(t), among: Keywords.steps) {
            message += "; did you mean '\(guess)'?"
        }
        throw error(t, message)
    }

    private mutating func body() throws(LineError) -> Body {
        let first = try step()
        var endsWithFail = first.isFail
        var rest: [Step] = []
        bodySteps = 1
        while let t = peek, t.kind == .comma {
            if endsWithFail { throw error(t, "fail must be the last step") }
            index += 1
            let next = try step()
            endsWithFail = next.isFail
            if !checkOnly { rest.append(next) }
            bodySteps += 1
        }
        var value: PyValue? = nil
        if let t = peek, t.kind == .arrow {
            if endsWithFail { throw error(t, "a body that ends with fail cannot return a value") }
            index += 1
            value = try self.value()
        }
        try expectEnd()
        // A checked body is never read: its first step alone costs nothing to keep.
        return checkOnly ? Body(first: first) : Body(first: first, rest: rest, value: value)
    }

    private mutating func names() -> [NameRef] {
        var out: [NameRef] = []
        while isNameToken(peek) {
            out.append(nameRef(next()!))
        }
        return out
    }

    // MARK: - Commands

    mutating func command() throws(LineError) -> Command {
        let t = next()!
        guard t.kind == .word else { throw error(t, "expected a command, got \(shown(t))") }
        guard let word = CommandWord(line.slice(t)) else {
            var message = "unknown command \(shown(t))"
            if let guess = Suggest.closest(to: text(t), among: Keywords.commands) {
                message += "; did you mean '\(guess)'?"
            }
            throw error(t, message)
        }
        let command: Command
        switch word {
        case .spawn, .run:
            var name: NameRef? = nil
            if isNameToken(peek) {
                name = nameRef(next()!)
            } else if let nt = peek, nt.kind == .word, Keywords.isKeyword(bytes: line.slice(nt)), !Keywords.stepWords.contains(text(nt)) {
                throw error(nt, "'\(text(nt))' is a keyword, not a task name")
            }
            let body = try self.body()
            return word == .spawn ? .spawn(name: name, body: body) : .run(name: name, body: body)
        case .cancel:
            let name = try self.name()
            var message: String? = nil
            if let nt = peek, nt.kind == .string { message = text(nt); index += 1 }
            command = .cancel(name, message: message)
        case .await:
            let name = try self.name()
            var timeout: TimeAmount? = nil
            if let nt = peek, nt.kind == .word, text(nt) == "timeout" {
                index += 1
                timeout = try duration()
            }
            command = .await(name, timeout: timeout)
        case .gather, .wait:
            command = try gatherOrWait(isGather: word == .gather)
        case .sleep: command = .sleep(try duration())
        case .block: command = .block(try duration())
        case .status, .ps: command = .status(names())
        case .result: command = .result(try name())
        case .timeline: command = .timeline(try timelineOptions())
        case .tree: command = .tree
        case .why: command = .why(try name())
        case .export:
            let nt = next()
            guard let nt, nt.kind == .word, text(nt) == "python" else { throw error(nt, "expected 'python' (export python [FILE])") }
            var path: String? = nil
            if let ft = peek, ft.kind == .string || ft.kind == .word { path = text(ft); index += 1 }
            command = .export(path: path)
        case .time: command = .time
        case .reset: command = .reset
        case .exit, .quit: command = .exit
        case .trace:
            let nt = next()
            guard let nt, nt.kind == .word, text(nt) == "on" || text(nt) == "off" else { throw error(nt, "expected on or off" + (nt.map { ", got \(shown($0))" } ?? "")) }
            command = .trace(text(nt) == "on")
        case .set:
            let nt = next()
            guard let nt, nt.kind == .word, text(nt) == "workers" else {
                var message = "expected 'workers'" + (nt.map { ", got \(shown($0))" } ?? "")
                if let nt, nt.kind == .word, text(nt) != "workers", Suggest.closest(to: text(nt), among: ["workers"]) != nil {
                    message += "; did you mean 'workers'?"
                }
                throw error(nt, message)
            }
            let nv = next()
            guard let nv, nv.kind == .word, let digits = PyLiteral.integer(text(nv)),
                  text(nv).first?.isASCIIDigit == true, digits.count <= 4,
                  let n = Int(digits), (1...1024).contains(n)
            else { throw error(nv, "expected a number of workers (1..1024)" + (nv.map { ", got \(shown($0))" } ?? "")) }
            command = .setWorkers(n)
        case .help:
            var topic: String? = nil
            if let nt = peek { topic = text(nt); index += 1 }
            command = .help(topic: topic)
        }
        try expectEnd()
        return command
    }

    /// `timeline [ascii] [width N] [--svg FILE]`, in any order.
    private mutating func timelineOptions() throws(LineError) -> TimelineOptions {
        var options = TimelineOptions()
        var seen: Set<String> = []
        while let nt = next() {
            let word = nt.kind == .word ? text(nt) : ""
            if seen.contains(word) { throw error(nt, "'\(word)' given twice") }
            switch word {
            case "ascii":
                options.ascii = true
            case "width":
                let nv = next()
                guard let nv, nv.kind == .word, let digits = PyLiteral.integer(text(nv)), text(nv).first?.isASCIIDigit == true,
                      digits.count <= 4, let n = Int(digits), (20...1000).contains(n)
                else { throw error(nv, "expected a width in columns (20..1000)") }
                options.width = n
            case "--svg":
                let ft = next()
                guard let ft, ft.kind == .string || ft.kind == .word else { throw error(ft, "expected a file name after --svg") }
                options.svgPath = text(ft)
            default:
                throw error(nt, "unexpected \(shown(nt)) (timeline [ascii] [width N] [--svg FILE])")
            }
            seen.insert(word)
        }
        return options
    }

    private mutating func gatherOrWait(isGather: Bool) throws(LineError) -> Command {
        let names = self.names()
        var seen: Set<String> = []
        var timeout: TimeAmount? = nil
        var returnExceptions = false
        var mode: WaitMode? = nil
        while let nt = next() {
            let word = nt.kind == .word ? text(nt) : nil
            if let word, seen.contains(word) { throw error(nt, "'\(word)' given twice") }
            switch word {
            case "timeout"?:
                timeout = try duration()
            case "return_exceptions"? where isGather:
                returnExceptions = true
            case let w? where !isGather && WaitMode(rawValue: w) != nil:
                if mode != nil { throw error(nt, "only one of first_completed, first_exception, all_completed") }
                mode = WaitMode(rawValue: w)
            default:
                if isNameToken(nt) { throw error(nt, "task names must come before the options, got \(shown(nt))") }
                throw error(nt, "unexpected \(shown(nt))")
            }
            if let word { seen.insert(word) }
        }
        return isGather ? .gather(names, returnExceptions: returnExceptions, timeout: timeout)
                        : .wait(names, mode: mode ?? .allCompleted, timeout: timeout)
    }
}

private extension Step {
    var isFail: Bool {
        if case .fail = self { return true }
        return false
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Literal numbers as Python reads them.
enum PyLiteral {
    /// `[+-]?\d+` → Python's int text (no sign for +, no leading zeros, -0 is 0).
    static func integer(_ text: String) -> String? {
        var s = Substring(text)
        var negative = false
        if let f = s.first, f == "+" || f == "-" { negative = f == "-"; s = s.dropFirst() }
        guard !s.isEmpty, s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        let digits = s.drop(while: { $0 == "0" })
        if digits.isEmpty { return "0" }
        return (negative ? "-" : "") + digits
    }

    /// `[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?`
    static func isFloat(_ text: String) -> Bool {
        var b = Array(text.utf8)[...]
        if let f = b.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { b = b.dropFirst() }
        func digits(_ s: inout ArraySlice<UInt8>) -> Int {
            var n = 0
            while let f = s.first, f >= 48 && f <= 57 { s = s.dropFirst(); n += 1 }
            return n
        }
        let intCount = digits(&b)
        var fracCount = 0
        if b.first == UInt8(ascii: ".") { b = b.dropFirst(); fracCount = digits(&b) } else if intCount == 0 { return false }
        if intCount == 0 && fracCount == 0 { return false }
        if let f = b.first, f == UInt8(ascii: "e") || f == UInt8(ascii: "E") {
            b = b.dropFirst()
            if let s = b.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { b = b.dropFirst() }
            if digits(&b) == 0 { return false }
        }
        return b.isEmpty
    }
}

/// "did you mean …?" for near-misses: the closest word within a small edit distance.
public enum Suggest {
    public static func closest(to word: String, among candidates: [String]) -> String? {
        let w = Array(word.lowercased())
        guard w.count >= 2 else { return nil }
        var best: (String, Int)? = nil
        for c in candidates {
            let d = distance(w, Array(c))
            let limit = max(1, min(2, c.count / 3))
            if d <= limit && (best == nil || d < best!.1) { best = (c, d) }
        }
        return best?.0
    }

    /// Damerau–Levenshtein (optimal string alignment): a swap like `spwan` costs 1.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
