import AsyncPlayCore
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
    public private(set) var tasks: [TaskRecord] = []
    /// Where each task's name is in `tasks` (one owner of the records: the array).
    private var byName: [String: Int]
    private var unnamedCounter = 0
    private var runBodies = 0
    private var liveTasks = 0
    /// Tasks of this loop that ended with an exception (CancelledError aside).
    private var failedTasks = 0
    private var main: Task!
    private var mainCoroutine: MainCoroutine!
    /// Tasks main is blocked on, for the deadlock explanation.
    private var mainWaitsFor: [TaskRecord] = []
    private var runRecord: TaskRecord?
    /// Main awaits its next line (on its own future: see `Task.ownFuture`).
    private var awaitingInput = false
    private var settleWaiter: Future?
    /// The line `deliver` handed over, until main takes it: kept in a slot of its own, as
    /// assigning an `Optional<ScriptLine>` property went through the type's value
    /// witnesses (~125 instructions a line).
    private let deliveredLine = UnsafeMutablePointer<ScriptLine>.allocate(capacity: 1)
    private var hasDeliveredLine = false
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

    deinit {
        if hasDeliveredLine { deliveredLine.deinitialize(count: 1) }
        deliveredLine.deallocate()
    }

    public init(options: Options = Options(), lines: LineFeed, sink: RecordSink) {
        self.options = options
        self.sink = sink
        sinkUsesPhases = sink.usesPhaseEvents
        self.lines = lines
        workers = options.workers
        let expected = min(options.expectedTasks, options.limits.maxLiveTasks)
        byName = Dictionary(minimumCapacity: expected)
        tasks.reserveCapacity(expected)
        loop = EventLoop(clock: options.clock(), workers: options.workers)
        handle = SessionHandle(loop)
        endReporter.session = Unmanaged.passUnretained(self)
        handle.session = self
        watchThreadJobs()
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
        tasks = []
        unnamedCounter = 0
        runBodies = 0
        liveTasks = 0
        failedTasks = 0
        if traceOn { loop.instrument = tracer }
        watchThreadJobs()
    }

    /// Reports a worker taking a task's job and finishing it, as the task's events, at
    /// the instants they happened (main's `run` body jobs are no task's: not reported).
    private func watchThreadJobs() {
        loop.onThreadJob = { [unowned self] job, state, t in
            guard job.tag >= 0, job.tag < self.tasks.count else { return }
            let task = self.tasks[job.tag]
            switch state {
            case .running: self.emit(task, .threadStarted, at: t)
            case .finished: self.emit(task, .threadEnded, at: t)
            case .queued, .cancelled: break
            }
        }
    }

    /// How late each timer ran, in µs, over every loop of the session (when measured).
    public private(set) var timerLateness: [Int64] = []

    private func runOneLoop(carry: (line: Int, commands: ArraySlice<Command>)?) -> MainCoroutine.Outcome {
        if options.measureTimerLateness { loop.timerLateness = [] }
        defer { timerLateness += loop.timerLateness ?? [] }
        let coroutine = MainCoroutine(session: self, carry: carry)
        mainCoroutine = coroutine
        main = CoroutineTask(loop: loop, name: "main", coroutine: coroutine)
        // Lent, not captured: the session outlives its loops, and capturing it (even
        // unowned) cost an atomic retain and release each time the loop went idle, which
        // is once per script line.
        let me = Unmanaged.passUnretained(self)
        loop.onIdle = { me._withUnsafeGuaranteedRef { $0.loopIsIdle() } }
        loop.onStall = { me._withUnsafeGuaranteedRef { $0.loopStalled() } }
        // Held in locals: reading the `main` and `loop` properties cost a retain and a
        // release each, every iteration.
        let loop = self.loop, main = self.main!
        while !main.isDone {
            loop.runOnce()
        }
        return coroutine.outcome
    }

    /// Ctrl-C: cancels what main awaits, with asyncio's rules.
    func interrupt() {
        guard !mainIsIdle, let main, !main.isDone else { return }
        // `main_task.cancel()`; where it would recurse around an await cycle, main
        // itself gets the CancelledError, as `cancel` does for a task (oracle decision 7).
        do {
            _ = try main.requestCancel(message: nil)
        } catch {
            main.throwIn(.cancelled(nil))
        }
        reportCancelsPassedOn()
    }

    /// Whether main is waiting for a line (the shell shows its prompt then).
    public var isWaitingForInput: Bool { awaitingInput }

    func deliver(_ line: consuming ScriptLine?) {
        guard awaitingInput else { return }
        awaitingInput = false
        if hasDeliveredLine { deliveredLine.deinitialize(count: 1); hasDeliveredLine = false }
        if let line = consume line {
            deliveredLine.initialize(to: line)
            hasDeliveredLine = true
        }
        main.resolveOwnFuture()
    }

    func takeDeliveredLine() -> ScriptLine? {
        guard hasDeliveredLine else { return nil }
        hasDeliveredLine = false
        return deliveredLine.move()
    }

    /// Main is about to await its next line.
    func willAwaitInput() {
        awaitingInput = true
        onAwaitingInput?(loop.now)
    }

    /// Called on the loop's thread each time main is ready for its next line (the shell
    /// shows its prompt then), with the loop's time.
    public var onAwaitingInput: ((Instant) -> Void)?

    func makeSettleWaiter() -> Future {
        let f = loop.createFuture()
        settleWaiter = f
        return f
    }

    /// The loop has nothing ready and no timer due: settle waits end; the next line arrives.
    private func loopIsIdle() -> Bool {
        if let w = settleWaiter {
            settleWaiter = nil
            w.setResult(.none)
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
    private func loopStalled() -> Bool {
        guard !awaitingInput, settleWaiter == nil, let main, !main.isDone, main.waitingOn != nil else { return false }
        main.throwIn(PyException("DeadlockError", deadlockMessage()))
        return true
    }

    private func deadlockMessage() -> String {
        func waiting(_ r: TaskRecord) -> TaskRecord? {
            guard !r.isDone, let target = r.waitsForTask else { return nil }
            return target
        }
        var roots = mainWaitsFor
        if let run = runRecord, let t = run.waitsForTask { roots.append(t) }
        var seen = Set<ObjectIdentifier>()
        var stack = roots
        while let r = stack.popLast() {
            guard seen.insert(ObjectIdentifier(r)).inserted else { continue }
            if let next = waiting(r) { stack.append(next) }
        }
        var chosen = tasks.filter { seen.contains(ObjectIdentifier($0)) && waiting($0) != nil }
        if chosen.isEmpty { chosen = tasks.filter { waiting($0) != nil } }
        if chosen.isEmpty { return "main waits forever" }
        return chosen.map { "\($0.name) waits for \($0.waitsFor!)" }.joined(separator: ", ")
    }

    // MARK: - Emitting

    func emitRecord(_ r: Record) { sink.record(r) }

    /// Reports one of `task`'s events, at `t` (by default, now).
    func emit(_ task: TaskRecord, _ kind: TaskEvent.Kind, at t: Instant? = nil) {
        if !sinkUsesPhases && kind.isPhase { return }
        sink.taskEvent(kind, of: task.id, named: task.name, at: t ?? loop.now)
    }

    /// The end of a spawned task's coroutine (`returned` or `raised`), for `status`: the
    /// task is finished from now on, and its `done`/`failed`/`cancelled` event comes one
    /// iteration later. A body cannot request its own cancellation, so a body that
    /// returned is done (Task.step's "cancelled right before it returned" cannot happen).
    /// Called only when the sink uses phase events.
    func emitEnd(_ task: TaskRecord, _ s: Suspension) {
        switch s {
        case .returned(let v): emit(task, .returned(v))
        case .raised(let e): emit(task, .raised(e))
        default: break
        }
    }

    /// After main passed a cancellation on (Ctrl-C, or a timeout that cancelled what main
    /// awaited) and its command raised: the tasks it reached that are still not done are
    /// `cancelling` with no request of their own in the records (an await cycle kept the
    /// CancelledError from them), so each is reported, for `status`. Walks what main
    /// awaited and the chains of awaits below, each task once.
    func reportCancelsPassedOn() {
        guard sinkUsesPhases else { return }
        var stack = mainWaitsFor
        if let run = runRecord, let t = run.waitsForTask { stack.append(t) }
        var seen = Set<ObjectIdentifier>()
        while let r = stack.popLast() {
            guard !r.isDone, r.cancelRequests > 0, seen.insert(ObjectIdentifier(r)).inserted else { continue }
            emit(r, .cancelPassedOn)
            if let next = r.waitsForTask { stack.append(next) }
        }
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
        var ids = mainWaitsFor.map(\.id)
        // A `run` body awaits inline: main awaits the task its body awaits now, if any.
        if case .run = kind, let awaited = runRecord?.waitsForTask { ids = [awaited.id] }
        // In creation order (every task of the loop, or names typed in that order) they
        // are already unique; otherwise keep the first of each.
        if zip(ids, ids.dropFirst()).contains(where: { $0 >= $1 }) {
            var seen = Set<TaskID>()
            ids = ids.filter { seen.insert($0).inserted }
        }
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

    func task(named name: String) -> TaskRecord? { byName[name].map { tasks[$0] } }

    /// `asyncio.run` at exit (and `reset`): cancel what is still pending.
    func cancelAllTasks() {
        // No live task: nothing to walk (at a million tasks, a cache miss each).
        guard liveTasks > 0 else { return }
        for r in tasks where !r.isDone { _ = cancel(r, message: nil, line: nil) }
    }

    func reportNeverRetrieved() {
        // Only a failed task can hold an exception nobody retrieved.
        guard failedTasks > 0 else { return }
        for r in tasks where r.futureState == .finished && r.exceptionNeverRetrieved {
            r.exceptionNeverRetrieved = false
            emit(r, .exceptionNeverRetrieved(r.exception!))
        }
    }

    /// `task.cancel(msg)`; an await cycle, where CPython recurses until RecursionError, is
    /// cancelled by throwing CancelledError straight into the task (oracle decision 7).
    func cancel(_ r: TaskRecord, message: String?, line: Int?) -> Bool {
        let accepted: Bool
        do {
            accepted = try r.requestCancel(message: message)
        } catch {
            r.throwIn(.cancelled(message))
            accepted = true
        }
        if accepted { emit(r, .cancelRequested(line: line, message: message)) }
        return accepted
    }

    func taskFinished(_ r: TaskRecord) {
        r.finished = loop.now
        r.phase = .running      // lets go of the task it waited for (tasks in a cycle would keep each other)
        liveTasks -= 1
        if r.isCancelled {
            emit(r, .cancelled)
        } else if let e = r.exception {
            failedTasks += 1
            emit(r, .failed(e))
        } else {
            emit(r, .done(r.value))
        }
    }

    // MARK: - Commands

    enum Execution {
        case finished
        case refused(Diagnostic)
        case raised(PyException)
        case suspends(Coroutine, finish: (PyValue) -> CommandValue)
        case reset
        case exit
    }

    private func lookup(_ ref: NameRef, line: Int) -> Result<TaskRecord, Diagnostic> {
        if let r = task(named: ref.name) { return .success(r) }
        var message = "unknown task '\(ref.name)'"
        if let guess = Suggest.closest(to: ref.name, among: tasks.map(\.name)) { message += "; did you mean '\(guess)'?" }
        return .failure(Diagnostic(line: line, column: ref.column, message: message))
    }

    private func lookupAll(_ refs: [NameRef], line: Int) -> Result<[TaskRecord], Diagnostic> {
        if refs.isEmpty { return .success(tasks) }
        var out: [TaskRecord] = []
        for ref in refs {
            switch lookup(ref, line: line) {
            case .success(let r): out.append(r)
            case .failure(let d): return .failure(d)
            }
        }
        return .success(out)
    }

    func execute(_ command: Command, line: Int) -> Execution {
        mainWaitsFor = []
        switch command {
        case .spawn(let ref, let body):
            return spawn(ref, body, line: line)

        case .run(let ref, let body):
            // A body main runs inline is no task: numbered -1, -2, … in the loop, so that
            // the records tell two of them apart (a `late` wake-up is reported for them).
            runBodies += 1
            let record = TaskRecord(name: ref?.name ?? "run", sequence: -runBodies, line: line, body: body, session: self)
            runRecord = record
            return .suspends(RunCoroutine(record) { [unowned self] in self.runRecord = nil }, finish: { .value($0) })

        case .cancel(let ref, let message):
            switch lookup(ref, line: line) {
            case .failure(let d): return .refused(d)
            case .success(let r):
                emitResult(command, line: line, .bool(cancel(r, message: message, line: line)))
                return .finished
            }

        case .await(let ref, let timeout):
            switch lookup(ref, line: line) {
            case .failure(let d): return .refused(d)
            case .success(let r):
                mainWaitsFor = [r]
                let c: Coroutine = timeout.map { WaitForCoroutine(loop: loop, future: r, timeout: $0) } ?? AwaitCoroutine(r)
                return .suspends(c, finish: { .value($0) })
            }

        case .gather(let refs, let returnExceptions, let timeout):
            switch lookupAll(refs, line: line) {
            case .failure(let d): return .refused(d)
            case .success(let rs):
                mainWaitsFor = rs
                let g = GatheringFuture(loop: loop, children: TaskRecord.asFutures(rs), returnExceptions: returnExceptions,
                                        childrenAreUnique: refs.isEmpty)
                let c: Coroutine = timeout.map { WaitForCoroutine(loop: loop, future: g, timeout: $0) } ?? AwaitCoroutine(g)
                return .suspends(c, finish: { .value($0) })
            }

        case .wait(let refs, let mode, let timeout):
            switch lookupAll(refs, line: line) {
            case .failure(let d): return .refused(d)
            case .success(let rs):
                mainWaitsFor = rs
                let c = WaitCoroutine(loop: loop, futures: TaskRecord.asFutures(rs), mode: mode, timeout: timeout)
                return .suspends(c, finish: { _ in
                    var seen = Set<ObjectIdentifier>()
                    let unique = rs.filter { seen.insert(ObjectIdentifier($0)).inserted }.sorted { $0.sequence < $1.sequence }
                    return .waitSets(done: unique.filter { $0.isDone }.map(\.name),
                                     pending: unique.filter { !$0.isDone }.map(\.name))
                })
            }

        case .sleep(let d):
            return .suspends(SleepCoroutine(loop: loop, delay: d), finish: { _ in .nothing })

        case .block(let d):
            emitMain(.holding(d, command: .block))
            loop.hold(d)
            return .finished

        case .status(let refs):
            switch lookupAll(refs, line: line) {
            case .failure(let d): return .refused(d)
            case .success(let rs):
                // The rows are drawn from the records (StatusFold): the result names the tasks.
                emitResult(command, line: line, .status(refs.isEmpty ? nil : rs.map(\.id)))
                return .finished
            }

        case .result(let ref):
            switch lookup(ref, line: line) {
            case .failure(let d): return .refused(d)
            case .success(let r):
                switch r.result() {
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
            loop.setWorkers(n)
            return .finished

        case .timeline(let options):
            emitResult(command, line: line, .view(.timeline(options)))
            return .finished

        case .help(let topic):
            emitResult(command, line: line, .view(.help(topic: topic)))
            return .finished

        case .trace(let on):
            traceOn = on
            loop.instrument = on ? tracer : nil
            emitResult(command, line: line, .view(.trace(on: on)))
            return .finished

        case .tree:
            emitResult(command, line: line, .view(.tree))
            return .finished

        case .why(let ref):
            switch lookup(ref, line: line) {
            case .failure(let d): return .refused(d)
            case .success(let r):
                emitResult(command, line: line, .view(.why(task: r.name)))
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

    private func spawn(_ ref: NameRef?, _ body: Body, line: Int) -> Execution {
        let name: String
        if let ref {
            name = ref.name
        } else {
            repeat {
                unnamedCounter += 1
            } while byName["Task-\(unnamedCounter)"] != nil
            name = "Task-\(unnamedCounter)"
        }
        if byName[name] != nil {
            return .refused(Diagnostic(line: line, column: ref?.column ?? 1, message: "task '\(name)' already exists"))
        }
        if liveTasks >= options.limits.maxLiveTasks {
            return .refused(Diagnostic(line: line, column: ref?.column ?? 1,
                message: "too many tasks alive (the limit is \(options.limits.maxLiveTasks)); gather or cancel some first"))
        }
        let record = TaskRecord(name: name, sequence: tasks.count, line: line, body: body, session: self)
        byName[name] = tasks.count
        tasks.append(record)
        record.start()
        record.addDoneCallback(endReporter, counted: false)     // it lives as long as the session
        liveTasks += 1
        emit(record, .created(name: name, line: Int32(clamping: line)))
        return .finished
    }

    // MARK: - Trace

    private lazy var tracer = Tracer(session: self)
    /// A `let`, set up once `self` exists: a lazy var's getter cost a retain and a
    /// release per spawn.
    private let endReporter = TaskEndReporter()

    fileprivate func emitTrace(_ e: TraceEvent) { sink.record(.trace(e)) }
}

/// The session's own done-callback on every task (the first one registered): reports
/// done / failed / cancelled when the loop runs it, one batch after the task finished.
/// One per session, shared by every task.
final class TaskEndReporter: DoneCallback {
    /// Lent: see TaskRecord's `owner`. Set by the session as its init ends.
    fileprivate var session: Unmanaged<Session>!
    override func futureDone(_ future: Future) {
        session._withUnsafeGuaranteedRef { $0.taskFinished(unsafeDowncast(future, to: TaskRecord.self)) }
    }
}

/// `run BODY`: awaits the body inline in main, then forgets it (for deadlock messages).
/// It keeps what the body awaits, as a task's `waitingOn` does for a spawned body.
private final class RunCoroutine: Coroutine {
    let body: TaskRecord
    let done: () -> Void
    private var awaited: Future?
    init(_ body: TaskRecord, done: @escaping () -> Void) {
        self.body = body
        self.done = done
    }
    func resume(_ thrown: PyException?) -> Suspension {
        let s = body.resume(thrown, awaited: awaited.take())
        if case .awaiting(let f) = s { awaited = f }
        switch s {
        case .returned, .raised: done()
        default: break
        }
        return s
    }
}

/// `trace on`: names each callback the loop runs.
private final class Tracer: LoopInstrument {
    unowned let session: Session
    init(session: Session) { self.session = session }

    func willRun(_ callback: Callback, at t: Instant, lateBy: TimeAmount?) {
        let traced: TracedCallback
        switch callback {
        case .step(let target, let exc):
            let task = target.task
            if task.name == "main" { return }     // main's own steps are the prompt
            if let exc {
                traced = .step(task: task.name, .thrown(exc))
            } else {
                traced = .step(task: task.name, task.hasStarted ? .resumed : .first)
            }
        case .done(let call):
            let target = call.target, future = call.doneFuture
            let owner = (future as? Task)?.name
            let role: TracedCallback.DoneCallbackRole
            switch target {
            case let t as Task: role = .wake(task: t.name)
            case is GatheringFuture: role = .gatherChild
            case is WaitCoroutine: role = .waitSees
            case is ReleaseWaiter: role = .waitForSees
            case let job as ThreadJob: role = .executorFuture(owner: job.owner)
            case is TaskEndReporter: role = .taskEndReport
            default: role = .other
            }
            traced = .doneCallback(future: owner, role)
        case .wake(let target, _):
            traced = .wake(task: target.task.name)
        case .resolve, .sleepDue:
            // Name the sleeper when a single task's sleep is due then (a cheap look, only
            // while tracing, and only in small sessions).
            let due = Instant(microseconds: t.microseconds - (lateBy?.microseconds ?? 0))
            var sleepers: [String] = []
            if session.tasks.count <= 1000 {
                for r in session.tasks where !r.isDone {
                    if case .sleeping(let until) = r.phase, until == due { sleepers.append(r.name) }
                }
            }
            traced = .timerFired(for: sleepers.count == 1 ? sleepers[0] : nil)
        case .jobEnded(let job):
            traced = .jobEnded(owner: job.owner)
        case .external:
            return
        }
        session.emitTrace(TraceEvent(time: t, callback: traced, lateBy: lateBy.flatMap { $0.microseconds > 0 ? $0 : nil }))
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
    }
    private let current: Mutex<Current>
    /// The session, set once as it is made (before any other thread has the handle) and
    /// reached only from work that runs on the loop's thread.
    fileprivate nonisolated(unsafe) weak var session: Session?

    fileprivate init(_ loop: EventLoop) {
        current = Mutex(Current(inbox: loop.inbox, time: loop.clock.timeSource))
    }

    fileprivate func follow(_ loop: EventLoop) {
        current.withLock { $0 = Current(inbox: loop.inbox, time: loop.clock.timeSource) }
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
        let session = self.session
        current.withLock { $0.inbox.post { if let session { work(session) } } }
    }
}
