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
            let shown = line.replacingTabs
            s += "    " + shown + "\n"
            // The caret sits under the column'th character (tabs were shown as one space).
            let pad = String(repeating: " ", count: max(0, d.column - 1))
            s += "    " + pad + style.green("^") + "\n"
        }
        return s
    }
}

extension String {
    /// Tabs as single spaces, so a caret lines up with the character it points at.
    var replacingTabs: String { String(map { $0 == "\t" ? " " : $0 }) }
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
