import AsyncPlayCore
/// A task name as written, with its column for diagnostics ("unknown task 'Z'").
public struct NameRef: Equatable, Sendable {
    public let name: String
    /// Stored in 32 bits (lines are at most 64 KiB): it makes every step, and so every
    /// task's body, 8 bytes smaller.
    private let column32: Int32
    public var column: Int { Int(column32) }

    public init(name: String, column: Int) {
        self.name = name
        column32 = Int32(clamping: column)
    }
}

/// One thing a coroutine body does (SPEC section 2, STEP).
public enum Step: Equatable, Sendable {
    case sleep(TimeAmount)                      // await asyncio.sleep(D)
    case cpu(TimeAmount)                        // blocking work on the loop thread
    case thread(TimeAmount)                     // await loop.run_in_executor(None, work)
    /// await another task. Boxed like `fail`: a name would make every step, and so
    /// every task's record, 16 bytes bigger.
    indirect case await(NameRef)
    /// raise Type(message); always last. Boxed: rare, and its two Strings would make every step bigger.
    indirect case fail(type: String, message: String?)
}

/// One command of the language (SPEC section 2), as parsed.
public enum Command: Equatable, Sendable {
    case spawn(name: NameRef?, body: Body)
    case run(name: NameRef?, body: Body)
    case cancel(NameRef, message: String?)
    case await(NameRef, timeout: TimeAmount?)
    case gather([NameRef], returnExceptions: Bool, timeout: TimeAmount?)
    case wait([NameRef], mode: WaitMode, timeout: TimeAmount?)
    case sleep(TimeAmount)
    case block(TimeAmount)
    case status([NameRef])
    case result(NameRef)
    case timeline(TimelineOptions)
    case trace(Bool)
    case time
    case reset
    case setWorkers(Int)
    case help(topic: String?)
    case tree
    case why(NameRef)
    case export(path: String?)              // export python [FILE]
    case exit

    /// Whether the command shows what the session recorded (the event log): the views
    /// timeline, tree, why and export. help and trace print fixed text.
    public var readsHistory: Bool {
        switch self {
        case .timeline, .tree, .why, .export: return true
        default: return false
        }
    }

    /// Whether the command shows `status`, whose rows are a fold of the recorded events
    /// (the phase events included): a run with one needs a StatusFold among its sinks.
    public var readsStatus: Bool {
        if case .status = self { return true }
        return false
    }

    /// The command's word in `CommandTable` (an alias as typed, `ps`, is its canonical word).
    public var word: CommandWord {
        switch self {
        case .spawn: return .spawn
        case .run: return .run
        case .cancel: return .cancel
        case .await: return .await
        case .gather: return .gather
        case .wait: return .wait
        case .sleep: return .sleep
        case .block: return .block
        case .status: return .status
        case .result: return .result
        case .timeline: return .timeline
        case .trace: return .trace
        case .time: return .time
        case .reset: return .reset
        case .setWorkers: return .set
        case .help: return .help
        case .tree: return .tree
        case .why: return .why
        case .export: return .export
        case .exit: return .exit
        }
    }

    /// The command word JSON Lines name it by (`ps` is reported as `status`).
    public var keyword: String { word.rawValue }
}

/// `timeline [ascii] [width N] [--svg FILE]`: how the picture is drawn.
public struct TimelineOptions: Equatable, Sendable {
    public var ascii: Bool = false
    public var width: Int? = nil
    public var svgPath: String? = nil
    public init(ascii: Bool = false, width: Int? = nil, svgPath: String? = nil) {
        self.ascii = ascii
        self.width = width
        self.svgPath = svgPath
    }
}

/// One source line and the commands on it (`;` chains several).
public struct ScriptLine: Sendable {
    public let number: Int
    /// The line as the learner wrote it (trailing whitespace removed).
    public let lineText: LineText
    public var text: String { lineText.string }
    /// The commands, in order.
    public let commands: [Command]

    public init(number: Int, text: String, commands: [Command]) {
        self.init(number: number, lineText: LineText(text), commands: commands)
    }

    init(number: Int, lineText: LineText, commands: [Command]) {
        self.number = number
        self.lineText = lineText
        self.commands = commands
    }
}
