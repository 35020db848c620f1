import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayLoop
import AsyncPlayEvents
/// Which body a coroutine step is for: a spawned task's (its place in the session's table)
/// or the `run` body main awaits inline.
enum BodyRef {
    case task(Int)
    case run
}

/// The coroutine a BODY stands for: its steps in order, then `return VALUE` (or its own
/// name). Runs as a Task (`spawn`) or inline in main (`run`). Its state lives in the
/// body's record; what its last step awaited comes back as `awaited`.
extension Session {
    /// One step of the body `ref`: its progress is copied out of the session's table, the
    /// step runs on the copy, and the copy goes back. Nothing else changes a body's
    /// progress while it runs.
    /// `loop` is the loop running the body (the session's): handed in, not read from the
    /// session's property, which `reset` replaces.
    func resumeBody(_ ref: BodyRef, _ thrown: PyException?, awaited: Future?, _ loop: EventLoop) -> Suspension {
        switch ref {
        case .task(let i):
            var p = progress[i]
            let s = resumeBody(&p, tasks[i], thrown, awaited: awaited, loop)
            progress[i] = p
            return s
        case .run:
            var p = runProgress
            let s = resumeBody(&p, runRecord!, thrown, awaited: awaited, loop)
            runProgress = p
            return s
        }
    }

    private func resumeBody(_ p: inout TaskProgress, _ r: borrowing TaskRecord, _ thrown: PyException?, awaited: Future?, _ loop: EventLoop) -> Suspension {
        if p.stepIndex < 0 {
            // A coroutine that never ran gets the exception at its first line: no step runs.
            if let e = thrown { return .raised(e) }
            if r.isTask {
                emit(r, .started, on: loop)
            }
            p.phase = .running
            p.stepIndex = 0
        } else {
            // Back from the suspension of step `stepIndex`.
            let outcome = finishSuspension(&p, r, thrown, awaited: awaited, loop)
            if case .raised = outcome { return outcome }
            p.phase = .running
            p.stepIndex += 1
        }
        return runSteps(&p, r, loop)
    }

    private func finishSuspension(_ p: inout TaskProgress, _ r: borrowing TaskRecord, _ thrown: PyException?, awaited: Future?, _ loop: EventLoop) -> Suspension {
        switch r.body.step(at: Int(p.stepIndex)) {
        case .sleep(let d):
            let outcome: Suspension
            if let timer = awaited {
                // A sleep on a timer future (a `run` body's, or a task's whose own timer was
                // still held): `finally: h.cancel()`.
                loop.cancelTimer(timer)
                outcome = loop.resumeAwait(timer, thrown: thrown)
            } else {
                if d.microseconds > 0, let task = r.task { loop.cancelOwnSleepTimer(task) }
                outcome = thrown.map(Suspension.raised) ?? .returned(.none)
            }
            if case .returned = outcome, d.microseconds > 0, case .sleeping(let until) = p.phase {
                // Reported when a hold kept the timer from firing on time (a real clock is
                // always a little late on its own; that is not the lesson).
                let late = loop.now - until
                if late.microseconds >= 1000 && loop.lastHoldEnd > until { emit(r, .late(by: late), on: loop) }
            }
            return outcome
        case .thread, .await:
            // (Nothing awaited: the task was let go of it to have an exception thrown in.)
            guard let f = awaited else { return .raised(thrown ?? .runtime("await wasn't used with future")) }
            return loop.resumeAwait(f, thrown: thrown)
        case .cpu, .fail:
            return thrown.map(Suspension.raised) ?? .returned(.none)
        }
    }

    /// Runs steps from `stepIndex` until one suspends, or the body ends.
    private func runSteps(_ p: inout TaskProgress, _ r: borrowing TaskRecord, _ loop: EventLoop) -> Suspension {
        let stepCount = r.body.stepCount
        while Int(p.stepIndex) < stepCount {
            switch r.body.step(at: Int(p.stepIndex)) {
            case .sleep(let d):
                // One reading of the clock for the deadline and the event: a real clock
                // moves between two readings, and the step is the typed `d`, not the gap.
                let now = loop.now
                let until = now + d
                p.phase = .sleeping(until: until)
                if r.isTask { emit(r, .sleeping(until: until, step: d), at: now, on: loop) }
                // `asyncio.sleep(d)`: a bare yield when d <= 0; a spawned task sleeps on its
                // own timer; a `run` body (main's coroutine) on a timer future, which whoever
                // drives the body holds and hands back as `awaited`.
                if d.microseconds <= 0 { return .yielded }
                if let task = r.task, loop.ownSleepAvailable(task) {
                    loop.scheduleOwnSleep(task, until: until)
                    return .awaitingOwnFuture
                }
                return .awaiting(loop.futureResolved(after: d))
            case .cpu(let d):
                p.phase = .running
                if r.isTask { emit(r, .holding(d), on: loop) } else { emitMain(.holding(d, command: .run)) }
                loop.hold(d, self)
            case .thread(let d):
                // The job is handed over at the instant of the event, before the pool
                // reports a worker taking it (then too, if a worker is idle).
                let now = loop.now
                if r.isTask { emit(r, .inThread(step: d), at: now, on: loop) }
                let job = loop.runInExecutor(d, owner: r.name, tag: r.isTask ? r.id.index : -1, at: now, self)
                p.phase = .inThread(job)
                return .awaiting(loop.future(of: job))
            case .await(let name):
                guard let target = byName[name.name] else {
                    return .raised(PyException("NameError", "unknown task '\(name.name)'"))
                }
                p.phase = .waiting(for: Int32(target))
                if r.isTask { emit(r, .waiting(for: tasks[target].id), on: loop) }
                let future = loop.future(of: tasks[target].task!)
                if let immediate = loop.startAwait(future) {
                    if case .raised = immediate { return immediate }
                } else {
                    return .awaiting(future)
                }
            case .fail(let type, let message):
                return .raised(ExceptionFactory.raised(type, message))
            }
            p.phase = .running
            p.stepIndex += 1
        }
        return .returned(r.body.value ?? .string(r.name))
    }
}
