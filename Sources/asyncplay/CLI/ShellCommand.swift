import ArgumentParser
import AsyncPlay

struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "The interactive shell (the default when no command is given)."
    )

    @Flag(help: "Use the virtual clock: time moves only while main awaits, never while you type.")
    var virtual = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        if !StandardStreams.isTerminal(0) {
            // Not a terminal: behave exactly as `asyncplay run -`.
            var run = try RunCommand.parse(["-"] + (output.json ? ["--json"] : []) + ["--color", output.color.rawValue])
            try run.validate()
            try run.run()
            return
        }
        StandardStreams.stderr("asyncplay: the interactive shell is not available in this build yet; use `asyncplay run FILE`\n")
        throw ExitCode(2)
    }
}
