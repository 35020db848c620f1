/// The word a command starts with, told from its bytes: every line of a script starts
/// with one, and making a String of it to compare with each command cost more than the
/// rest of a `spawn` line.
enum CommandWord {
    case spawn, run, cancel, await, gather, wait, sleep, block, status, ps, result
    case timeline, tree, why, export, time, reset, exit, quit, trace, set, help

    init?(_ w: UnsafeBufferPointer<UInt8>) {
        // The length and a byte or two leave one candidate; the full spelling decides.
        guard w.count >= 2 else { return nil }
        let candidate: CommandWord?
        switch (w.count, w[0]) {
        case (2, _): candidate = .ps
        case (3, UInt8(ascii: "r")): candidate = .run
        case (3, UInt8(ascii: "w")): candidate = .why
        case (3, UInt8(ascii: "s")): candidate = .set
        case (4, UInt8(ascii: "w")): candidate = .wait
        case (4, UInt8(ascii: "t")): candidate = w[1] == UInt8(ascii: "r") ? .tree : .time
        case (4, UInt8(ascii: "e")): candidate = .exit
        case (4, UInt8(ascii: "q")): candidate = .quit
        case (4, UInt8(ascii: "h")): candidate = .help
        case (5, UInt8(ascii: "s")): candidate = w[1] == UInt8(ascii: "p") ? .spawn : .sleep
        case (5, UInt8(ascii: "a")): candidate = .await
        case (5, UInt8(ascii: "b")): candidate = .block
        case (5, UInt8(ascii: "r")): candidate = .reset
        case (5, UInt8(ascii: "t")): candidate = .trace
        case (6, UInt8(ascii: "c")): candidate = .cancel
        case (6, UInt8(ascii: "g")): candidate = .gather
        case (6, UInt8(ascii: "s")): candidate = .status
        case (6, UInt8(ascii: "r")): candidate = .result
        case (6, UInt8(ascii: "e")): candidate = .export
        case (8, _): candidate = .timeline
        default: candidate = nil
        }
        guard let candidate, ASCIIScan.equals(w, candidate.spelling) else { return nil }
        self = candidate
    }

    var spelling: StaticString {
        switch self {
        case .spawn: "spawn"
        case .run: "run"
        case .cancel: "cancel"
        case .await: "await"
        case .gather: "gather"
        case .wait: "wait"
        case .sleep: "sleep"
        case .block: "block"
        case .status: "status"
        case .ps: "ps"
        case .result: "result"
        case .timeline: "timeline"
        case .tree: "tree"
        case .why: "why"
        case .export: "export"
        case .time: "time"
        case .reset: "reset"
        case .exit: "exit"
        case .quit: "quit"
        case .trace: "trace"
        case .set: "set"
        case .help: "help"
        }
    }
}
