import ArgumentParser
import AsyncPlay

struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "The interactive shell (the default when no command is given).",
        discussion: """
        Type commands at the prompt; the prompt shows the loop's time. With the
        real clock (the default) the loop runs on its own thread: `spawn A 1s`
        finishes one second later whether or not you are typing, and its events
        appear above your line. A blocking command (await, gather, wait, sleep,
        run, block) streams its events as they happen; Ctrl-C cancels what main
        awaits, with asyncio's rules.

        Keys: TAB completes commands, keywords and task names; Ctrl-R searches
        history; Ctrl-C clears the line; Ctrl-D leaves (pending tasks are
        cancelled, as asyncio.run does). History is kept in
        $XDG_STATE_HOME/asyncplay/history (or ~/.local/state/asyncplay/history).
        """
    )

    @Flag(help: "Use the virtual clock: time moves only while main awaits, never while you type.")
    var virtual = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        if !StandardStreams.isTerminal(0) {
            // Not a terminal: behave exactly as `asyncplay run -`.
            let run = try RunCommand.parse(["-"] + (output.json ? ["--json"] : []) + ["--color", output.color.rawValue])
            try run.validate()
            try run.run()
            return
        }
        var shell = ShellRunner.Options()
        shell.virtualClock = virtual
        shell.json = output.json
        shell.style = TextStyle(color: output.useColor(fd: 1))
        shell.language = output.language
        shell.historyFile = HistoryFile.defaultPath()
        shell.width = TerminalWidth.columns()
        let code = ShellRunner(options: shell).run()
        if code != 0 { throw ExitCode(code) }
    }
}
