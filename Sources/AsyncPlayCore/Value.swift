/// A Python value as asyncplay shows it: what a coroutine returns, what a command prints.
///
/// Integers keep their decimal text so that `-> 123456789012345678901234567890`
/// round-trips exactly, as Python's unbounded `int` does.
public enum PyValue: Equatable, Sendable {
    case none
    case bool(Bool)
    case int(String)
    case float(Double)
    case string(String)
    case exception(PyException)
    case list([PyValue])

    /// `repr(value)`, as the Python REPL prints it.
    public var repr: String {
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let digits): return digits
        case .float(let d): return PyFloat.repr(d)
        case .string(let s): return PyString.repr(s)
        case .exception(let e): return e.repr
        case .list(let items): return "[" + items.map(\.repr).joined(separator: ", ") + "]"
        }
    }
}

/// Python's float repr: the shortest text that round-trips, `1e-05` and `1e+16` style exponents.
public enum PyFloat {
    public static func repr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description is also shortest-round-trip; only the notation differs.
        let s = d.description
        var mantissa = s
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(s[..<e])
            exponent = Int(s[s.index(after: e)...]) ?? 0
        }
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        // Digits and decimal exponent: value = 0.DIGITS × 10^point
        var intPart = mantissa
        var fracPart = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = String(mantissa[..<dot])
            fracPart = String(mantissa[mantissa.index(after: dot)...])
        }
        var digits = intPart + fracPart
        var point = intPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); point -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let sci = point - 1   // exponent in d.ddd × 10^sci
        var out: String
        if sci < -4 || sci >= 16 {
            out = String(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += "e" + (sci < 0 ? "-" : "+") + (abs(sci) < 10 ? "0" : "") + String(abs(sci))
        } else if point <= 0 {
            out = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            out = digits + String(repeating: "0", count: point - digits.count) + ".0"
        } else {
            let i = digits.index(digits.startIndex, offsetBy: point)
            out = digits[..<i] + "." + digits[i...]
        }
        return negative ? "-" + out : out
    }
}

/// Python's str repr: single quotes unless the text holds a single quote and no double quote.
public enum PyString {
    public static func repr(_ s: String) -> String {
        // Fast path: printable ASCII without quotes or backslashes is shown as is.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x27 && $0 != 0x5C }) { return "'" + s + "'" }
        let quote: Character = (s.contains("'") && !s.contains("\"")) ? "\"" : "'"
        var out = String(quote)
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if Character(u) == quote {
                    out += "\\" + String(quote)
                } else if u.value < 0x20 || u.value == 0x7f {
                    out += "\\x" + hex(u.value, width: 2)
                } else if (0x80..<0xa0).contains(u.value) || u.properties.generalCategory == .lineSeparator
                            || u.properties.generalCategory == .paragraphSeparator
                            || u.properties.generalCategory == .unassigned
                            || u.properties.generalCategory == .privateUse
                            || u.properties.generalCategory == .surrogate
                            || u.properties.generalCategory == .format
                            || u.properties.generalCategory == .control
                            || (u.properties.generalCategory == .spaceSeparator && u != " ") {
                    let w = u.value <= 0xff ? 2 : (u.value <= 0xffff ? 4 : 8)
                    out += (w == 2 ? "\\x" : (w == 4 ? "\\u" : "\\U")) + hex(u.value, width: w)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out.append(quote)
        return out
    }

    private static func hex(_ v: UInt32, width: Int) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }
}
