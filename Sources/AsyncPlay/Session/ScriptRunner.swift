/// Runs a whole script the way `asyncplay run` does: parse everything first (a file with
/// errors runs nothing), then run it on a virtual clock and render the records.
public struct ScriptRunner {
    public enum Format { case transcript, jsonLines }

    public struct Outcome {
        /// 0 ran to the end; 1 a command was refused; 2 syntax errors (nothing ran).
        public let exitCode: Int32
        /// Rendered syntax errors (text format), for stderr; empty when the script parsed.
        public let syntaxErrors: String
    }

    public var format = Format.transcript
    public var fileName: String
    public var sessionOptions = Session.Options()
    public var textOptions = TextRenderer.Options()

    public init(fileName: String) { self.fileName = fileName }

    /// Runs `source`, writing the transcript or JSON Lines to `out`.
    public func run(_ source: [UInt8], out: OutputBuffer) -> Outcome {
        let script = Script.parse(source, limits: sessionOptions.limits)
        let diagnostics = DiagnosticRenderer(fileName: fileName) { n in
            n >= 1 && n <= script.sourceLines.count ? script.sourceLines[n - 1] : nil
        }
        if script.hasErrors {
            switch format {
            case .jsonLines:
                let json = JSONRenderer(out: out)
                for d in script.diagnostics { json.record(.diagnostic(d)) }
                out.flush()
                return Outcome(exitCode: 2, syntaxErrors: script.diagnostics.map { diagnostics.render($0) }.joined())
            case .transcript:
                let text = script.diagnostics.map { diagnostics.render($0, style: textOptions.style) }.joined()
                let count = script.diagnostics.count
                return Outcome(exitCode: 2, syntaxErrors: text + "\(count) error\(count == 1 ? "" : "s"); nothing was run\n")
            }
        }
        let log = EventLog(limit: sessionOptions.limits.maxKeptEvents)
        let sink: RecordSink
        var echo: ((String) -> Void)? = nil
        switch format {
        case .jsonLines:
            sink = JSONRenderer(out: out)
        case .transcript:
            let text = TextRenderer(out: out, diagnostics: diagnostics, log: log, options: textOptions)
            echo = text.echo
            sink = FanoutSink([log, text])
        }
        // Lines arrive when main asks for them; blank and comment lines are echoed then,
        // so the transcript keeps every line of the file in order.
        var nextCommandLine = 0
        var nextSourceLine = 1
        let lines = script.lines
        let sources = script.sourceLines
        let feed: () -> ScriptLine? = {
            let upTo = nextCommandLine < lines.count ? lines[nextCommandLine].number : sources.count + 1
            if let echo {
                while nextSourceLine < upTo {
                    echo(Script.trimTrailingSpace(sources[nextSourceLine - 1]))
                    nextSourceLine += 1
                }
            }
            nextSourceLine = upTo + 1
            guard nextCommandLine < lines.count else { return nil }
            nextCommandLine += 1
            return lines[nextCommandLine - 1]
        }
        let session = Session(options: sessionOptions, lines: .script(feed), sink: sink)
        session.run()
        out.flush()
        return Outcome(exitCode: session.refusedCommands > 0 ? 1 : 0, syntaxErrors: "")
    }
}
