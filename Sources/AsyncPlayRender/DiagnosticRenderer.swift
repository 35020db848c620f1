import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// Every diagnostic looks the same everywhere: `FILE:LINE:COLUMN: error: message`, then
/// the source line and a caret under the column.
public struct DiagnosticRenderer {
    public let fileName: String
    public let sourceLine: (Int) -> String?

    public init(fileName: String, sourceLine: @escaping (Int) -> String?) {
        self.fileName = fileName
        self.sourceLine = sourceLine
    }

    public func render(_ d: Diagnostic, style: TextStyle = .plain) -> String {
        var s = style.bold("\(fileName):\(d.line):\(d.column):") + " " + style.red("error:") + " " + d.message + "\n"
        if let line = sourceLine(d.line) {
            let shown = line.shownInDiagnostic
            s += "    " + shown + "\n"
            // The caret sits under the column'th character (tabs were shown as one space);
            // past the end of a line shown cut short (a 1 MB line), just after it.
            let pad = String(repeating: " ", count: max(0, min(d.column - 1, shown.unicodeScalars.count)))
            s += "    " + pad + style.green("^") + "\n"
        }
        return s
    }
}

extension String {
    /// A source line as a diagnostic shows it: one visible character per Unicode scalar
    /// (columns count scalars), so the caret lines up. A tab is one space; a control
    /// character is its Unicode control picture (␀, ␛, ␍…): a stray ESC or CR in a
    /// script must not drive the terminal that shows the error.
    var shownInDiagnostic: String {
        var out = String.UnicodeScalarView()
        for u in unicodeScalars {
            switch u.value {
            case 0x09: out.append(" ")
            case 0x00..<0x20: out.append(Unicode.Scalar(0x2400 + u.value)!)
            case 0x7F: out.append("\u{2421}")
            case 0x80..<0xA0: out.append("\u{FFFD}")
            default: out.append(u)
            }
        }
        return String(out)
    }
}

/// ANSI styling that is a no-op unless colour is on (decided by the executable).
public struct TextStyle: Sendable {
    public let color: Bool
    public init(color: Bool) { self.color = color }
    public static let plain = TextStyle(color: false)

    private func wrap(_ code: String, _ s: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    public func bold(_ s: String) -> String { wrap("1", s) }
    public func dim(_ s: String) -> String { wrap("2", s) }
    public func red(_ s: String) -> String { wrap("31", s) }
    public func green(_ s: String) -> String { wrap("32", s) }
    public func yellow(_ s: String) -> String { wrap("33", s) }
    public func blue(_ s: String) -> String { wrap("34", s) }
    public func magenta(_ s: String) -> String { wrap("35", s) }
    public func cyan(_ s: String) -> String { wrap("36", s) }
}
