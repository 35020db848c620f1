import ArgumentParser
import AsyncPlay

enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    /// Whether to colour what goes to `fd`: auto is on for a terminal, unless NO_COLOR is set.
    func isOn(fd: Int32) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let v = StandardStreams.environment("NO_COLOR"), !v.isEmpty { return false }
            return StandardStreams.isTerminal(fd)
        }
    }
}

/// Options shared by every command that prints a transcript.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON Lines (one object per event, result, error), as SPEC section 6 defines.")
    var json = false

    @Option(help: ArgumentHelp("Colour: auto (only on a terminal, never with NO_COLOR set), always or never.", valueName: "when"))
    var color: ColorChoice = .auto

    @Option(help: ArgumentHelp("Language of help and explanations: en or pt (default from LANG).", valueName: "lang"))
    var lang: String?

    var language: AsyncPlay.Language { OutputOptions.language(lang) }

    /// `--lang`, or else the locale's language.
    static func language(_ lang: String?) -> AsyncPlay.Language {
        if let lang { return AsyncPlay.Language(rawValue: lang) ?? .english }
        let env = StandardStreams.environment("LC_ALL") ?? StandardStreams.environment("LC_MESSAGES") ?? StandardStreams.environment("LANG")
        return AsyncPlay.Language.fromLocale(env)
    }

    func useColor(fd: Int32 = 1) -> Bool { color.isOn(fd: fd) }

    func validate() throws {
        if let lang, AsyncPlay.Language(rawValue: lang) == nil {
            throw ValidationError("--lang must be en or pt, not '\(lang)'")
        }
    }
}
