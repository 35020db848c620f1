#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import AsyncPlay

/// What `run` does, with its options as plain values. `RunCommand` fills it from the
/// command line; `asyncplay run FILE` with no option builds it directly
/// (`AsyncPlayCommand.main`), skipping the reflection-based parser, which costs more than
/// running a short script (PERFORMANCE.md).
struct RunSettings {
    static let defaultSpeed = 1.0
    static let defaultWorkers = 4

    var file: String
    var record: String? = nil
    var realtime = false
    var speed = RunSettings.defaultSpeed
    var workers = RunSettings.defaultWorkers
    var latenessReport: String? = nil
    var json = false
    var color = ColorChoice.auto
    var lang: String? = nil

    func execute() throws {
        let source = try StandardStreams.readScript(file)
        let name = file == "-" ? "<stdin>" : file
        var runner = ScriptRunner(fileName: name)
        runner.format = json ? .jsonLines : .transcript
        runner.sessionOptions.workers = workers
        if realtime {
            let speed = self.speed
            runner.sessionOptions.clock = { RealClock(speed: speed) }
        }
        // Syntax errors go to stderr, the transcript to stdout: colour follows each.
        runner.textOptions.style = TextStyle(color: color.isOn(fd: 1))
        runner.errorStyle = TextStyle(color: color.isOn(fd: 2))
        runner.textOptions.language = OutputOptions.language(lang)
        runner.textOptions.writeFile = StandardStreams.writeFileForViews
        runner.sessionOptions.measureTimerLateness = latenessReport != nil
        runner.liveOutput = realtime
        let out = StandardStreams.stdoutBuffer()
        let outcome = runner.run(source, out: out)
        if let latenessReport {
            let s = outcome.timerLateness.sorted()
            func pct(_ p: Double) -> Int64 { s.isEmpty ? 0 : s[min(s.count - 1, Int(Double(s.count - 1) * p + 0.5))] }
            let line = "timers=\(s.count) p50_us=\(pct(0.5)) p99_us=\(pct(0.99)) max_us=\(s.last ?? 0)\n"
            try? StandardStreams.writeAtomically(Array(line.utf8), to: latenessReport)
        }
        if !outcome.syntaxErrors.isEmpty {
            StandardStreams.stderr(outcome.syntaxErrors)
        }
        if let record {
            let recorded = TranscriptFile.record(source: source, scriptName: TranscriptFile.scriptName(forTranscriptPath: record),
                                                 options: runner.sessionOptions)
            do {
                try StandardStreams.writeAtomically(Array(recorded.text.utf8), to: record)
            } catch {
                StandardStreams.stderr("asyncplay: \(error)\n")
                throw ExitCode(2)
            }
        }
        // The process ends here, with the session still held: its memory goes back to
        // the OS at once (see `Outcome.session`).
        withExtendedLifetime(outcome) { exit(outcome.exitCode) }
    }
}
