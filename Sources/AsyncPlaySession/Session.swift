import AsyncPlayCore
import AsyncPlayCollections
import AsyncPlayLanguage
import AsyncPlayLoop
import AsyncPlayEvents
import Synchronization

/// A playground session: runs commands as asyncio's main coroutine on an event loop and
/// reports everything that happens as `Record`s. `reset` replaces the loop (t = 0).
///
/// Single-threaded: every method runs on the loop's thread. Another thread talks to a
/// running session only through its `handle`, whose work runs on the loop's thread.
public final class Session: @unchecked Sendable {
    public struct Options {
        public var workers = 4
        public var limits = Limits.standard
        /// Where lines come from: a script (delivered as soon as the loop is idle) or a
        /// person typing (delivered by `submit`).
        public var clock: () -> LoopClock = { VirtualClock() }
        /// Record how late every timer ran (see `timerLateness`); for benchmarks.
        public var measureTimerLateness = false
        /// How many tasks the first loop will likely spawn (a script's spawn count): its
        /// task table is sized for them at once instead of growing by doubling, which
        /// copied and rehashed a million tasks' entries about twice over.
        public var expectedTasks = 0
        public init() {}
    }

    public private(set) var loop: EventLoop
    /// For other threads: see `SessionHandle`.
    public let handle: SessionHandle
    let options: Options
    private let sink: RecordSink
    let sinkUsesPhases: Bool
    private var lines: LineFeed

    /// Every task of this loop, in creation order: a task's place here is its sequence.
    let tasks = SlotTable<TaskRecord>()
    /// How far each task's body has run, beside `tasks`.
    let progress = SlotTable<TaskProgress>()
    /// Where each task's name is in `tasks`.
    private let names: Cell<[String: Int]>
    var byName: [String: Int] { _read { yield names.value } _modify { yield &names.value } }
    private var unnamedCounter = 0
    private var runBodies = 0
    private var liveTasks = 0
    /// Tasks of this loop that ended with an exception (CancelledError aside).
    private var failedTasks = 0
    private var main: Task?
    private var mainCoroutine: MainCoroutine!
    /// Tasks main is blocked on (places in `tasks`), for the deadlock explanation.
    private var mainWaitsFor: [Int] = []
    /// The `run` body main is running inline, and what its last step awaited.
    var runRecord: TaskRecord?
    var runProgress = TaskProgress()
    private var runAwaited: Future?
    /// Main awaits its next line (on its own future: see `Task.ownFuture`).
    private var awaitingInput = false
    private var settleWaiter: Future?
    /// The line `deliver` handed over, until main takes it.
    private var deliveredLine: ScriptLine?
    private var mainIsIdle = true
    private var traceOn = false
    public internal(set) var refusedCommands = 0
    public private(set) var workers: Int

    /// Where main's lines come from.
    public enum LineFeed {
        /// Lines of a parsed script: each arrives when the loop is idle.
        case script(() -> ScriptLine?)
        /// Lines typed by a person: `submit` delivers them; `waitForLine` (if given) is
        /// called on the loop thread when main needs one and the loop has nothing to do.
        case external(waitForLine: (() -> Void)?)
    }

    public init(options: Options = Options(), lines: LineFeed, sink: RecordSink) {
        self.options = options
        self.sink = sink
        sinkUsesPhases = sink.usesPhaseEvents
        self.lines = lines
        workers = options.workers
        let expected = min(options.expectedTasks, options.limits.maxLiveTasks)
        names = Cell(Dictionary(minimumCapacity: expected))
        tasks.reserveCapacity(expected)
        progress.reserveCapacity(expected)
        loop = EventLoop(clock: options.clock(), workers: options.workers, expectedTasks: expected)
        handle = SessionHandle(loop)
        handle.attach(self)
    }

    // MARK: - Driving

    /// Runs the session to its end (end of input or `exit`); `reset` starts a fresh loop
    /// and carries on with the rest of its line.
    public func run() {
        var carry: (line: Int, commands: ArraySlice<Command>)? = nil
        while true {
            let outcome = runOneLoop(carry: carry)
            carry = mainCoroutine.carry
            if outcome == .exit { return }
            emitMain(.reset)
            newLoop()
        }
    }

    private func newLoop() {
        loop = EventLoop(clock: options.clock(), workers: workers)
        handle.follow(loop)
        byName = [:]
        tasks.removeAll()
        progress.removeAll()
        unnamedCounter = 0
        runBodies = 0
        liveTasks = 0
        failedTasks = 0
        loop.tracing = traceOn
    }

    /// How late each timer ran, in µs, over every loop of the session (when measured).
    public private(set) var timerLateness: [Int64] = []

    private func runOneLoop(carry: (line: Int, commands: ArraySlice<Command>)?) -> MainCoroutine.Outcome {
        if options.measureTimerLateness { loop.timerLateness = [] }
        defer { timerLateness += loop.timerLateness ?? [] }
        let coroutine = MainCoroutine(carry: carry)
        mainCoroutine = coroutine
        let main = loop.createTask(name: "main", coroutine: Session.mainCoroutineNumber)
        self.main = main
        loop.start(main)
        let loop = self.loop
        while !loop.isDone(main) {
            loop.runOnce(self)
        }
        return coroutine.outcome
    }

    /// Ctrl-C: cancels what main awaits, with asyncio's rules.
    func interrupt() {
        guard !mainIsIdle, let main, !loop.isDone(main) else { return }
        // `main_task.cancel()`; where it would recurse around an await cycle, main
        // itself gets the CancelledError, as `cancel` does for a task (oracle decision 7).
        do {
            _ = try loop.requestCancel(main, message: nil)
        } catch {
            loop.throwIn(main, .cancelled(nil))
        }
        reportCancelsPassedOn(loop)
    }

    /// Whether main is waiting for a line (the shell shows its prompt then).
    public var isWaitingForInput: Bool { awaitingInput }

    func deliver(_ line: consuming ScriptLine?) {
        guard awaitingInput else { return }
        awaitingInput = false
        deliveredLine = line
        if let main { loop.resolveOwnFuture(main) }
    }

    func takeDeliveredLine() -> ScriptLine? { deliveredLine.take() }

    /// Main is about to await its next line.
    func willAwaitInput() {
        awaitingInput = true
        onAwaitingInput?(loop.now)
    }

    /// Called on the loop's thread each time main is ready for its next line (the shell
    /// shows its prompt then), with the loop's time.
    public var onAwaitingInput: ((Instant) -> Void)?

    func makeSettleWaiter(_ loop: EventLoop) -> Future {
        let f = loop.createFuture()
        settleWaiter = f
        return f
    }

    /// The loop has nothing ready and no timer due: settle waits end; the next line arrives.
    private func idle(_ loop: EventLoop) -> Bool {
        if let w = settleWaiter {
            settleWaiter = nil
            loop.setResult(w, .none)
            return true
        }
        guard awaitingInput else { return false }
        switch lines {
        case .script(let next):
            deliver(next())
            return true
        case .external(let waitForLine):
            guard let waitForLine else { return false }
            // Virtual clock: time must not move while a person types, so the loop blocks
            // here until `submit` has put the line in its inbox; the next poll takes it.
            waitForLine()
            return true
        }
    }

    /// Nothing can ever wake main: say who waits for whom and give main its prompt back
    /// (CPython would hang forever here).
    private func stalled(_ loop: EventLoop) -> Bool {
        guard !awaitingInput, settleWaiter == nil, let main, !loop.isDone(main), loop.waitingOn(main) != nil else { return false }
        loop.throwIn(main, PyException("DeadlockError", deadlockMessage(loop)))
        return true
    }

    private func deadlockMessage(_ loop: EventLoop) -> String {
        /// The task the task at `i` waits for, while it is not done.
        func waiting(_ i: Int) -> Int? {
            guard !loop.isDone(tasks[i].task!), let target = progress[i].waitsForTask else { return nil }
            return Int(target)
        }
        let seen = Set(tasksMainAwaits(loop) { _ in true })
        var chosen = tasks.indices.filter { seen.contains($0) && waiting($0) != nil }
        if chosen.isEmpty { chosen = tasks.indices.filter { waiting($0) != nil } }
        if chosen.isEmpty { return "main waits forever" }
        return chosen.map { "\(tasks[$0].name) waits for \(tasks[waiting($0)!].name)" }.joined(separator: ", ")
    }

    /// The tasks main awaits (its command's, or its `run` body's) and, below each, the
    /// chain of tasks they await, each once, in the order a depth-first walk meets them.
    /// The walk visits only tasks `visits` accepts, and goes on below a task while it is
    /// not done.
    private func tasksMainAwaits(_ loop: EventLoop, visits: (Int) -> Bool) -> [Int] {
        var stack = mainWaitsFor
        if runRecord != nil, let t = runProgress.waitsForTask { stack.append(Int(t)) }
        var seen = Set<Int>()
        var order: [Int] = []
        while let i = stack.popLast() {
            guard visits(i), seen.insert(i).inserted else { continue }
            order.append(i)
            if !loop.isDone(tasks[i].task!), let next = progress[i].waitsForTask { stack.append(Int(next)) }
        }
        return order
    }

    // MARK: - Emitting

    func emitRecord(_ r: Record) { sink.record(r) }

    /// Reports one of a body's events, at `t` (by default, now).
    func emit(_ r: borrowing TaskRecord, _ kind: TaskEvent.Kind, at t: Instant? = nil, on loop: EventLoop) {
        if !sinkUsesPhases && kind.isPhase { return }
        sink.taskEvent(kind, of: r.id, named: r.name, at: t ?? loop.now)
    }

    /// The end of a spawned task's coroutine (`returned` or `raised`), for `status`: the
    /// task is finished from now on, and its `done`/`failed`/`cancelled` event comes one
    /// iteration later. A body cannot request its own cancellation, so a body that
    /// returned is done (Task.step's "cancelled right before it returned" cannot happen).
    /// Called only when the sink uses phase events.
    func emitEnd(_ task: borrowing TaskRecord, _ s: Suspension, _ loop: EventLoop) {
        switch s {
        case .returned(let v): emit(task, .returned(v), on: loop)
        case .raised(let e): emit(task, .raised(e), on: loop)
        default: break
        }
    }

    /// After main passed a cancellation on (Ctrl-C, or a timeout that cancelled what main
    /// awaited) and its command raised: the tasks it reached that are still not done are
    /// `cancelling` with no request of their own in the records (an await cycle kept the
    /// CancelledError from them), so each is reported, for `status`. Walks what main
    /// awaited and the chains of awaits below, each task once.
    func reportCancelsPassedOn(_ loop: EventLoop) {
        guard sinkUsesPhases else { return }
        let reached = tasksMainAwaits(loop) { !loop.isDone(tasks[$0].task!) && loop.cancelRequests(tasks[$0].task!) > 0 }
        for i in reached { emit(tasks[i], .cancelPassedOn, on: loop) }
    }

    /// What main awaits in `command` (which just suspended it), as data for the records.
    func mainAwait(_ command: Command, line: Int) -> MainAwait {
        let kind: MainAwait.Kind
        switch command {
        case .await: kind = .await
        case .gather: kind = .gather
        case .wait: kind = .wait
        case .sleep: kind = .sleep
        // `run` and the four above are the only commands that suspend main.
        default: kind = .run
        }
        var ids = mainWaitsFor.map { tasks[$0].id }
        // A `run` body awaits inline: main awaits the task its body awaits now, if any.
        if case .run = kind, runRecord != nil, let awaited = runProgress.waitsForTask { ids = [tasks[Int(awaited)].id] }
        // In creation order (every task of the loop, or names typed in that order) they
        // are already unique; otherwise keep the first of each.
        if zip(ids, ids.dropFirst()).contains(where: { $0 >= $1 }) { ids = ids.uniquedInOrder() }
        return MainAwait(kind: kind, line: line, tasks: ids)
    }

    func emitMain(_ kind: MainEvent.Kind) {
        if case .awaitingInput = kind {
            if mainIsIdle { return }          // one record per change, not one per line
            mainIsIdle = true
        } else {
            mainIsIdle = false
        }
        sink.record(.main(MainEvent(time: loop.now, kind: kind)))
    }

    func emitResult(_ command: Command, line: Int, _ value: CommandValue) {
        sink.record(.result(CommandResult(time: loop.now, line: line, command: command.keyword, value: value)))
    }

    // MARK: - Tasks

    /// The loop's future of the task at `i`.
    private func future(ofTaskAt i: Int, _ loop: EventLoop) -> Future { loop.future(of: tasks[i].task!) }

    /// `asyncio.run` at exit (and `reset`): cancel what is still pending.
    func cancelAllTasks(_ loop: EventLoop) {
        // No live task: nothing to walk.
        guard liveTasks > 0 else { return }
        for i in tasks.indices where !loop.isDone(tasks[i].task!) { _ = cancel(i, message: nil, line: nil, loop) }
    }

    func reportNeverRetrieved(_ loop: EventLoop) {
        // Only a failed task can hold an exception nobody retrieved.
        guard failedTasks > 0 else { return }
        for i in tasks.indices where loop.hasUnretrievedException(future(ofTaskAt: i, loop)) {
            let f = future(ofTaskAt: i, loop)
            loop.markRetrieved(f)
            emit(tasks[i], .exceptionNeverRetrieved(loop.exception(f)!), on: loop)
        }
    }

    /// `task.cancel(msg)`; an await cycle, where CPython recurses until RecursionError, is
    /// cancelled by throwing CancelledError straight into the task (oracle decision 7).
    func cancel(_ i: Int, message: String?, line: Int?, _ loop: EventLoop) -> Bool {
        let task = tasks[i].task!
        let accepted: Bool
        do {
            accepted = try loop.requestCancel(task, message: message)
        } catch {
            loop.throwIn(task, .cancelled(message))
            accepted = true
        }
        if accepted { emit(tasks[i], .cancelRequested(line: line, message: message), on: loop) }
        return accepted
    }

    func taskFinished(_ i: Int, _ loop: EventLoop) {
        progress[i].phase = .running      // it waits for nothing any more
        liveTasks -= 1
        let f = future(ofTaskAt: i, loop)
        if loop.isCancelled(f) {
            emit(tasks[i], .cancelled, on: loop)
        } else if let e = loop.exception(f) {
            failedTasks += 1
            emit(tasks[i], .failed(e), on: loop)
        } else {
            emit(tasks[i], .done(loop.value(f)), on: loop)
        }
    }

    // MARK: - Commands

    /// What a command that suspended main reports when it returns.
    enum Report {
        /// The value it returned (`await`, `gather`, `run`).
        case value
        /// `wait`'s done and pending sets, over these tasks (places in `tasks`).
        case waitSets([Int])
        case nothing
    }

    /// The result record's value for a command that returned `v`.
    func reportValue(_ report: Report, returned v: PyValue, _ loop: EventLoop) -> CommandValue {
        switch report {
        case .value: return .value(v)
        case .nothing: return .nothing
        case .waitSets(let rs):
            var done: [String] = [], pending: [String] = []
            for i in rs.uniquedInOrder().sorted() {
                if loop.isDone(tasks[i].task!) { done.append(tasks[i].name) } else { pending.append(tasks[i].name) }
            }
            return .waitSets(done: done, pending: pending)
        }
    }

    enum Execution {
        case finished
        case refused(Diagnostic)
        case raised(PyException)
        case suspends(MainAwaitable, reports: Report)
        case reset
        case exit
    }

    /// The place in `tasks` of the task `ref` names.
    private func lookup(_ ref: NameRef, line: Int) -> Result<Int, Diagnostic> {
        if let i = byName[ref.name] { return .success(i) }
        var message = "unknown task '\(ref.name)'"
        if let guess = Suggest.closest(to: ref.name, among: tasks.map(\.name)) { message += "; did you mean '\(guess)'?" }
        return .failure(Diagnostic(line: line, column: ref.column, message: message))
    }

    private func lookupAll(_ refs: [NameRef], line: Int) -> Result<[Int], Diagnostic> {
        if refs.isEmpty { return .success(Array(tasks.indices)) }
        var out: [Int] = []
        out.reserveCapacity(refs.count)
        for ref in refs {
            switch lookup(ref, line: line) {
            case .success(let r): out.append(r)
            case .failure(let d): return .failure(d)
            }
        }
        return .success(out)
    }

    func execute(_ command: Command, line: Int, _ loop: EventLoop) -> Execution {
        mainWaitsFor = []
        switch command {
        case .spawn(let ref, let body):
            return spawn(ref, body, line: line, loop)

        case .run(let ref, let body):
            // A body main runs inline is no task: numbered -1, -2, … in the loop, so that
            // the records tell two of them apart (a `late` wake-up is reported for them).
            runBodies += 1
            runRecord = TaskRecord(task: nil, name: ref?.name ?? "run", id: TaskID(-runBodies), line: line,
                                   body: body)
            runProgress = TaskProgress()
            runAwaited = nil
            return .suspends(.runBody, reports: .value)

        case .cancel(let ref, let message):
            switch lookup(ref, line: line) {
            case .failure(let d): return .refused(d)
            case .success(let r):
                emitResult(command, line: line, .bool(cancel(r, message: message, line: line, loop)))
                return .finished
            }

        case .await(let ref, let timeout):
            switch lookup(ref, line: line) {
            case .failure(let d): return .refused(d)
            case .success(let r):
                mainWaitsFor = [r]
                let f = future(ofTaskAt: r, loop)
                let c: Coroutine = timeout.map { WaitForCoroutine(loop: loop, future: f, timeout: $0) } ?? AwaitCoroutine(loop: loop, f)
                return .suspends(.coroutine(c), reports: .value)
            }

        case .gather(let refs, let returnExceptions, let timeout):
            switch lookupAll(refs, line: line) {
            case .failure(let d): return .refused(d)
            case .success(let rs):
                mainWaitsFor = rs
                let g = loop.gather(rs.map { future(ofTaskAt: $0, loop) }, returnExceptions: returnExceptions,
                                    childrenAreUnique: refs.isEmpty)
                let c: Coroutine = timeout.map { WaitForCoroutine(loop: loop, future: g, timeout: $0) } ?? AwaitCoroutine(loop: loop, g)
                return .suspends(.coroutine(c), reports: .value)
            }

        case .wait(let refs, let mode, let timeout):
            switch lookupAll(refs, line: line) {
            case .failure(let d): return .refused(d)
            case .success(let rs):
                mainWaitsFor = rs
                let c = WaitCoroutine(loop: loop, futures: rs.map { future(ofTaskAt: $0, loop) }, mode: mode, timeout: timeout)
                return .suspends(.coroutine(c), reports: .waitSets(rs))
            }

        case .sleep(let d):
            return .suspends(.coroutine(SleepCoroutine(loop: loop, delay: d)), reports: .nothing)

        case .block(let d):
            emitMain(.holding(d, command: .block))
            loop.hold(d, self)
            return .finished

        case .status(let refs):
            switch lookupAll(refs, line: line) {
            case .failure(let d): return .refused(d)
            case .success(let rs):
                // The rows are drawn from the records (StatusFold): the result names the tasks.
                emitResult(command, line: line, .status(refs.isEmpty ? nil : rs.map { tasks[$0].id }))
                return .finished
            }

        case .result(let ref):
            switch lookup(ref, line: line) {
            case .failure(let d): return .refused(d)
            case .success(let r):
                switch loop.result(future(ofTaskAt: r, loop)) {
                case .success(let v):
                    emitResult(command, line: line, .value(v))
                    return .finished
                case .failure(let e):
                    return .raised(e)
                }
            }

        case .time:
            emitResult(command, line: line, .time(loop.now))
            return .finished

        case .setWorkers(let n):
            workers = n
            loop.setWorkers(n, self)
            return .finished

        case .timeline(let options):
            emitResult(command, line: line, .view(.timeline(options)))
            return .finished

        case .help(let topic):
            emitResult(command, line: line, .view(.help(topic: topic)))
            return .finished

        case .trace(let on):
            traceOn = on
            loop.tracing = on
            emitResult(command, line: line, .view(.trace(on: on)))
            return .finished

        case .tree:
            emitResult(command, line: line, .view(.tree))
            return .finished

        case .why(let ref):
            switch lookup(ref, line: line) {
            case .failure(let d): return .refused(d)
            case .success(let r):
                emitResult(command, line: line, .view(.why(task: tasks[r].name)))
                return .finished
            }

        case .export(let path):
            emitResult(command, line: line, .view(.exportPython(path: path)))
            return .finished

        case .reset:
            return .reset
        case .exit:
            return .exit
        }
    }

    private func spawn(_ ref: NameRef?, _ body: Body, line: Int, _ loop: EventLoop) -> Execution {
        let name: String
        if let ref {
            name = ref.name
        } else {
            repeat {
                unnamedCounter += 1
            } while byName["Task-\(unnamedCounter)"] != nil
            name = "Task-\(unnamedCounter)"
        }
        let index = tasks.count
        // One lookup of the name in the usual case: claimed first, given back if refused.
        if let existing = byName.updateValue(index, forKey: name) {
            byName[name] = existing
            return .refused(Diagnostic(line: line, column: ref?.column ?? 1, message: "task '\(name)' already exists"))
        }
        if liveTasks >= options.limits.maxLiveTasks {
            byName[name] = nil
            return .refused(Diagnostic(line: line, column: ref?.column ?? 1,
                message: "too many tasks alive (the limit is \(options.limits.maxLiveTasks)); gather or cancel some first"))
        }
        let task = loop.createTask(name: name, coroutine: Int32(index))
        tasks.append(TaskRecord(task: task, name: name, id: TaskID(index), line: line, body: body))
        progress.append(TaskProgress())
        loop.start(task)
        // The session's report of the task's end: its first done-callback.
        loop.addDoneCallback(loop.future(of: task), .driver(Int32(index)))
        liveTasks += 1
        emit(tasks[index], .created(name: name, line: Int32(clamping: line)), on: loop)
        return .finished
    }

    /// `run BODY`'s step: the body, awaited inline in main; forgotten once it ends (for
    /// deadlock messages). What it awaits is kept here, as a task's `_fut_waiter` is.
    func resumeRunBody(_ thrown: PyException?, _ loop: EventLoop) -> Suspension {
        let s = resumeBody(.run, thrown, awaited: runAwaited.take(), loop)
        switch s {
        case .awaiting(let f): runAwaited = f
        case .returned, .raised: runRecord = nil
        default: break
        }
        return s
    }

    // MARK: - Trace

    fileprivate func emitTrace(_ e: TraceEvent) { sink.record(.trace(e)) }

    /// `trace on`: names each handle the loop runs.
    private func trace(_ handle: Handle, at t: Instant, lateBy: TimeAmount?) {
        let traced: TracedCallback
        switch handle {
        case .step(let task, let exc):
            let name = loop.name(of: task)
            if name == "main" { return }     // main's own steps are the prompt
            if let exc {
                traced = .step(task: name, .thrown(exc))
            } else {
                traced = .step(task: name, loop.hasStarted(task) ? .resumed : .first)
            }
        case .done(let cb, let future):
            let owner = loop.task(of: future).map(loop.name(of:))
            let role: TracedCallback.DoneCallbackRole
            switch cb.kind {
            case .wakeup: role = .wake(task: loop.name(of: cb.wakesTask!))
            case .gatherChild: role = .gatherChild
            case .waitCompletion: role = .waitSees
            case .releaseWaiter: role = .waitForSees
            case .executorCancel: role = .executorFuture(owner: loop.owner(of: cb.threadJob!))
            case .driver: role = .taskEndReport
            }
            traced = .doneCallback(future: owner, role)
        case .wake(let task, _):
            traced = .wake(task: loop.name(of: task))
        case .resolve, .sleepDue:
            // Name the sleeper when a single task's sleep is due then (a cheap look, only
            // while tracing, and only in small sessions).
            let due = Instant(microseconds: t.microseconds - (lateBy?.microseconds ?? 0))
            var sleepers: [String] = []
            if tasks.count <= 1000 {
                for (r, p) in zip(tasks, progress) where !loop.isDone(r.task!) {
                    if case .sleeping(let until) = p.phase, until == due { sleepers.append(r.name) }
                }
            }
            traced = .timerFired(for: sleepers.count == 1 ? sleepers[0] : nil)
        case .jobEnded(let job):
            traced = .jobEnded(owner: loop.owner(of: job))
        case .external:
            return
        }
        emitTrace(TraceEvent(time: t, callback: traced, lateBy: lateBy.flatMap { $0.microseconds > 0 ? $0 : nil }))
    }

    /// Main's coroutine number in the loop (spawned tasks' are their places in `tasks`).
    static let mainCoroutineNumber: Int32 = -1
}

/// The session drives the loop's tasks: main's coroutine and every spawned body.
extension Session: TaskDriver {
    public func resume(_ task: Task, coroutine: Int32, thrown: PyException?, awaited: Future?,
                       on loop: EventLoop) -> Suspension {
        if coroutine == Session.mainCoroutineNumber { return mainCoroutine.resume(thrown, self, loop) }
        let i = Int(coroutine)
        let s = resumeBody(.task(i), thrown, awaited: awaited, loop)
        switch s {
        case .returned, .raised:
            // Asked first: the end is reported only to sinks that use phase events.
            if sinkUsesPhases { emitEnd(tasks[i], s, loop) }
        default: break
        }
        return s
    }

    /// The report of a task's end (the only callback the session registers): done /
    /// failed / cancelled, one batch after the task finished.
    public func futureDone(_ future: Future, tag: Int32, on loop: EventLoop) {
        taskFinished(Int(tag), loop)
    }

    /// Reports a worker taking a task's job and finishing it, as the task's events, at
    /// the instants they happened (main's `run` body jobs are no task's: not reported).
    public func threadJob(_ job: ThreadJob, changedTo state: ThreadJob.State, at t: Instant, on loop: EventLoop) {
        let i = loop.tag(of: job)
        guard i >= 0, i < tasks.count else { return }
        switch state {
        case .running: emit(tasks[i], .threadStarted, at: t, on: loop)
        case .finished: emit(tasks[i], .threadEnded, at: t, on: loop)
        case .queued, .cancelled: break
        }
    }

    public func loopIsIdle(_ loop: EventLoop) -> Bool { idle(loop) }
    public func loopStalled(_ loop: EventLoop) -> Bool { stalled(loop) }

    public func willRun(_ handle: Handle, at t: Instant, lateBy: TimeAmount?, on loop: EventLoop) {
        trace(handle, at: t, lateBy: lateBy)
    }
}

/// What another thread (the shell's) may do with a running session: hand main a line,
/// interrupt it, read the loop's clock. Each runs on the loop's thread through the loop's
/// inbox (`call_soon_threadsafe`). `reset` gives the session a new loop; the handle
/// follows it under its lock, so no thread ever reads the session's `loop` while the
/// loop's thread replaces it.
public final class SessionHandle: Sendable {
    private struct Current {
        let inbox: ThreadsafeInbox
        let time: (@Sendable () -> Instant)?
        /// The session: set as it is made, reached only by work run on the loop's thread.
        weak var session: Session?
    }
    private let current: Mutex<Current>

    fileprivate init(_ loop: EventLoop) {
        current = Mutex(Current(inbox: loop.inbox, time: loop.clock.timeSource, session: nil))
    }

    fileprivate func attach(_ session: Session) {
        current.withLock { $0.session = session }
    }

    fileprivate func follow(_ loop: EventLoop) {
        current.withLock { $0 = Current(inbox: loop.inbox, time: loop.clock.timeSource, session: $0.session) }
    }

    /// Hands a typed line to main. `nil` is the end of input (Ctrl-D).
    public func submit(_ line: ScriptLine?) {
        post { $0.deliver(line) }
    }

    /// Ctrl-C: cancels what main awaits, with asyncio's rules (nothing while main is idle).
    public func interrupt() {
        post { $0.interrupt() }
    }

    /// The loop's time on a real clock (nil on a virtual one, whose time moves only on the
    /// loop's thread).
    public var now: Instant? { current.withLock { $0.time }?() }

    private func post(_ work: @escaping @Sendable (Session) -> Void) {
        current.withLock { c in
            let session = c.session
            c.inbox.post { if let session { work(session) } }
        }
    }
}
