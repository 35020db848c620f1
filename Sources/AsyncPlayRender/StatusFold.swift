import AsyncPlayCore
import AsyncPlayCollections
import AsyncPlayLanguage
import AsyncPlayEvents
/// `status` as a fold of the records: every task's current state, kept as one small value
/// per task and updated by each of its events as it is recorded. A row is drawn from these
/// values alone, never from the live tasks and never by reading the events again (the
/// event log drops the oldest past its limit; this keeps every task of the loop), so a
/// `status` says what the records up to that command say.
///
/// It reads the phase events (sleeping, waiting, a thread job's phases, a coroutine's
/// end): a session must send them (`usesPhaseEvents`).
public final class StatusFold: RecordSink {
    /// Every task's values, changed by one mutating call per event. A reader takes the
    /// table once (a value, its arrays shared) and reads that.
    var table: Table { storage.value }
    /// Where `table` lives: a cell the fold owns, changed in place with no exclusivity
    /// bookkeeping per event, as a class's stored property would have (a session's
    /// records, and the views drawn from them, come on the loop's thread one at a time).
    private let storage: Cell<Table>
    /// False: only the tasks' names and lines are kept (the event log's table of names,
    /// in a run with no `status`), and no row may be drawn.
    public let foldsStates: Bool

    /// `expectedTasks`: how many tasks the script spawns, if known (sized at once).
    public init(expectedTasks: Int = 0, foldsStates: Bool = true) {
        self.foldsStates = foldsStates
        storage = Cell(Table(keepsStates: foldsStates))
        storage.value.reserve(min(expectedTasks, Limits.standard.maxLiveTasks))
    }

    /// How many tasks this loop has created.
    public var count: Int { storage.value.count }

    public func taskEvent(_ kind: TaskEvent.Kind, of task: TaskID, named name: String, at time: Instant) {
        apply(kind, of: task, at: time)
    }

    public func record(_ r: Record) {
        switch r {
        case .event(let e, _):
            apply(e.kind, of: e.task, at: e.time)
        case .main(let m):
            // A new loop: its tasks are numbered from 0 again.
            if case .reset = m.kind { storage.value = Table(keepsStates: foldsStates) }
        default:
            break
        }
    }

    func apply(_ kind: TaskEvent.Kind, of id: TaskID, at time: Instant) {
        if !foldsStates { guard case .created = kind else { return } }
        storage.value.apply(kind, of: id, at: time)
    }

    /// Task `i`'s row (see `Table.row`).
    public func row(_ i: Int) -> StatusRow { storage.value.row(i) }

    /// The rows `status` shows: of `tasks` in that order, or of every task (nil).
    public func rows(_ ids: [TaskID]?) -> [StatusRow] {
        let t = table
        guard let ids else { return (0..<t.count).map(t.row) }
        return ids.compactMap { $0.index >= 0 && $0.index < t.count ? t.row($0.index) : nil }
    }

    /// The name and spawning line of task `i` of this loop.
    func info(_ i: Int) -> TaskInfo { storage.value.info(i) }

    /// One task, as far as its events have told.
    struct Task {
        var phase = Phase.pending
        /// A cancellation reached the task (its own request, or one passed on to it).
        var cancelling = false
        let created: Int64
        var started = Task.unset
        var finished = Task.unset
        /// `sleeping`: the timer's deadline (µs); `waiting`: the awaited task's index.
        var detail: Int64 = 0
        /// Set when the coroutine ends (`returned`/`raised`), before the `done`/`failed`/
        /// `cancelled` event that reports it: the task is finished from that instant.
        var end = End.running

        static let unset = Int64.min

        init(created: Instant) { self.created = created.microseconds }
    }

    /// What the task does while its coroutine has not ended.
    enum Phase: UInt8 {
        case pending, running, sleeping, waiting
        /// A thread job handed to the pool, not yet taken by a worker.
        case queued
        /// A worker has the job (or has finished it; the task has not resumed yet).
        case inThread
    }

    enum End {
        case running
        case done(PyValue)
        case failed(PyException)
        case cancelled
    }

    /// The tasks of this loop, by index: names and lines (what `created` said) apart from
    /// the values their other events change.
    struct Table {
        private(set) var names: [String] = []
        private(set) var lines: [Int32] = []
        /// Empty when only names and lines are kept.
        private(set) var tasks: [Task] = []
        let keepsStates: Bool

        init(keepsStates: Bool) { self.keepsStates = keepsStates }

        var count: Int { names.count }

        mutating func reserve(_ n: Int) {
            names.reserveCapacity(n)
            lines.reserveCapacity(n)
            if keepsStates { tasks.reserveCapacity(n) }
        }

        func info(_ i: Int) -> TaskInfo { TaskInfo(name: names[i], line: lines[i]) }

        mutating func apply(_ kind: TaskEvent.Kind, of id: TaskID, at time: Instant) {
            let i = id.index
            if case .created(let name, let line) = kind {
                if i == names.count {
                    names.append(name)
                    lines.append(line)
                    if keepsStates { tasks.append(Task(created: time)) }
                }
                return
            }
            // A `run` body (negative ID) is no task: it has no row.
            guard i >= 0 && i < tasks.count else { return }
            switch kind {
            case .started:
                tasks[i].started = time.microseconds
                tasks[i].phase = .running
            case .sleeping(let until, _):
                tasks[i].phase = .sleeping
                tasks[i].detail = until.microseconds
            case .waiting(let target):
                tasks[i].phase = .waiting
                tasks[i].detail = Int64(target.index)
            case .inThread:
                tasks[i].phase = .queued
            case .threadStarted, .threadEnded:
                // The task awaits this job until it resumes (or ends): a worker has it now.
                if tasks[i].phase == .queued { tasks[i].phase = .inThread }
            case .holding:
                tasks[i].phase = .running
            case .cancelRequested:
                passCancel(from: i)
            case .cancelPassedOn:
                tasks[i].cancelling = true
            case .returned(let v):
                tasks[i].end = .done(v)
            case .raised(let e):
                tasks[i].end = e.isCancellation ? .cancelled : .failed(e)
            // The end as `returned`/`raised` told it (the same outcome), now with its time.
            case .done(let v):
                if case .running = tasks[i].end { tasks[i].end = .done(v) }
                tasks[i].finished = time.microseconds
            case .failed(let e):
                if case .running = tasks[i].end { tasks[i].end = .failed(e) }
                tasks[i].finished = time.microseconds
            case .cancelled:
                if case .running = tasks[i].end { tasks[i].end = .cancelled }
                tasks[i].finished = time.microseconds
            case .created, .late, .exceptionNeverRetrieved:
                break
            }
        }

        /// `Task.cancel()` of task `i`: it is `cancelling`, and so is every task down its
        /// chain of awaits (a task passes the cancellation on to the task it awaits), as the
        /// loop walks it: the walk stops at a task that is done, or that awaits no task
        /// (sleeping, in a thread, running, pending). It also stops at a task already
        /// `cancelling` below the first: its chain was marked when it was (a task's await
        /// changes only when it steps, and the cancellation ends it then), so an await cycle
        /// ends the walk too, and cancelling every task of a long chain is not quadratic.
        private mutating func passCancel(from i: Int) {
            var k = i
            var first = true
            while k >= 0 && k < tasks.count {
                if case .running = tasks[k].end {} else { break }
                if !first && tasks[k].cancelling { break }
                tasks[k].cancelling = true
                first = false
                guard tasks[k].phase == .waiting else { break }
                k = Int(tasks[k].detail)
            }
        }

        func state(_ i: Int) -> TaskState {
            switch tasks[i].end {
            case .done: return .done
            case .failed: return .failed
            case .cancelled: return .cancelled
            case .running: break
            }
            if tasks[i].cancelling { return .cancelling }
            switch tasks[i].phase {
            case .pending: return .pending
            case .running: return .running
            case .sleeping: return .sleeping
            case .waiting: return .waiting
            case .queued, .inThread: return .inThread
            }
        }

        /// Task `i`'s row: what it waits for is shown only in the state that waits for it.
        func row(_ i: Int) -> StatusRow {
            let t = tasks[i]
            let st = state(i)
            var result: PyValue? = nil
            var error: PyException? = nil
            switch t.end {
            case .done(let v): result = v
            case .failed(let e): error = e
            default: break
            }
            func time(_ us: Int64) -> Instant? { us == Task.unset ? nil : Instant(microseconds: us) }
            return StatusRow(name: names[i], state: st, result: result, error: error,
                             created: Instant(microseconds: t.created), started: time(t.started), finished: time(t.finished),
                             until: st == .sleeping ? Instant(microseconds: t.detail) : nil,
                             waitsFor: st == .waiting ? names[Int(t.detail)] : nil,
                             queued: st == .inThread ? t.phase == .queued : nil)
        }
    }
}
