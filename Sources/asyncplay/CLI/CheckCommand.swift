import ArgumentParser
import AsyncPlay
#if canImport(Glibc)
import Glibc
#endif

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Replay transcript files and show how the output differs.",
        discussion: """
        A transcript holds a run's inputs (the lines behind '>>> ') and the output
        they must produce. `check` runs the inputs again and compares, line for
        line; a folder means every *.transcript file under it. --update re-records
        the expected output.

        Write one with:  asyncplay run lesson.async --record lesson.transcript
        Exit status: 0 all match; 1 some differ; 2 a file could not be read.
        """
    )

    @Argument(help: ArgumentHelp("Transcript files, or folders holding them.", valueName: "path"))
    var paths: [String]

    @Flag(help: "Re-record each transcript with the output of this run.")
    var update = false

    @Option(help: ArgumentHelp("Colour: auto, always or never.", valueName: "when"))
    var color: ColorChoice = .auto

    func run() throws {
        let style = TextStyle(color: color == .always || (color == .auto && StandardStreams.isTerminal(1)
                                                         && (StandardStreams.environment("NO_COLOR") ?? "").isEmpty))
        var files: [String] = []
        for p in paths {
            do { files += try TranscriptFinder.find(p) } catch {
                StandardStreams.stderr("asyncplay check: \(error)\n")
                throw ExitCode(2)
            }
        }
        if files.isEmpty {
            StandardStreams.stderr("asyncplay check: no .transcript files in \(paths.joined(separator: " "))\n")
            throw ExitCode(2)
        }
        var failed = 0
        var updated = 0
        for file in files {
            let expected: String
            do { expected = String(decoding: try StandardStreams.readAll(path: file), as: UTF8.self) } catch {
                StandardStreams.stderr("asyncplay check: \(error)\n")
                throw ExitCode(2)
            }
            let source = Array(TranscriptFile.script(of: expected).utf8)
            let actual = TranscriptFile.record(source: source, scriptName: TranscriptFile.scriptName(forTranscriptPath: file)).text
            if actual == expected {
                StandardStreams.stdout(style.green("PASS") + " \(file)\n")
                continue
            }
            if update {
                try StandardStreams.writeAtomically(Array(actual.utf8), to: file)
                updated += 1
                StandardStreams.stdout(style.yellow("UPDATED") + " \(file)\n")
                continue
            }
            failed += 1
            StandardStreams.stdout(style.red("FAIL") + " \(file)\n")
            for line in TextDiff.unified(expected: expected, actual: actual).split(separator: "\n", omittingEmptySubsequences: false) {
                let s = String(line)
                if s.hasPrefix("-") { StandardStreams.stdout("    " + style.red(s) + "\n") }
                else if s.hasPrefix("+") { StandardStreams.stdout("    " + style.green(s) + "\n") }
                else if !s.isEmpty { StandardStreams.stdout("    " + s + "\n") }
            }
        }
        let passed = files.count - failed - updated
        StandardStreams.stdout("\(files.count) transcript\(files.count == 1 ? "" : "s"): \(passed) passed, \(failed) failed" + (update ? ", \(updated) updated" : "") + "\n")
        if failed > 0 { throw ExitCode(1) }
    }
}

/// Transcript files named on the command line, or found under folders (sorted).
enum TranscriptFinder {
    static func find(_ path: String) throws -> [String] {
        var st = stat()
        guard stat(path, &st) == 0 else { throw CLIError("no such file or folder: '\(path)'") }
        if (st.st_mode & S_IFMT) != S_IFDIR { return [path] }
        var found: [String] = []
        guard let dir = opendir(path) else { throw CLIError("cannot read folder '\(path)'") }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name.hasPrefix(".") { continue }
            let full = path.hasSuffix("/") ? path + name : path + "/" + name
            var sub = stat()
            guard stat(full, &sub) == 0 else { continue }
            if (sub.st_mode & S_IFMT) == S_IFDIR { found += try find(full) }
            else if name.hasSuffix("." + TranscriptFile.fileExtension) { found.append(full) }
        }
        return found.sorted()
    }
}
