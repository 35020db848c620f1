import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
extension TraceEvent {
    /// The line `trace on` prints for this callback (after `trace: `), e.g.
    /// `step A resumed`, `callback: A done, wake B`, `timer fired for C`.
    public var what: String {
        switch callback {
        case .step(let task, let how):
            switch how {
            case .first: return "step \(task) starts (its first step)"
            case .resumed: return "step \(task) resumed"
            case .thrown(let e): return "step \(task) resumed with \(e.repr) thrown in"
            }
        case .doneCallback(let future, let role):
            let owner = future ?? "future"
            switch role {
            case .wake(let task): return "callback: \(owner) done, wake \(task)"
            case .gatherChild: return "callback: gather child \(owner) done"
            case .waitSees: return "callback: wait sees \(owner) done"
            case .waitForSees: return "callback: wait_for sees \(owner) done"
            case .executorFuture(let jobOwner): return "callback: executor future of \(jobOwner) done"
            case .taskEndReport: return "callback: \(owner) finished (reported below)"
            case .other: return "callback: done callback of \(owner)"
            }
        case .wake(let task):
            return "callback: future done, wake \(task)"
        case .timerFired(let sleeper):
            return sleeper.map { "timer fired for \($0)" } ?? "timer fired"
        case .jobEnded(let owner):
            return "worker finished the thread job of \(owner)"
        }
    }
}
