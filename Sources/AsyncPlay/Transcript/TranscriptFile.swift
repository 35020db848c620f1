import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayLoop
import AsyncPlayEvents
import AsyncPlayRender
import AsyncPlayExport
import AsyncPlaySession
/// A transcript file holds a run's inputs and its expected output together, so one file
/// is a complete test (as cram's `.t` files are). Inputs are the lines behind `>>> `
/// (a bare `>>>` is an empty line); everything else is output.
public enum TranscriptFile {
    public static let fileExtension = "transcript"

    /// The script a transcript replays: its input lines, in order.
    public static func script(of transcript: String) -> String {
        // Bytes, not Characters: an input that starts with a combining mark joins the
        // prompt's space into one Character, and "\r\n" is one Character too.
        let prompt = Array(TextRenderer.prompt.utf8)
        var lines: [String] = []
        for raw in transcript.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let line = raw.last == UInt8(ascii: "\r") ? raw.dropLast() : raw[...]   // a CRLF file
            if line.elementsEqual(prompt.dropLast()) { lines.append("") }
            else if line.starts(with: prompt) { lines.append(String(decoding: line.dropFirst(prompt.count), as: UTF8.self)) }
        }
        if lines.isEmpty { return "" }       // the transcript of an empty script
        // A script's leading BOM is dropped; a BOM still there was a second one, part of
        // the first line: keep it so (one more, for the parser to drop).
        let text = lines.joined(separator: "\n") + "\n"
        return text.utf8.starts(with: [0xEF, 0xBB, 0xBF]) ? "\u{FEFF}" + text : text
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
