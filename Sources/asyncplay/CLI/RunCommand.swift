import ArgumentParser
import AsyncPlay

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a .async script and print its transcript.",
        discussion: """
        The whole file is parsed first: if any line has a syntax error, every
        error is listed as FILE:LINE:COLUMN with a caret, and nothing runs.

        The clock is virtual by default: time jumps straight to the next timer, so
        a script of hours runs in milliseconds and prints the same transcript
        every time. --realtime plays it on the real clock, at the pace of the
        events.

        Exit status: 0 ran to the end; 1 ran to the end but a command was refused
        (unknown task, duplicate name, ...); 2 usage or syntax error.

        Examples:
          asyncplay run lessons/07-5-cpu-bloqueia-o-loop.async
          asyncplay run --json x.async
          asyncplay run x.async --record x.transcript   (then: check x.transcript)
          echo 'spawn A 1s; gather' | asyncplay run -
        """
    )

    @Argument(help: ArgumentHelp("The script to run; - reads standard input.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("Also write the transcript (inputs and output) to this file, for `asyncplay check`.", valueName: "file"))
    var record: String?

    @Flag(help: "Play the script on the real clock instead of the virtual one.")
    var realtime = false

    @Option(help: ArgumentHelp("With --realtime: how much faster than real time (2 = twice as fast).", valueName: "x"))
    var speed: Double = RunSettings.defaultSpeed

    @Option(help: ArgumentHelp("Size of the thread pool for `thread` steps (as `set workers N`).", valueName: "n"))
    var workers: Int = RunSettings.defaultWorkers

    @Option(help: ArgumentHelp("For benchmarks: when the run ends, write how late timers fired (count, p50, p99, max in µs) to this file.", valueName: "file"))
    var latenessReport: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if !(speed > 0 && speed <= 1000) { throw ValidationError("--speed must be a number between 0 and 1000") }
        if speed != 1 && !realtime { throw ValidationError("--speed only makes sense with --realtime") }
        if !(1...1024).contains(workers) { throw ValidationError("--workers must be between 1 and 1024") }
    }

    func run() throws {
        try RunSettings(file: file, record: record, realtime: realtime, speed: speed, workers: workers,
                        latenessReport: latenessReport, json: output.json, color: output.color,
                        lang: output.lang).execute()
    }
}
