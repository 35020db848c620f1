import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayLoop
/// The recorded history of a session: what `timeline`, `why` and `tree` are drawn from.
/// It keeps task and main events (up to `limit` of them; past the limit the oldest are
/// dropped from pictures, never from the transcript), main's errors and its input lines.
public final class EventLog: RecordSink {
    public private(set) var taskEvents: [TaskEvent] = []
    public private(set) var mainEvents: [MainEvent] = []
    /// The input line main was running when each of `mainEvents` happened.
    public private(set) var mainEventLines: [Int] = []
    /// How many task events had been recorded (dropped ones included) when each of
    /// `mainEvents` happened: main's events in order among the tasks' at equal times.
    public private(set) var mainEventPositions: [Int] = []
    private var currentLine = 0
    public private(set) var dropped = 0
    /// Main's exceptions in this loop (a timeout that cancelled a task, for `why`).
    public private(set) var errors: [CommandError] = []
    /// The session's input lines, across resets (for `why` to quote a command, and for
    /// `export python`); only the first `inputLimit` are kept (`inputsComplete` says).
    public private(set) var inputs: [InputLine] = []
    public private(set) var inputsComplete = true
    public static let inputLimit = 100_000
    /// Events of earlier loops are cleared at `reset`: a picture shows one loop.
    private let limit: Int

    public init(limit: Int = Limits.standard.maxKeptEvents) { self.limit = limit }

    public func record(_ r: Record) {
        switch r {
        case .event(let e):
            if taskEvents.count >= limit {
                let cut = max(1, limit / 10)
                taskEvents.removeFirst(cut)
                dropped += cut
            }
            taskEvents.append(e)
        case .main(let m):
            if case .reset = m.kind {
                taskEvents.removeAll()
                mainEvents.removeAll()
                mainEventLines.removeAll()
                mainEventPositions.removeAll()
                errors.removeAll()
                dropped = 0
            }
            mainEvents.append(m)
            mainEventLines.append(currentLine)
            mainEventPositions.append(dropped + taskEvents.count)
        case .input(let line, let text):
            currentLine = line
            if inputs.count < EventLog.inputLimit { inputs.append(InputLine(line: line, text: text.string)) } else { inputsComplete = false }
        case .error(let e):
            if errors.count < EventLog.inputLimit { errors.append(e) }
        default:
            break
        }
    }

    /// The text of input line `line`, if it was kept.
    public func inputText(line: Int) -> String? {
        var lo = 0, hi = inputs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if inputs[mid].line < line { lo = mid + 1 } else { hi = mid }
        }
        if lo < inputs.count && inputs[lo].line == line { return inputs[lo].text }
        // Numbers that did not only grow (a shell that counts again): the latest match.
        return inputs.last(where: { $0.line == line })?.text
    }
}

/// One line main ran, as typed.
public struct InputLine: Sendable {
    public let line: Int
    public let text: String
}

/// Sends every record to several sinks, in order.
public final class FanoutSink: RecordSink {
    // A chain of `let`s rather than an array: calls through them need no retain and
    // release of each sink for each record.
    private let first: RecordSink?
    private let rest: FanoutSink?
    public init(_ sinks: [RecordSink]) {
        first = sinks.first
        rest = sinks.count > 1 ? FanoutSink(Array(sinks.dropFirst())) : nil
    }
    public func record(_ r: Record) {
        first?.record(r)
        rest?.record(r)
    }
    public func taskEvent(_ kind: TaskEvent.Kind, of task: TaskRecord, at time: Instant) {
        first?.taskEvent(kind, of: task, at: time)
        rest?.taskEvent(kind, of: task, at: time)
    }
    public var usesPhaseEvents: Bool { first?.usesPhaseEvents == true || rest?.usesPhaseEvents == true }
}
