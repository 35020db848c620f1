import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import AsyncPlay

@main
struct AsyncPlayCommand: ParsableCommand {
    static func main() {
        // A closed pipe is an error to handle (StandardStreams.write), not a signal that kills.
        signal(SIGPIPE, SIG_IGN)
        // `asyncplay run FILE`, the common case, with every option at its default: no need
        // for the argument parser's reflection (half of a short script's start-up).
        let args = CommandLine.arguments
        if args.count == 3 && args[1] == "run" && (args[2] == "-" || !args[2].hasPrefix("-")) {
            do {
                try RunSettings(file: args[2]).execute()
            } catch {
                RunCommand.exit(withError: error)
            }
            return
        }
        Self.main(nil)
    }

    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "asyncplay",
        abstract: "A playground for learning how an asyncio event loop really runs.",
        discussion: """
        Type a tiny language and watch a live event loop run your tasks:
        states, results, exceptions, cancellation, timing, and a `cpu` step
        freezing the loop.

          spawn A 1s                 create_task(...) sleeping 1 s, returns 'A'
          spawn B 5s, fail ValueError "boom"
          spawn C 1s, cpu 200ms, 2s -> 42
          cancel B      gather      wait A C first_completed
          status        timeline    why B      tree      help

        With no command, asyncplay starts the interactive shell on a terminal
        (real clock; --virtual for virtual time). When standard input is not
        a terminal it runs it as a script, like `asyncplay run -`.

        Limits: a script holds at most 256 MiB and a line at most 64 KiB; a
        body at most 1000 steps; a duration at most 24 h (1 µs resolution);
        at most 2,000,000 tasks alive at once; timelines keep the last
        1,000,000 events; the first 100 syntax errors are shown in full, the
        rest counted (--json lists every one). Scripts write files only under
        the current folder.
        """,
        version: version,
        subcommands: [ShellCommand.self, RunCommand.self, CheckCommand.self, ExportCommand.self],
        defaultSubcommand: ShellCommand.self
    )
}
