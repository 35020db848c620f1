import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayLoop
import AsyncPlayEvents
/// The script or shell as asyncio's main coroutine: each line is one uninterrupted step;
/// between lines main awaits its next input, so the loop runs whatever is ready.
/// A port of the reference oracle's `Session.main` / `run_commands`.
///
/// The session drives it (it is main's coroutine: `TaskDriver.resume`), and hands itself
/// in with every step: main holds no reference to its session.
final class MainCoroutine {
    enum Outcome { case exit, reset }

    private var line = 0
    private var pending: ArraySlice<Command> = []
    /// The command main is suspended in, and how to report its return value.
    private var current: Current?
    private typealias Current = (command: Command, awaitable: MainAwaitable, finish: (PyValue) -> CommandValue)
    private var stage = Stage.start
    private(set) var outcome: Outcome = .exit
    /// Commands after a `reset` on the same line, carried into the next loop.
    private(set) var carry: (line: Int, commands: ArraySlice<Command>)?

    private enum Stage {
        case start
        case awaitingInput
        case runningLine
        case settlingBeforeShutdown
        case settlingAfterCancel
    }

    init(carry: (line: Int, commands: ArraySlice<Command>)?) {
        if let carry {
            line = carry.line
            pending = carry.commands
        }
    }

    func resume(_ thrown: PyException?, _ session: Session) -> Suspension {
        switch stage {
        case .start:
            stage = .runningLine
            return runLine(session)
        case .awaitingInput:
            guard let next = session.takeDeliveredLine() else {
                outcome = .exit
                return settle(then: .settlingBeforeShutdown, session)
            }
            line = next.number
            session.emitRecord(.input(line: next.number, text: next.lineText))
            stage = .runningLine
            pending = next.commands[...]
            return runLine(session)
        case .runningLine:
            guard let cur = current else { return runLine(session) }
            return handle(cur.awaitable.resume(thrown, session), of: cur, session)
        case .settlingBeforeShutdown:
            session.cancelAllTasks()
            return settle(then: .settlingAfterCancel, session)
        case .settlingAfterCancel:
            session.reportNeverRetrieved()
            return .returned(.none)
        }
    }

    /// Runs the line's remaining commands until one suspends main.
    private func runLine(_ session: Session) -> Suspension {
        while let command = pending.popFirst() {
            switch session.execute(command, line: line) {
            case .finished:
                continue
            case .refused(let diagnostic):
                refuse(diagnostic, session)
            case .raised(let e):
                return abortLine(command, e, session)
            case .reset:
                carry = (line, pending)
                outcome = .reset
                pending = []
                return settle(then: .settlingBeforeShutdown, session)
            case .exit:
                outcome = .exit
                pending = []
                return settle(then: .settlingBeforeShutdown, session)
            case .suspends(let awaitable, let finish):
                let cur = (command: command, awaitable: awaitable, finish: finish)
                let s = awaitable.resume(nil, session)
                switch s {
                case .awaiting, .yielded:
                    current = cur
                    session.emitMain(.blocked(session.mainAwait(command, line: line)))
                    return s
                default:
                    if let stop = complete(s, of: cur, session) { return stop }
                }
            }
        }
        return awaitInput(session)
    }

    private func handle(_ s: Suspension, of cur: Current, _ session: Session) -> Suspension {
        switch s {
        case .awaiting, .yielded:
            return s
        default:
            current = nil
            if let stop = complete(s, of: cur, session) { return stop }
            return runLine(session)
        }
    }

    /// A command's coroutine ended: report its value, or abort the line on an exception.
    private func complete(_ s: Suspension, of cur: Current, _ session: Session) -> Suspension? {
        switch s {
        case .returned(let v):
            session.emitResult(cur.command, line: line, cur.finish(v))
            return nil
        case .raised(let e):
            return abortLine(cur.command, e, session)
        default:
            return nil
        }
    }

    /// A refused command is reported and the line goes on.
    private func refuse(_ diagnostic: Diagnostic, _ session: Session) {
        session.emitRecord(.diagnostic(diagnostic))
        session.refusedCommands += 1
    }

    /// An exception raised into main ends the rest of the line, as in Python.
    private func abortLine(_ command: Command, _ e: PyException, _ session: Session) -> Suspension {
        session.emitRecord(.error(CommandError(time: session.loop.now, line: line, command: command.keyword, exception: e)))
        pending = []
        return awaitInput(session)
    }

    private func awaitInput(_ session: Session) -> Suspension {
        stage = .awaitingInput
        session.emitMain(.awaitingInput)
        session.willAwaitInput()
        return .awaitingOwnFuture       // main's own future: `deliver` resolves it
    }

    private func settle(then next: Stage, _ session: Session) -> Suspension {
        stage = next
        return .awaiting(session.makeSettleWaiter())
    }
}

/// What a command that suspends main awaits: a coroutine of its own (`await`, `gather`,
/// `wait`, `sleep`), or the `run` body, which the session runs inline.
enum MainAwaitable {
    case coroutine(Coroutine)
    case runBody

    func resume(_ thrown: PyException?, _ session: Session) -> Suspension {
        switch self {
        case .coroutine(let c): return c.resume(thrown)
        case .runBody: return session.resumeRunBody(thrown)
        }
    }
}
