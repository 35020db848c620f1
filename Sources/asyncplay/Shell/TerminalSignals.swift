import Glibc
import Synchronization

/// The signals that change the terminal under the line editor: the window was resized
/// (SIGWINCH), the process was continued (SIGCONT), or Ctrl-Z asked it to stop (SIGTSTP).
///
/// As with `InterruptSignal`, the handlers only set a bit and wake a pipe; the editor
/// thread does the real work (resize, terminal modes, redraw) when its poll() wakes.
/// libedit's own handlers are left off (EL_SIGNAL 0): they call into libedit and
/// malloc from whichever thread the signal lands on, which is not safe in a
/// multithreaded program.
enum TerminalSignals {
    struct Events: OptionSet {
        let rawValue: UInt8
        static let resized = Events(rawValue: 1 << 0)
        static let continued = Events(rawValue: 1 << 1)
        static let suspendRequested = Events(rawValue: 1 << 2)
    }

    private static let pending = Atomic<UInt8>(0)
    private static let pipe = SelfPipe()
    private static let installed = Mutex<Bool>(false)

    /// Poll for `POLLIN`, then call `take()`.
    static var fileDescriptor: Int32 { pipe.readFD }

    /// Installs the SIGWINCH and SIGCONT handlers for the life of the process. Idempotent.
    static func install() {
        installed.withLock { isInstalled in
            guard !isInstalled else { return }
            _ = pending.load(ordering: .relaxed)  // lazy statics first: see InterruptSignal
            _ = pipe.readFD
            setHandler(SIGWINCH, resizeHandler)
            setHandler(SIGCONT, continueHandler)
            isInstalled = true
        }
    }

    /// While the editor waits at the prompt, Ctrl-Z is caught so the editor can put the
    /// terminal back to normal before stopping. At any other time SIGTSTP keeps its
    /// default action: the process stops at once.
    static func catchSuspend(_ catching: Bool) {
        if catching {
            setHandler(SIGTSTP, suspendHandler)
        } else {
            signal(SIGTSTP, SIG_DFL)
        }
    }

    /// Stops the process the way an uncaught Ctrl-Z would; returns after `fg`.
    static func stopProcess() {
        signal(SIGTSTP, SIG_DFL)
        raise(SIGTSTP)
    }

    /// The events since the last call.
    static func take() -> Events {
        pipe.drain()  // before the exchange, for the reason given in InterruptSignal
        return Events(rawValue: pending.exchange(0, ordering: .acquiringAndReleasing))
    }

    fileprivate static func record(_ event: Events) {
        pending.bitwiseOr(event.rawValue, ordering: .releasing)
        pipe.notify()
    }

    private static func setHandler(_ signalNumber: Int32, _ handler: @convention(c) (Int32) -> Void) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(signalNumber, &action, nil)
    }
}

private let resizeHandler: @convention(c) (Int32) -> Void = { _ in
    TerminalSignals.record(.resized)
}
private let continueHandler: @convention(c) (Int32) -> Void = { _ in
    TerminalSignals.record(.continued)
}
private let suspendHandler: @convention(c) (Int32) -> Void = { _ in
    TerminalSignals.record(.suspendRequested)
}
