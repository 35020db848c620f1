import Glibc
import Synchronization

/// Ctrl-C (SIGINT), as seen from anywhere in the program.
///
/// The handler only records the interrupt and wakes a pipe: both are
/// async-signal-safe, and nothing else in the program runs inside the handler.
/// Whoever is in charge at that moment asks for it:
/// - at the prompt, `LineEditor` turns it into `LineEditorInput.interrupt`;
/// - while a blocking command runs, the shell polls `takePending()` (or waits on
///   `fileDescriptor` / `wait(timeout:)` instead of sleeping) and cancels what main awaits.
enum InterruptSignal {
    private static let pending = Atomic<Bool>(false)
    private static let pipe = SelfPipe()
    private static let installed = Mutex<Bool>(false)

    /// Replaces SIGINT's default action (terminate) with recording it. Idempotent.
    static func install() {
        installed.withLock { isInstalled in
            guard !isInstalled else { return }
            // Initialise the lazy statics now: the handler must never run an initialiser.
            _ = pending.load(ordering: .relaxed)
            _ = pipe.readFD
            var action = sigaction()
            action.__sigaction_handler.sa_handler = interruptHandler
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART  // other threads' reads and writes just carry on
            sigaction(SIGINT, &action, nil)
            isInstalled = true
        }
    }

    /// Whether a Ctrl-C arrived that nobody has taken yet.
    static var isPending: Bool { pending.load(ordering: .acquiring) }

    /// Returns whether a Ctrl-C arrived since the last call, and forgets it.
    static func takePending() -> Bool {
        // Drain before clearing: a signal landing in between leaves the flag set and a
        // byte in the pipe (a spurious wake-up later), never a set flag with an empty
        // pipe (a poller that would sleep through the interrupt).
        pipe.drain()
        return pending.exchange(false, ordering: .acquiringAndReleasing)
    }

    /// Readable while an interrupt may be pending: add it to a `poll()` set so that a
    /// sleep (the real-clock loop waiting for its next timer) ends at Ctrl-C.
    /// Readability can be spurious: check `isPending`/`takePending()` after waking.
    static var fileDescriptor: Int32 { pipe.readFD }

    /// Sleeps until a Ctrl-C is pending or `timeout` passes (nil: no limit).
    /// Returns whether one is pending; it stays pending until `takePending()`.
    static func wait(timeout: Duration?) -> Bool {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while !isPending {
            var milliseconds: Int32 = -1
            if let deadline {
                let left = ContinuousClock.now.duration(to: deadline)
                if left <= .zero { return false }
                milliseconds = Int32(clamping: Self.milliseconds(roundingUp: left))
            }
            if pipe.waitReadable(timeoutMilliseconds: milliseconds) && !isPending {
                pipe.drain()  // a stale byte from an interrupt already taken
            }
        }
        return true
    }

    private static func milliseconds(roundingUp duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    }

    fileprivate static func signalArrived() {
        pending.store(true, ordering: .releasing)
        pipe.notify()
    }
}

// A C function pointer cannot capture context, so the handler is a file-level constant.
private let interruptHandler: @convention(c) (Int32) -> Void = { _ in
    InterruptSignal.signalArrived()
}
