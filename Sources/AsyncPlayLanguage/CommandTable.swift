import AsyncPlayCore
/// The language's commands in one table (SPEC section 2): each command word with its
/// usage, whether it is reserved, the words it takes after it and what TAB completes
/// there. The keywords, the parser's command words, the shell's completion, the help
/// index and the JSON names of commands are all read from here, so adding a command is
/// one row here plus its meaning (`Parser`, `Session`, `Help`).
public enum CommandTable {
    /// What a command takes after its word, for completion.
    public enum Arguments: Sendable, Equatable {
        case nothing
        /// One task name, then these options (`await NAME [timeout DUR]`).
        case oneTask(options: [String])
        /// Task names, mixed with these options (`gather A B return_exceptions`).
        case tasks(options: [String])
        /// A coroutine body: steps, `->`, and task names after `await`.
        case body
        /// Fixed words (`trace on|off`, `set workers N`).
        case words([String])
        /// A help topic: any command or concept.
        case topic
    }

    public struct Row: Sendable {
        public let word: CommandWord
        public var spelling: String { word.rawValue }
        /// Another spelling of `aliasOf` (`ps` of `status`, `quit` of `exit`).
        public let aliasOf: CommandWord?
        /// Whether a task may not be named so (SPEC section 2). `tree`, `why` and `export`
        /// came after the SPEC's list: they complete like the others, but stay free as names.
        public let reserved: Bool
        public let usage: String
        public let arguments: Arguments
        /// Option words that are keywords (a task may not be named `timeout`).
        public let reservedOptions: [String]
    }

    /// In the order the language lists them (completion and suggestions follow it).
    public static let rows: [Row] = [
        row(.spawn, "spawn [NAME] BODY", .body),
        row(.run, "run [NAME] BODY", .body),
        row(.cancel, "cancel NAME [\"msg\"]", .oneTask(options: [])),
        row(.await, "await NAME [timeout DUR]", .oneTask(options: ["timeout"]), reservedOptions: ["timeout"]),
        row(.gather, "gather [NAME...] [return_exceptions] [timeout DUR]",
            .tasks(options: ["return_exceptions", "timeout"]), reservedOptions: ["return_exceptions", "timeout"]),
        row(.wait, "wait [NAME...] [first_completed|first_exception|all_completed] [timeout DUR]",
            .tasks(options: ["first_completed", "first_exception", "all_completed", "timeout"]),
            reservedOptions: ["timeout", "first_completed", "first_exception", "all_completed"]),
        row(.sleep, "sleep DUR", .nothing),
        row(.block, "block DUR", .nothing),
        row(.status, "status [NAME...]   (ps)", .tasks(options: [])),
        row(.ps, "ps [NAME...]", .tasks(options: []), aliasOf: .status),
        row(.result, "result NAME", .oneTask(options: [])),
        row(.timeline, "timeline [ascii] [width N] [--svg FILE]", .words(["ascii", "width", "--svg"])),
        row(.trace, "trace on|off", .words(["on", "off"]), reservedOptions: ["on", "off"]),
        row(.time, "time", .nothing),
        row(.reset, "reset", .nothing),
        row(.set, "set workers N", .words(["workers"]), reservedOptions: ["workers"]),
        row(.help, "help [TOPIC]", .topic),
        row(.exit, "exit | quit", .nothing),
        row(.quit, "quit", .nothing, aliasOf: .exit),
        row(.tree, "tree", .nothing, reserved: false),
        row(.why, "why NAME", .oneTask(options: []), reserved: false),
        row(.export, "export python [FILE]", .words(["python"]), reserved: false),
    ]

    private static func row(_ word: CommandWord, _ usage: String, _ arguments: Arguments, aliasOf: CommandWord? = nil,
                            reserved: Bool = true, reservedOptions: [String] = []) -> Row {
        Row(word: word, aliasOf: aliasOf, reserved: reserved, usage: usage,
            arguments: arguments, reservedOptions: reservedOptions)
    }

    /// The row of a command word.
    public static func row(_ word: CommandWord) -> Row { byWord[word]! }
    private static let byWord: [CommandWord: Row] = Dictionary(uniqueKeysWithValues: rows.map { ($0.word, $0) })

    /// The row of a spelled command, nil for a word that is no command.
    public static func row(spelled word: String) -> Row? { CommandWord(rawValue: word).map(row) }

    /// Every command spelling, aliases included.
    public static var spellings: [String] { rows.map(\.spelling) }
}

/// The word a command starts with. Its raw value is its spelling.
public enum CommandWord: String, Sendable, CaseIterable {
    case spawn, run, cancel, await, gather, wait, sleep, block, status, ps, result
    case timeline, tree, why, export, time, reset, exit, quit, trace, set, help

    /// The command spelled by `bytes`, without making a String of every word read: the
    /// spellings are grouped by length, and a word is compared only with its length's.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count < CommandWord.byLength.count else { return nil }
        for (spelling, word) in CommandWord.byLength[bytes.count] where spelling.elementsEqual(bytes) {
            self = word
            return
        }
        return nil
    }

    private static let byLength: [[([UInt8], CommandWord)]] = {
        var table = Array(repeating: [([UInt8], CommandWord)](), count: 1 + allCases.map(\.rawValue.utf8.count).max()!)
        for w in allCases { table[w.rawValue.utf8.count].append((Array(w.rawValue.utf8), w)) }
        return table
    }()

    /// The command this word stands for (`ps` is `status`, `quit` is `exit`): what JSON
    /// Lines and help name it by.
    public var canonical: CommandWord { CommandTable.row(self).aliasOf ?? self }
}
