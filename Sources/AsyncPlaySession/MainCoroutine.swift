import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayLoop
import AsyncPlayEvents
/// The script or shell as asyncio's main coroutine: each line is one uninterrupted step;
/// between lines main awaits its next input, so the loop runs whatever is ready.
/// A port of the reference oracle's `Session.main` / `run_commands`.
final class MainCoroutine: Coroutine {
    enum Outcome { case exit, reset }

    /// Lent, not counted: the session owns main. An `unowned(unsafe)` reference (or
    /// `takeUnretainedValue()`) was copied strong, an atomic retain and release, around
    /// each use, several times a line; `withSession` lends it for the call instead.
    private let sessionRef: Unmanaged<Session>
    private var session: Session { sessionRef.takeUnretainedValue() }
    @inline(__always)
    private func withSession<R>(_ body: (Session) -> R) -> R { sessionRef._withUnsafeGuaranteedRef(body) }
    private var line = 0
    private var pending: ArraySlice<Command> = []
    /// The command main is suspended in, and how to report its return value.
    private var current: (command: Command, coroutine: Coroutine, finish: (PyValue) -> CommandValue)?
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

    init(session: Session, carry: (line: Int, commands: ArraySlice<Command>)?) {
        sessionRef = Unmanaged.passUnretained(session)
        if let carry {
            line = carry.line
            pending = carry.commands
        }
    }

    func resume(_ thrown: PyException?) -> Suspension {
        switch stage {
        case .start:
            stage = .runningLine
            return runLine()
        case .awaitingInput:
            guard let next = withSession({ $0.takeDeliveredLine() }) else {
                outcome = .exit
                return settle(then: .settlingBeforeShutdown)
            }
            line = next.number
            withSession { $0.emitRecord(.input(line: next.number, text: next.lineText)) }
            stage = .runningLine
            pending = next.commands[...]
            return runLine()
        case .runningLine:
            guard let cur = current else { return runLine() }
            return handle(cur.coroutine.resume(thrown), of: cur)
        case .settlingBeforeShutdown:
            session.cancelAllTasks()
            return settle(then: .settlingAfterCancel)
        case .settlingAfterCancel:
            session.reportNeverRetrieved()
            return .returned(.none)
        }
    }

    /// Runs the line's remaining commands until one suspends main.
    private func runLine() -> Suspension {
        while let command = pending.popFirst() {
            switch withSession({ $0.execute(command, line: line) }) {
            case .finished:
                continue
            case .refused(let diagnostic):
                refuse(diagnostic)
            case .raised(let e):
                return abortLine(command, e)
            case .reset:
                carry = (line, pending)
                outcome = .reset
                pending = []
                return settle(then: .settlingBeforeShutdown)
            case .exit:
                outcome = .exit
                pending = []
                return settle(then: .settlingBeforeShutdown)
            case .suspends(let coroutine, let finish):
                let cur = (command: command, coroutine: coroutine, finish: finish)
                let s = coroutine.resume(nil)
                switch s {
                case .awaiting, .yielded:
                    current = cur
                    withSession { $0.emitMain(.blocked($0.mainAwait(command, line: line))) }
                    return s
                default:
                    if let stop = complete(s, of: cur) { return stop }
                }
            }
        }
        return awaitInput()
    }

    private func handle(_ s: Suspension, of cur: (command: Command, coroutine: Coroutine, finish: (PyValue) -> CommandValue)) -> Suspension {
        switch s {
        case .awaiting, .yielded:
            return s
        default:
            current = nil
            if let stop = complete(s, of: cur) { return stop }
            return runLine()
        }
    }

    /// A command's coroutine ended: report its value, or abort the line on an exception.
    private func complete(_ s: Suspension, of cur: (command: Command, coroutine: Coroutine, finish: (PyValue) -> CommandValue)) -> Suspension? {
        switch s {
        case .returned(let v):
            session.emitResult(cur.command, line: line, cur.finish(v))
            return nil
        case .raised(let e):
            session.reportCancelsPassedOn()
            return abortLine(cur.command, e)
        default:
            return nil
        }
    }

    /// A refused command is reported and the line goes on.
    private func refuse(_ diagnostic: Diagnostic) {
        session.emitRecord(.diagnostic(diagnostic))
        session.refusedCommands += 1
    }

    /// An exception raised into main ends the rest of the line, as in Python.
    private func abortLine(_ command: Command, _ e: PyException) -> Suspension {
        session.emitRecord(.error(CommandError(time: session.loop.now, line: line, command: command.keyword, exception: e)))
        pending = []
        return awaitInput()
    }

    private func awaitInput() -> Suspension {
        stage = .awaitingInput
        withSession {
            $0.emitMain(.awaitingInput)
            $0.willAwaitInput()
        }
        return .awaitingOwnFuture       // main's own future: `deliver` resolves it
    }

    private func settle(then next: Stage) -> Suspension {
        stage = next
        return .awaiting(session.makeSettleWaiter())
    }
}
