#if canImport(Glibc)
import Glibc
#endif

/// How many columns the terminal has, and how many a piece of text takes.
enum TerminalWidth {
    /// The width of the terminal on `fd`: TIOCGWINSZ, else $COLUMNS, else 80.
    static func columns(of fd: Int32 = STDOUT_FILENO,
                        environment: [String: String] = StandardStreams.environmentVariables) -> Int {
        var size = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 {
            return Int(size.ws_col)
        }
        if let text = environment["COLUMNS"], let columns = Int(text), columns > 0 {
            return columns
        }
        return 80
    }

    /// The columns `text` occupies on one line: ANSI escape sequences and the \u{1}/\u{2}
    /// prompt markers take none, East Asian wide characters and emoji take two, combining
    /// marks none. Independent of the C locale, so tables line up in any environment.
    static func of(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        var afterEscapeIntroducer = false
        for scalar in text.unicodeScalars {
            if afterEscapeIntroducer {  // ESC [ … final byte: a CSI sequence; ESC x: two bytes
                afterEscapeIntroducer = false
                inEscape = scalar == "["
                continue
            }
            if inEscape {
                if (0x40...0x7E).contains(scalar.value) { inEscape = false }
                continue
            }
            if scalar == "\u{1B}" {
                afterEscapeIntroducer = true
                continue
            }
            width += of(scalar)
        }
        return width
    }

    /// The columns one scalar occupies (0 for control characters).
    static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x7F { return value < 0x20 ? 0 : 1 }
        if value < 0xA0 { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: break
        }
        if value == 0x200B { return 0 }
        if isWide(value) || scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    // East Asian Wide and Fullwidth blocks (UAX #11), coarse-grained.
    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
