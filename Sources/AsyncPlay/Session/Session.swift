/// A playground session: runs commands as asyncio's main coroutine on an event loop and
/// reports everything that happens as `Record`s. `reset` replaces the loop (t = 0).
///
/// Single-threaded: every method runs on the loop's thread. Another thread talks to a
/// running session only through `submit`/`interrupt`, which go through the loop's inbox.
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
    let options: Options
    private let sink: RecordSink
    private let sinkUsesPhases: Bool
    private var lines: LineFeed

    /// Every task of this loop, in creation order (kept by the name index).
    public var tasks: [TaskRecord] { byName.records }
    private var byName: TaskIndex
    private var unnamedCounter = 0
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
        /// Lines of a parsed script: each arrives when the loop is idle. `names`, if given,
        /// lends the name a line will spawn before the feed reaches it (see `prefetchName`).
        case script(() -> ScriptLine?, names: Script.SpawnNames? = nil)
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
        byName = TaskIndex(expecting: min(options.expectedTasks, options.limits.maxLiveTasks))
        loop = EventLoop(clock: options.clock(), workers: options.workers)
        endReporter.session = Unmanaged.passUnretained(self)
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
        byName = TaskIndex()
        unnamedCounter = 0
        liveTasks = 0
        failedTasks = 0
        if traceOn { loop.instrument = tracer }
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

    /// Hands a typed line to main (thread-safe). `nil` is the end of input (Ctrl-D).
    public func submit(_ line: ScriptLine?) {
        let loop = self.loop
        loop.callSoonThreadsafe { [unowned self] in self.deliver(line) }
    }

    /// Ctrl-C (thread-safe): cancels what main awaits, with asyncio's rules.
    public func interrupt() {
        let loop = self.loop
        loop.callSoonThreadsafe { [unowned self] in
            guard !self.mainIsIdle, let main = self.main, !main.isDone else { return }
            // `main_task.cancel()`; where it would recurse around an await cycle, main
            // itself gets the CancelledError, as `cancel` does for a task (oracle decision 7).
            do {
                _ = try main.requestCancel(message: nil)
            } catch {
                main.throwIn(.cancelled(nil))
            }
        }
    }

    /// Whether main is waiting for a line (the shell shows its prompt then).
    public var isWaitingForInput: Bool { awaitingInput }

    func deliver(_ line: consuming ScriptLine?) {
        guard awaitingInput else { return }
        awaitingInput = false
        // A new name lands anywhere in the name index, a cache miss once there are a
        // million tasks: start loading its slot now, a loop iteration before `spawn` needs
        // it (unless that began a line ago, see `prefetchName`).
        if let line, let spawn = line.spawn, !spawn.isRun {
            if let early = upcomingHash, early.line == line.number {
                prefetchedHash = early
            } else {
                line.lineText.withBytes { text in
                    if let name = spawn.nameBytes(in: text) { prefetchedHash = (line.number, byName.prefetch(name)) }
                }
            }
        }
        if hasDeliveredLine { deliveredLine.deinitialize(count: 1); hasDeliveredLine = false }
        if let line = consume line {
            deliveredLine.initialize(to: line)
            hasDeliveredLine = true
        }
        main.resolveOwnFuture()
    }

    /// Starts loading the name slot of line `n` (the line after the one being delivered)
    /// a whole line early: one loop iteration was too short to hide a miss to memory at a
    /// million tasks (`TaskIndex.slot` stalled on it for 5% of such a run).
    private func prefetchName(ofLine n: Int, in names: Script.SpawnNames) {
        guard let h = names.withName(ofLine: n, { byName.prefetch($0) }) else { return }
        upcomingHash = (n, h)
    }
    /// The hash `prefetchName` computed for a line still to come.
    private var upcomingHash: (line: Int, hash: UInt32)?

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
        case .script(let next, let names):
            let line = next()
            let number = line?.number
            deliver(line)
            if let number, let names { prefetchName(ofLine: number + 1, in: names) }
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

    func emit(_ task: TaskRecord, _ kind: TaskEvent.Kind) {
        if !sinkUsesPhases && kind.isPhase { return }
        sink.taskEvent(kind, of: task, at: loop.now)
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

    func task(named name: String) -> TaskRecord? { byName[name] }

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
        if let r = byName[ref.name] { return .success(r) }
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
            let record = TaskRecord(name: ref?.name ?? "run", sequence: -1, line: line, body: body, session: self)
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
            emitMain(.holding(d, command: "block"))
            loop.hold(d)
            return .finished

        case .status(let refs):
            switch lookupAll(refs, line: line) {
            case .failure(let d): return .refused(d)
            case .success(let rs):
                emitResult(command, line: line, .status(rs.map(\.statusRow)))
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

    /// `execute(.spawn(…))` for a line kept in its fast form (see `ScriptLine.spawn`).
    func spawn(_ fast: SpawnLine, in text: LineText, line: Int) -> Execution {
        mainWaitsFor = []
        let (ref, body) = text.withBytes { fast.parts(in: $0) }
        // The name's hash, computed when the line was delivered (to prefetch its slot).
        var hash: UInt32? = nil
        if let p = prefetchedHash.take(), p.line == line, ref != nil { hash = p.hash }
        return spawn(ref, body, line: line, nameHash: hash)
    }
    /// The line whose spawned name `deliver` hashed, and the hash.
    private var prefetchedHash: (line: Int, hash: UInt32)?

    private func spawn(_ ref: NameRef?, _ body: Body, line: Int, nameHash: UInt32? = nil) -> Execution {
        let name: String
        if let ref {
            name = ref.name
        } else {
            repeat {
                unnamedCounter += 1
            } while byName["Task-\(unnamedCounter)"] != nil
            name = "Task-\(unnamedCounter)"
        }
        // One hash for the check and the insert.
        let slot = byName.slot(for: name, hash: nameHash ?? TaskIndex.hash(name))
        if slot.found != nil {
            return .refused(Diagnostic(line: line, column: ref?.column ?? 1, message: "task '\(name)' already exists"))
        }
        if liveTasks >= options.limits.maxLiveTasks {
            return .refused(Diagnostic(line: line, column: ref?.column ?? 1,
                message: "too many tasks alive (the limit is \(options.limits.maxLiveTasks)); gather or cancel some first"))
        }
        let record = TaskRecord(name: name, sequence: tasks.count, line: line, body: body, session: self)
        byName.insert(record, at: slot)
        record.start()
        record.addDoneCallback(endReporter, counted: false)     // it lives as long as the session
        liveTasks += 1
        emit(record, .created)
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
        let what: String
        switch callback {
        case .step(let target, let exc):
            let task = target.task
            if task.name == "main" { return }     // main's own steps are the prompt
            if let exc {
                what = "step \(task.name) resumed with \(exc.repr) thrown in"
            } else {
                what = task.hasStarted ? "step \(task.name) resumed" : "step \(task.name) starts (its first step)"
            }
        case .done(let call):
            let target = call.target, future = call.doneFuture
            let owner = (future as? Task)?.name ?? "future"
            switch target {
            case let t as Task: what = "callback: \(owner) done, wake \(t.name)"
            case is GatheringFuture: what = "callback: gather child \(owner) done"
            case is WaitCoroutine: what = "callback: wait sees \(owner) done"
            case is ReleaseWaiter: what = "callback: wait_for sees \(owner) done"
            case let job as ThreadJob: what = "callback: executor future of \(job.owner) done"
            case is TaskEndReporter: what = "callback: \(owner) finished (reported below)"
            default: what = "callback: done callback of \(owner)"
            }
        case .wake(let target, _):
            what = "callback: future done, wake \(target.task.name)"
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
            what = sleepers.count == 1 ? "timer fired for \(sleepers[0])" : "timer fired"
        case .jobEnded(let job):
            what = "worker finished the thread job of \(job.owner)"
        case .external:
            return
        }
        session.emitTrace(TraceEvent(time: t, what: what, lateBy: lateBy.flatMap { $0.microseconds > 0 ? $0 : nil }))
    }
}
