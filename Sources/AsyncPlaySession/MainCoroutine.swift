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
    private struct Current {
        let command: Command
        let awaitable: MainAwaitable
        let report: Session.Report
    }
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

    func resume(_ thrown: PyException?, _ session: Session, _ loop: EventLoop) -> Suspension {
        switch stage {
        case .start:
            stage = .runningLine
            return runLine(session, loop)
        case .awaitingInput:
            guard let next = session.takeDeliveredLine() else {
                outcome = .exit
                return settle(then: .settlingBeforeShutdown, session, loop)
            }
            line = next.number
            session.emitRecord(.input(line: next.number, text: next.lineText))
            stage = .runningLine
            pending = next.commands[...]
            return runLine(session, loop)
        case .runningLine:
            guard let cur = current else { return runLine(session, loop) }
            return handle(cur.awaitable.resume(thrown, session, loop), of: cur, session, loop)
        case .settlingBeforeShutdown:
            session.cancelAllTasks(loop)
            return settle(then: .settlingAfterCancel, session, loop)
        case .settlingAfterCancel:
            session.reportNeverRetrieved(loop)
            return .returned(.none)
        }
    }

    /// Runs the line's remaining commands until one suspends main.
    private func runLine(_ session: Session, _ loop: EventLoop) -> Suspension {
        while let command = pending.popFirst() {
            switch session.execute(command, line: line, loop) {
            case .finished:
                continue
            case .refused(let diagnostic):
                refuse(diagnostic, session)
            case .raised(let e):
                return abortLine(command, e, session, loop)
            case .reset:
                carry = (line, pending)
                outcome = .reset
                pending = []
                return settle(then: .settlingBeforeShutdown, session, loop)
            case .exit:
                outcome = .exit
                pending = []
                return settle(then: .settlingBeforeShutdown, session, loop)
            case .suspends(let awaitable, let report):
                let cur = Current(command: command, awaitable: awaitable, report: report)
                let s = awaitable.resume(nil, session, loop)
                switch s {
                case .awaiting, .yielded:
                    current = cur
                    session.emitMain(.blocked(session.mainAwait(command, line: line)))
                    return s
                default:
                    if let stop = complete(s, of: cur, session, loop) { return stop }
                }
            }
        }
        return awaitInput(session, loop)
    }

    private func handle(_ s: Suspension, of cur: Current, _ session: Session, _ loop: EventLoop) -> Suspension {
        switch s {
        case .awaiting, .yielded:
            return s
        default:
            current = nil
            if let stop = complete(s, of: cur, session, loop) { return stop }
            return runLine(session, loop)
        }
    }

    /// A command's coroutine ended: report its value, or abort the line on an exception.
    private func complete(_ s: Suspension, of cur: Current, _ session: Session, _ loop: EventLoop) -> Suspension? {
        switch s {
        case .returned(let v):
            session.emitResult(cur.command, line: line, session.reportValue(cur.report, returned: v, loop))
            return nil
        case .raised(let e):
            session.reportCancelsPassedOn(loop)
            return abortLine(cur.command, e, session, loop)
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
    private func abortLine(_ command: Command, _ e: PyException, _ session: Session, _ loop: EventLoop) -> Suspension {
        session.emitRecord(.error(CommandError(time: loop.now, line: line, command: command.keyword, exception: e)))
        pending = []
        return awaitInput(session, loop)
    }

    private func awaitInput(_ session: Session, _ loop: EventLoop) -> Suspension {
        stage = .awaitingInput
        session.emitMain(.awaitingInput)
        session.willAwaitInput()
        return .awaitingOwnFuture       // main's own future: `deliver` resolves it
    }

    private func settle(then next: Stage, _ session: Session, _ loop: EventLoop) -> Suspension {
        stage = next
        return .awaiting(session.makeSettleWaiter(loop))
    }
}

/// What a command that suspends main awaits: a coroutine of its own (`await`, `gather`,
/// `wait`, `sleep`), or the `run` body, which the session runs inline.
enum MainAwaitable {
    case coroutine(Coroutine)
    case runBody

    func resume(_ thrown: PyException?, _ session: Session, _ loop: EventLoop) -> Suspension {
        switch self {
        case .coroutine(let c): return c.resume(thrown)
        case .runBody: return session.resumeRunBody(thrown, loop)
        }
    }
}
