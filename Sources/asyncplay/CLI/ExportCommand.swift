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
        let source = try StandardStreams.readScript(file)
        let name = file == "-" ? "<stdin>" : file
        let script = Script.parse(source)
        if script.hasErrors {
            let diagnostics = DiagnosticRenderer(fileName: name) { script.sourceLine($0) }
            for d in script.diagnostics { StandardStreams.stderr(diagnostics.render(d)) }
            let n = script.diagnostics.count
            StandardStreams.stderr("\(n) error\(n == 1 ? "" : "s"); nothing was exported\n")
            throw ExitCode(2)
        }
        var options = PythonExporter.Options()
        options.scale = scale
        options.workers = workers
        options.title = file == "-" ? "A script from standard input" : file.split(separator: "/").last.map(String.init) ?? file
        let program = PythonExporter(options: options).program(script)
        if let output {
            do {
                try StandardStreams.writeAtomically(Array(program.utf8), to: output)
            } catch {
                StandardStreams.stderr("asyncplay: \(error)\n")
                throw ExitCode(2)
            }
        } else {
            StandardStreams.stdout(program)
        }
    }
}

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
