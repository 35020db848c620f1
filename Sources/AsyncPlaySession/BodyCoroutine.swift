import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayLoop
import AsyncPlayEvents
/// The coroutine a BODY stands for: its steps in order, then `return VALUE` (or its own
/// name). Runs as a Task (`spawn`) or inline in main (`run`). Its state lives in the
/// task's record; what its last step awaited comes back as `awaited`.
extension TaskRecord {
    func resume(_ thrown: PyException?, awaited: Future?) -> Suspension {
        if stepIndex < 0 {
            // A coroutine that never ran gets the exception at its first line: no step runs.
            if let e = thrown { return .raised(e) }
            if isTask {
                started = withLoop { $0.now }
                emit(.started)
            }
            phase = .running
            stepIndex = 0
        } else {
            // Back from the suspension of step `stepIndex`.
            let outcome = finishSuspension(thrown, awaited: awaited)
            if case .raised = outcome { return outcome }
            phase = .running
            stepIndex += 1
        }
        return runSteps()
    }

    private func finishSuspension(_ thrown: PyException?, awaited: Future?) -> Suspension {
        switch body.step(at: Int(stepIndex)) {
        case .sleep(let d):
            let outcome: Suspension
            if let timer = awaited {
                // A sleep on a TimerFuture (a `run` body's, or a task's whose own timer was
                // still held): `finally: h.cancel()`.
                timer.cancelHeldTimer()
                outcome = AwaitFuture.resume(timer, thrown: thrown)
            } else {
                if d.microseconds > 0 { cancelOwnSleepTimer() }
                outcome = thrown.map(Suspension.raised) ?? .returned(.none)
            }
            if case .returned = outcome, d.microseconds > 0, case .sleeping(let until) = phase {
                // Reported when a hold kept the timer from firing on time (a real clock is
                // always a little late on its own; that is not the lesson).
                let (now, lastHoldEnd) = withLoop { ($0.now, $0.lastHoldEnd) }
                let late = now - until
                if late.microseconds >= 1000 && lastHoldEnd > until { emit(.late(by: late)) }
            }
            return outcome
        case .thread, .await:
            // (Nothing awaited: the task was let go of it to have an exception thrown in.)
            guard let f = awaited else { return .raised(thrown ?? .runtime("await wasn't used with future")) }
            return AwaitFuture.resume(f, thrown: thrown)
        case .cpu, .fail:
            return thrown.map(Suspension.raised) ?? .returned(.none)
        }
    }

    /// Runs steps from `stepIndex` until one suspends, or the body ends.
    private func runSteps() -> Suspension {
        // The task's own loop, borrowed (`withLoop`): the same loop as the session's, read
        // without the retain and release that `session.loop` or `loop` cost.
        while Int(stepIndex) < body.stepCount {
            switch body.step(at: Int(stepIndex)) {
            case .sleep(let d):
                // One reading of the clock for the deadline and the event: a real clock
                // moves between two readings, and the step is the typed `d`, not the gap.
                let now = withLoop { $0.now }
                let until = now + d
                phase = .sleeping(until: until)
                if isTask { emit(.sleeping(until: until, step: d), at: now) }
                // `asyncio.sleep(d)`: a bare yield when d <= 0; a spawned task sleeps on its
                // own timer; a `run` body (main's coroutine) on a TimerFuture, which whoever
                // drives the body holds and hands back as `awaited`.
                if d.microseconds <= 0 { return .yielded }
                if isTask && ownSleepAvailable {
                    withLoop { $0.scheduleOwnSleep(self, until: until) }
                    return .awaitingOwnFuture
                }
                return .awaiting(loop.futureResolved(after: d))
            case .cpu(let d):
                phase = .running
                if isTask { emit(.holding(d)) } else { withSession { $0.emitMain(.holding(d, command: .run)) } }
                loop.hold(d)
            case .thread(let d):
                // The job is handed over at the instant of the event, before the pool
                // reports a worker taking it (then too, if a worker is idle).
                let now = withLoop { $0.now }
                if isTask { emit(.inThread(step: d), at: now) }
                let job = loop.runInExecutor(d, owner: name, tag: isTask ? sequence : -1, at: now)
                phase = .inThread(job)
                return .awaiting(job.future)
            case .await(let ref):
                guard let target = withSession({ $0.task(named: ref.name) }) else {
                    return .raised(PyException("NameError", "unknown task '\(ref.name)'"))
                }
                phase = .waiting(for: target)
                if isTask { emit(.waiting(for: target.id)) }
                if let immediate = AwaitFuture.start(target) {
                    if case .raised = immediate { return immediate }
                } else {
                    return .awaiting(target)
                }
            case .fail(let type, let message):
                return .raised(ExceptionFactory.raised(type, message))
            }
            phase = .running
            stepIndex += 1
        }
        return .returned(body.value ?? .string(name))
    }
}
