import AsyncPlayCore
/// A refused or malformed command: where it is and what is wrong. A value, rendered in
/// one place (`DiagnosticRenderer`) for every output format.
public struct Diagnostic: Error, Equatable, Sendable {
    public let line: Int
    public let column: Int
    public let message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }
}

/// A parse error inside one line; the line number is added by `Script`.
struct LineError: Error {
    let column: Int
    let message: String
}
