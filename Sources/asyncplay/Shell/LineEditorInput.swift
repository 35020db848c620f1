/// What one `LineEditor.readLine(prompt:)` produced.
enum LineEditorInput: Equatable, Sendable {
    /// A line the user entered with Return, without its newline.
    case line(String)
    /// Ctrl-C at the prompt: the half-typed line is dropped.
    case interrupt
    /// Ctrl-D on an empty line, or the terminal went away.
    case endOfInput
}
