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
    subscript(body ref: BodyRef) -> TaskRecord {
        get {
            switch ref {
            case .task(let i): return tasks[i]
            case .run: return runRecord!
            }
        }
        _modify {
            switch ref {
            case .task(let i): yield &tasks[i]
            case .run: yield &runRecord!
            }
        }
    }

    func resumeBody(_ ref: BodyRef, _ thrown: PyException?, awaited: Future?) -> Suspension {
        if self[body: ref].stepIndex < 0 {
            // A coroutine that never ran gets the exception at its first line: no step runs.
            if let e = thrown { return .raised(e) }
            if case .task = ref {
                self[body: ref].started = loop.now
                emit(ref, .started)
            }
            self[body: ref].phase = .running
            self[body: ref].stepIndex = 0
        } else {
            // Back from the suspension of step `stepIndex`.
            let outcome = finishSuspension(ref, thrown, awaited: awaited)
            if case .raised = outcome { return outcome }
            self[body: ref].phase = .running
            self[body: ref].stepIndex += 1
        }
        return runSteps(ref)
    }

    private func finishSuspension(_ ref: BodyRef, _ thrown: PyException?, awaited: Future?) -> Suspension {
        let r = self[body: ref]
        switch r.body.step(at: Int(r.stepIndex)) {
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
            if case .returned = outcome, d.microseconds > 0, case .sleeping(let until) = r.phase {
                // Reported when a hold kept the timer from firing on time (a real clock is
                // always a little late on its own; that is not the lesson).
                let late = loop.now - until
                if late.microseconds >= 1000 && loop.lastHoldEnd > until { emit(ref, .late(by: late)) }
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
    private func runSteps(_ ref: BodyRef) -> Suspension {
        let body = self[body: ref].body
        let task = self[body: ref].task
        while Int(self[body: ref].stepIndex) < body.stepCount {
            switch body.step(at: Int(self[body: ref].stepIndex)) {
            case .sleep(let d):
                // One reading of the clock for the deadline and the event: a real clock
                // moves between two readings, and the step is the typed `d`, not the gap.
                let now = loop.now
                let until = now + d
                self[body: ref].phase = .sleeping(until: until)
                if task != nil { emit(ref, .sleeping(until: until, step: d), at: now) }
                // `asyncio.sleep(d)`: a bare yield when d <= 0; a spawned task sleeps on its
                // own timer; a `run` body (main's coroutine) on a timer future, which whoever
                // drives the body holds and hands back as `awaited`.
                if d.microseconds <= 0 { return .yielded }
                if let task, loop.ownSleepAvailable(task) {
                    loop.scheduleOwnSleep(task, until: until)
                    return .awaitingOwnFuture
                }
                return .awaiting(loop.futureResolved(after: d))
            case .cpu(let d):
                self[body: ref].phase = .running
                if task != nil { emit(ref, .holding(d)) } else { emitMain(.holding(d, command: .run)) }
                loop.hold(d, self)
            case .thread(let d):
                // The job is handed over at the instant of the event, before the pool
                // reports a worker taking it (then too, if a worker is idle).
                let now = loop.now
                if task != nil { emit(ref, .inThread(step: d), at: now) }
                let r = self[body: ref]
                let job = loop.runInExecutor(d, owner: r.name, tag: task != nil ? r.id.index : -1, at: now, self)
                self[body: ref].phase = .inThread(job)
                return .awaiting(loop.future(of: job))
            case .await(let name):
                guard let target = byName[name.name] else {
                    return .raised(PyException("NameError", "unknown task '\(name.name)'"))
                }
                self[body: ref].phase = .waiting(for: Int32(target))
                if task != nil { emit(ref, .waiting(for: tasks[target].id)) }
                let future = loop.future(of: tasks[target].task!)
                if let immediate = loop.startAwait(future) {
                    if case .raised = immediate { return immediate }
                } else {
                    return .awaiting(future)
                }
            case .fail(let type, let message):
                return .raised(ExceptionFactory.raised(type, message))
            }
            self[body: ref].phase = .running
            self[body: ref].stepIndex += 1
        }
        return .returned(body.value ?? .string(self[body: ref].name))
    }
}
