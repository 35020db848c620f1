import Foundation

/// `--color` on the command line.
enum ColorMode: String, CaseIterable, Sendable {
    /// Colour when stdout is a terminal, unless NO_COLOR is set (non-empty) or TERM=dumb.
    case auto
    /// Colour even into a pipe or with NO_COLOR: an explicit request wins (no-color.org).
    case always
    case never
}

/// ANSI text styles that turn into no-ops when colour is off, so renderers write
/// `style.red(text)` unconditionally and transcripts stay free of escapes.
struct TerminalStyle: Sendable {
    enum Attribute: String, Sendable {
        case bold = "1", dim = "2", italic = "3", underline = "4"
        case red = "31", green = "32", yellow = "33", blue = "34", magenta = "35", cyan = "36"
        case gray = "90"
    }

    /// Whether styles produce escape sequences at all.
    let usesColor: Bool
    /// Escapes are wrapped in \u{1}…\u{2} so libedit does not count them in a prompt's width.
    private let marksInvisibleSpans: Bool

    /// No colour, ever.
    static let plain = TerminalStyle(usesColor: false)

    init(usesColor: Bool) {
        self.usesColor = usesColor
        self.marksInvisibleSpans = false
    }

    /// The colour decision for `mode`, for output going to stdout.
    init(mode: ColorMode,
         stdoutIsTerminal: Bool = isatty(STDOUT_FILENO) == 1,
         environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(usesColor: Self.shouldUseColor(mode: mode, isTerminal: stdoutIsTerminal,
                                                 environment: environment))
    }

    private init(usesColor: Bool, marksInvisibleSpans: Bool) {
        self.usesColor = usesColor
        self.marksInvisibleSpans = marksInvisibleSpans
    }

    static func shouldUseColor(mode: ColorMode, isTerminal: Bool, environment: [String: String]) -> Bool {
        switch mode {
        case .always: return true
        case .never: return false
        case .auto:
            if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
            if environment["TERM"] == "dumb" { return false }
            return isTerminal
        }
    }

    /// The same style for building a `LineEditor` prompt. libedit drops an invisible span
    /// that ends the prompt, so keep a visible character after the last style: `"\(s.cyan("t=1.0")) > "`.
    var forPrompt: TerminalStyle { TerminalStyle(usesColor: usesColor, marksInvisibleSpans: true) }

    func styled(_ text: String, _ attributes: Attribute...) -> String {
        guard usesColor, !attributes.isEmpty, !text.isEmpty else { return text }
        let on = "\u{1B}[" + attributes.map(\.rawValue).joined(separator: ";") + "m"
        let off = "\u{1B}[0m"
        return marksInvisibleSpans ? "\u{1}\(on)\u{2}\(text)\u{1}\(off)\u{2}" : on + text + off
    }

    func bold(_ text: String) -> String { styled(text, .bold) }
    func dim(_ text: String) -> String { styled(text, .dim) }
    func italic(_ text: String) -> String { styled(text, .italic) }
    func underline(_ text: String) -> String { styled(text, .underline) }
    func red(_ text: String) -> String { styled(text, .red) }
    func green(_ text: String) -> String { styled(text, .green) }
    func yellow(_ text: String) -> String { styled(text, .yellow) }
    func blue(_ text: String) -> String { styled(text, .blue) }
    func magenta(_ text: String) -> String { styled(text, .magenta) }
    func cyan(_ text: String) -> String { styled(text, .cyan) }
    func gray(_ text: String) -> String { styled(text, .gray) }
}
