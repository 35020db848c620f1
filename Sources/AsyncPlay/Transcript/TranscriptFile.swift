/// A transcript file holds a run's inputs and its expected output together, so one file
/// is a complete test (as cram's `.t` files are). Inputs are the lines behind `>>> `
/// (a bare `>>>` is an empty line); everything else is output.
public enum TranscriptFile {
    public static let fileExtension = "transcript"

    /// The script a transcript replays: its input lines, in order.
    public static func script(of transcript: String) -> String {
        var lines: [Substring] = []
        for line in transcript.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == ">>>" { lines.append("") }
            else if line.hasPrefix(TextRenderer.prompt) { lines.append(line.dropFirst(TextRenderer.prompt.count)) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The name diagnostics use inside a transcript: `x.transcript` replays `x.async`,
    /// so recording and checking print the same file name wherever the file lives.
    public static func scriptName(forTranscriptPath path: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        let stem = base.hasSuffix("." + fileExtension) ? String(base.dropLast(fileExtension.count + 1)) : base
        return stem + ".async"
    }

    /// Runs `source` and returns the transcript text `--record` writes and `check` expects.
    public static func record(source: [UInt8], scriptName: String, options: Session.Options = Session.Options()) -> (text: String, exitCode: Int32) {
        var runner = ScriptRunner(fileName: scriptName)
        runner.sessionOptions = options
        let out = OutputBuffer()
        let outcome = runner.run(source, out: out)
        if outcome.exitCode == 2 {
            // Nothing ran: the inputs, then every error.
            let script = Script.parse(source)
            let echoed = (0..<script.lineCount).map { n -> String in
                let text = script.echoText(n + 1)
                return text.isEmpty ? ">>>\n" : TextRenderer.prompt + text + "\n"
            }.joined()
            return (echoed + outcome.syntaxErrors, 2)
        }
        return (out.text, outcome.exitCode)
    }
}
