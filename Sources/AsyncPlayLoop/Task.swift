import AsyncPlayCore
import AsyncPlayCollections
/// An asyncio Task, as a handle: its place in the loop's task table. A task is a future
/// (`future`) driven by a coroutine, one `step` at a time (`tasks.py`). The coroutine is
/// the driver's (see `TaskDriver`): the task holds the number the driver gave it.
public struct Task: Hashable, Sendable {
    let index: Int32
    init(_ index: Int32) { self.index = index }
    /// The task's place in the loop's table: tasks are numbered in creation order.
    public var number: Int { Int(index) }
}

/// One task's state in the loop's table, beside its future's.
struct TaskSlot {
    let future: Future
    let name: String
    /// The driver's number for this task's coroutine.
    let coroutine: Int32
    /// The future this task is blocked on (`_fut_waiter`), or -1.
    var waitingOn: Int32 = -1
    /// `cancelling()`: how many cancellations were requested.
    var cancelRequests: Int32 = 0
    var flags = Flags()

    struct Flags: OptionSet {
        let rawValue: UInt8
        /// `_must_cancel`
        static let mustCancel = Flags(rawValue: 1)
        /// The coroutine has run its first step (a task cancelled before that never starts).
        static let started = Flags(rawValue: 2)
        /// The last cancellation walk through this task reached a level that accepted it,
        /// so a CancelledError is on its way here (false after a walk that met a cycle).
        static let cancelArranged = Flags(rawValue: 4)
        /// The task's own future (see `OwnFuture`) is pending: the task is blocked on it.
        static let ownPending = Flags(rawValue: 8)
        /// The own future is done; its `.wake` is queued and the task has not stepped yet.
        static let ownDone = Flags(rawValue: 16)
    }
}

/// A future awaited by one task alone and never shown to anyone, kept as the task's own
/// state instead of a table entry: the task stands in for it, and the future's one
/// done-callback (`__wakeup`) is a `.wake` of the task. Two such futures:
/// - `await asyncio.sleep(d)`: its timer is the task's own future in the timer heap;
/// - main's wait for its next line: the session resolves it when the line arrives.
public enum OwnFuture { case none, pending, done }

/// Cancelling walked into an await cycle (A awaits B awaits A).
public struct AwaitCycle: Error {}

extension EventLoop {
    /// `loop.create_task(coro)` without its first step: `start` schedules that.
    package func createTask(name: String, coroutine: Int32) -> Task {
        let task = Task(Int32(tasks.count))
        let future = makeFuture(.task(task.index))
        tasks.append(TaskSlot(future: future, name: name, coroutine: coroutine))
        return task
    }

    /// Schedules the task's first step.
    package func start(_ task: Task) { callSoon(.step(task, nil)) }

    public func future(of task: Task) -> Future { tasks[Int(task.index)].future }
    public func name(of task: Task) -> String { tasks[Int(task.index)].name }
    public func isDone(_ task: Task) -> Bool { isDone(tasks[Int(task.index)].future) }
    /// The task a future is, if it is one.
    public func task(of future: Future) -> Task? {
        if case .task(let t) = futures[Int(future.index)].kind { return Task(t) }
        return nil
    }
    /// What the task is blocked on (`_fut_waiter`).
    public func waitingOn(_ task: Task) -> Future? {
        let w = tasks[Int(task.index)].waitingOn
        return w < 0 ? nil : Future(w)
    }
    public func cancelRequests(_ task: Task) -> Int { Int(tasks[Int(task.index)].cancelRequests) }
    public func hasStarted(_ task: Task) -> Bool { tasks[Int(task.index)].flags.contains(.started) }
    public func ownFuture(_ task: Task) -> OwnFuture {
        let flags = tasks[Int(task.index)].flags
        return flags.contains(.ownPending) ? .pending : flags.contains(.ownDone) ? .done : .none
    }

    /// `Task.__step`
    func step<D: TaskDriver>(_ task: Task, _ thrownIn: PyException?, _ driver: D) {
        let i = Int(task.index)
        let future = tasks[i].future
        precondition(!isDone(future), "step() on a done task")
        var thrown = thrownIn
        if tasks[i].flags.contains(.mustCancel) {
            if thrown?.isCancellation != true { thrown = makeCancelledError(future) }
            tasks[i].flags.remove(.mustCancel)
        }
        let w = tasks[i].waitingOn
        tasks[i].waitingOn = -1
        tasks[i].flags.subtract([.ownPending, .ownDone])
        tasks[i].flags.insert(.started)
        currentTask = task
        let suspension = driver.resume(task, coroutine: tasks[i].coroutine, thrown: thrown,
                                       awaited: w < 0 ? nil : Future(w), on: self)
        currentTask = nil
        switch consume suspension {
        case .returned(let v):
            if tasks[i].flags.contains(.mustCancel) {
                // Cancelled right before the coroutine returned.
                tasks[i].flags.remove(.mustCancel)
                cancelFuture(future, message: cancelMessage(future))
            } else {
                setResult(future, v)
            }
        case .raised(let e):
            if e.isCancellation {
                futures[Int(future.index)].exception = e
                cancelFuture(future, message: nil)
            } else {
                setException(future, e)
            }
        case .awaiting(let f):
            if f == future {
                callSoon(.step(task, .runtime("Task cannot await on itself: <Task pending name='\(tasks[i].name)'>")))
            } else {
                addDoneCallback(f, DoneCallback(.wakeup, task.index))
                tasks[i].waitingOn = f.index
                if tasks[i].flags.contains(.mustCancel),
                   (try? cancel(f, message: cancelMessage(future))) == true {
                    tasks[i].flags.remove(.mustCancel)
                }
            }
        case .yielded:
            callSoon(.step(task, nil))
        case .awaitingOwnFuture:
            tasks[i].flags.insert(.ownPending)
            if tasks[i].flags.contains(.mustCancel) {
                cancelOwnFuture(task, message: cancelMessage(future))
                tasks[i].flags.remove(.mustCancel)
            }
        }
    }

    /// Whether the task can sleep on its own timer now: not while the loop still holds the
    /// timer of an earlier sleep (cancelled, but not yet dropped).
    package func ownSleepAvailable(_ task: Task) -> Bool {
        !futures[Int(future(of: task).index)].flags.contains(.timerHeld)
    }

    /// Puts `task`'s own sleep timer in the heap (see `OwnFuture`).
    package func scheduleOwnSleep(_ task: Task, until deadline: Instant) {
        hold(timer: future(of: task), until: deadline)
    }

    /// The own future's `set_result(None)` (for a sleep, `_set_result_unless_cancelled`,
    /// run when its timer is due): the task wakes at the loop's next iteration.
    package func resolveOwnFuture(_ task: Task) {
        let i = Int(task.index)
        guard tasks[i].flags.contains(.ownPending) else { return }
        tasks[i].flags.remove(.ownPending)
        tasks[i].flags.insert(.ownDone)
        callSoon(.wake(task, nil))
    }

    /// `own_future.cancel(msg)`: done at once, and the task wakes to its CancelledError.
    private func cancelOwnFuture(_ task: Task, message: String?) {
        let i = Int(task.index)
        tasks[i].flags.remove(.ownPending)
        tasks[i].flags.insert(.ownDone)
        callSoon(.wake(task, .cancelled(message)))
    }

    /// The sleep's `finally: h.cancel()`, when the task resumes.
    package func cancelOwnSleepTimer(_ task: Task) { cancelTimer(future(of: task)) }

    /// `Task.cancel(msg)`: each task forwards the cancellation to what it awaits, on every
    /// call, as 3.11 does; the deepest one that cannot forward it marks itself to be
    /// cancelled at its next step. CPython recurses down an await chain; this walks it in
    /// a loop, so a chain of 100,000 tasks cannot overflow the stack. A task met twice is
    /// an await cycle, where CPython hits RecursionError: `AwaitCycle` is thrown, and every
    /// task the walk passed keeps its raised `cancelling()` count with nothing arranged to
    /// deliver it (as after CPython's RecursionError).
    package func requestCancel(_ start: Task, message: String?) throws(AwaitCycle) -> Bool {
        var chain: [Int32] = []
        /// The chain's tasks as a set, once the chain is long enough for a linear search
        /// to cost more than the set (a short chain, the usual case, builds none).
        var visited: Set<Int32>? = nil
        var forwarded = false          // whether the level below accepted the cancellation
        var t = start.index
        do throws(AwaitCycle) {
            while true {
                let i = Int(t)
                let future = tasks[i].future
                markRetrieved(future)
                if isDone(future) { forwarded = false; break }
                if visited == nil && chain.count >= 32 { visited = Set(chain) }
                if visited?.insert(t).inserted == false || (visited == nil && chain.contains(t)) { throw AwaitCycle() }
                tasks[i].cancelRequests += 1
                chain.append(t)
                // A task below the first whose earlier cancellation already reached a level
                // that accepted it: CPython would walk on, but in a chain that is not a
                // cycle that walk only repeats what is arranged (the tasks below stay hooked
                // until the bottom one is cancelled), and asyncio.run's shutdown of a long
                // chain would be quadratic. A task whose earlier walk ended in a cycle has
                // nothing arranged: the walk goes on and meets the cycle again.
                if chain.count > 1 && tasks[i].flags.contains(.cancelArranged) { forwarded = true; break }
                if tasks[i].flags.contains(.ownPending) {
                    cancelOwnFuture(Task(t), message: message)
                    forwarded = true
                    break
                }
                let waiter = tasks[i].waitingOn
                guard waiter >= 0 else { forwarded = false; break }
                switch futures[Int(waiter)].kind {
                case .task(let next):
                    t = next
                    continue
                case .gathering(let g):
                    forwarded = try cancelChildren(ofGather: g, message: message)
                case .plain, .timer:
                    forwarded = cancelFuture(Future(waiter), message: message)
                }
                break
            }
        } catch {
            for t in chain { tasks[Int(t)].flags.remove(.cancelArranged) }
            throw error
        }
        // Unwind: the first level (from the bottom) whose forward failed marks itself;
        // every level above it sees True from below.
        for t in chain.reversed() where !forwarded {
            tasks[Int(t)].flags.insert(.mustCancel)
            let future = tasks[Int(t)].future
            if message != nil || cancelMessages[future.index] != nil { cancelMessages[future.index] = message }
            forwarded = true
        }
        for t in chain { tasks[Int(t)].flags.insert(.cancelArranged) }
        return forwarded
    }

    /// Unhooks the task from what it awaits and throws `exception` into it at its next
    /// step: how the session delivers a deadlock, and cancels an await cycle (oracle
    /// decision 7) where CPython would recurse forever.
    package func throwIn(_ task: Task, _ exception: PyException) {
        let i = Int(task.index)
        let waiter = tasks[i].waitingOn
        if waiter >= 0 {
            removeDoneCallback(Future(waiter), DoneCallback(.wakeup, task.index))
            tasks[i].waitingOn = -1
        }
        // Its own future's timer, if any, will find no one waiting.
        tasks[i].flags.remove(.ownPending)
        tasks[i].flags.remove(.mustCancel)
        callSoon(.step(task, exception))
    }
}
