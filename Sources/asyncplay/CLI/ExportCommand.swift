import ArgumentParser
import AsyncPlay

/// `asyncplay export python FILE.async`: a script as a runnable Python asyncio program.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Turn a .async script into a program of another language.",
        subcommands: [ExportPythonCommand.self]
    )
}

struct ExportPythonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "python",
        abstract: "Print an equivalent, runnable Python asyncio program.",
        discussion: """
        Each command becomes the asyncio code it stands for: spawn is
        asyncio.create_task, gather, wait and `await … timeout` are
        asyncio.gather, asyncio.wait and asyncio.wait_for, thread is
        loop.run_in_executor, cpu and block are time.sleep on the loop's thread,
        reset starts a new asyncio.run. The program prints the same events as the
        transcript (times differ by a few milliseconds: Python runs on the real
        clock). Comments of the script are kept.

        Examples:
          asyncplay export python lessons/07-5-cpu-bloqueia-o-loop.async > cpu.py
          asyncplay export python x.async --scale 0.01 | python3 -
        """
    )

    @Argument(help: ArgumentHelp("The script to export; - reads standard input.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("Multiply every duration by this (0.01 runs a hundred times faster).", valueName: "x"))
    var scale: Double = 1

    @Option(help: ArgumentHelp("Size of the thread pool at the start (as `set workers N`).", valueName: "n"))
    var workers: Int = 4

    @Option(name: [.short, .long], help: ArgumentHelp("Write the program to this file instead of standard output.", valueName: "file"))
    var output: String?

    func validate() throws {
        if !(scale > 0 && scale <= 1000) { throw ValidationError("--scale must be a number above 0 (and at most 1000)") }
        if !(1...1024).contains(workers) { throw ValidationError("--workers must be between 1 and 1024") }
    }

    func run() throws {
        let name = file == "-" ? "<stdin>" : file
        var options = PythonExporter.Options()
        options.scale = scale
        options.workers = workers
        options.title = file == "-" ? "A script from standard input" : file.split(separator: "/").last.map(String.init) ?? file
        let exporter = PythonExporter(options: options)
        // The script is never held parsed, nor (but for standard input or a pipe) whole:
        // memory does not grow with its length. The first pass checks every line as
        // `Script.parse` does (nothing is written unless all of them are right) and
        // gathers what the program's header needs; two more write the program (see
        // PythonExporter.write).
        let script: ScriptLines
        let summary: PythonExporter.Summary
        let fingerprint: Int
        do {
            script = try ScriptLines(file)
            (summary, fingerprint) = try check(script, name: name, exporter)
        } catch let error as CLIError {
            StandardStreams.stderr("asyncplay: \(error)\n")
            throw ExitCode(2)
        }
        let items: PythonExporter.Items = { each in
            var parser = ScriptLineParser()
            let again = try script.forEachLine { n, bytes in
                // Lines the first pass found right: an error now means the file changed.
                guard ScriptLineParser.invalidUTF8(bytes, number: n) == nil,
                      case .success(let line) = parser.parse(bytes, number: n) else { throw ScriptChanged() }
                try each(PythonExporter.Item(line, echoText: ScriptLineParser.echoText(bytes)))
            }
            if again != fingerprint { throw ScriptChanged() }
        }
        // To a file (`-o`): through a temporary file, renamed over it only when whole.
        // To standard output: piece by piece, as written.
        do {
            let file = try output.map { try AtomicFile($0) }
            try exporter.write(items, summary: summary) { piece in
                var piece = piece
                try piece.withUTF8 { bytes in
                    if let file { try file.write(UnsafeRawBufferPointer(bytes)) } else { StandardStreams.write(UnsafeRawBufferPointer(bytes), to: 1) }
                }
            }
            try file?.commit()
        } catch is ScriptChanged {
            let outcome = output == nil ? "the program written is not whole" : "nothing was written"
            StandardStreams.stderr("asyncplay: '\(name)' changed while it was exported; \(outcome)\n")
            throw ExitCode(2)
        } catch {
            StandardStreams.stderr("asyncplay: \(error)\n")
            throw ExitCode(2)
        }
    }

    /// The first pass: every line checked; on errors, they are shown (as `run` shows them:
    /// every one, with its line and caret) and the command fails. Returns the program's
    /// summary and the lines' fingerprint.
    private func check(_ script: ScriptLines, name: String,
                       _ exporter: PythonExporter) throws -> (PythonExporter.Summary, Int) {
        var summarizer = PythonExporter.Summarizer(exporter)
        var parser = ScriptLineParser()
        // The errors, rendered as they are found: a line is not kept for its caret.
        var errors: [String] = []
        var invalidUTF8: String?
        func render(_ d: Diagnostic, _ bytes: UnsafeBufferPointer<UInt8>) -> String {
            let line = ScriptLineParser.sourceLine(bytes)
            return DiagnosticRenderer(fileName: name) { _ in line }.render(d)
        }
        let fingerprint = try script.forEachLine { n, bytes in
            // A file that is not UTF-8 gets that one diagnostic, at its first bad byte:
            // nothing else in it is trusted. The rest is still read (a script over the
            // size limit is refused for that first).
            guard invalidUTF8 == nil else { return }
            if let d = ScriptLineParser.invalidUTF8(bytes, number: n) {
                invalidUTF8 = render(d, bytes)
                return
            }
            switch parser.parse(bytes, number: n) {
            case .failure(let e):
                for d in e.diagnostics { errors.append(render(d, bytes)) }
            case .success(let line):
                if errors.isEmpty { summarizer.add(PythonExporter.Item(line, echoText: ScriptLineParser.echoText(bytes))) }
            }
        }
        if let invalidUTF8 { errors = [invalidUTF8] }
        if !errors.isEmpty {
            for e in errors { StandardStreams.stderr(e) }
            let n = errors.count
            StandardStreams.stderr("\(n) error\(n == 1 ? "" : "s"); nothing was exported\n")
            throw ExitCode(2)
        }
        return (summarizer.summary, fingerprint)
    }
}

/// The script read in a later pass is not the one the first pass checked.
private struct ScriptChanged: Error {}

extension StandardStreams {
    /// What `timeline --svg FILE` and `export python FILE` write through (the library
    /// itself knows no files): nil when written, else the reason it was not.
    static func writeFileForViews(_ path: String, _ contents: String) -> String? {
        // A script is often someone else's (a lesson, an exercise): it may write its
        // pictures and exports only under the current folder, never over ~/.bashrc.
        if path.hasPrefix("/") || path.split(separator: "/").contains("..") || path.hasPrefix("~") {
            return "refused: a script may only write files under the current folder (no absolute path, no '..')"
        }
        do {
            try writeAtomically(Array(contents.utf8), to: path)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
