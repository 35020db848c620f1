import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// `why NAME`: in plain words, how a task reached its state, told from its recorded
/// events — a dated story, then one sentence that sums it up, e.g. "B was cancelled at
/// 1.000s by `cancel B` (line 4) while sleeping until 2.000s."
public struct WhyRenderer {
    public struct Options: Sendable {
        public var language = Language.english
        public var style = TextStyle.plain
        public init() {}
    }

    let options: Options
    public init(options: Options = Options()) { self.options = options }

    private var pt: Bool { options.language == .portuguese }

    public func render(_ log: EventLog, now: Instant, task name: String) -> String {
        let h = History(log, now: now)
        let style = options.style
        guard let life = h.life(named: name) else {
            return pt ? "não há task chamada '\(name)' neste loop\n" : "there is no task named '\(name)' in this loop\n"
        }
        let state = life.final.map(finalState) ?? TimelineRenderer.currentState(life, h)
        var s = style.bold((pt ? "por que " : "why ") + name) + ": " + state.rawValue + "\n"
        for (t, text) in story(life, h) {
            s += "  " + style.dim(formatSeconds(t.microseconds)) + "  " + text + "\n"
        }
        s += (pt ? "Resumo: " : "So: ") + summary(life, h, state: state) + "\n"
        return s
    }

    private func finalState(_ e: TaskEvent) -> TaskState {
        switch e.kind {
        case .done: return .done
        case .failed: return .failed
        default: return .cancelled
        }
    }

    // MARK: - The story, event by event

    private func story(_ life: History.Life, _ h: History) -> [(Instant, String)] {
        var out: [(Instant, String)] = []
        /// Lines about other things (the awaited task ending, a worker taking the job),
        /// told in time order among the task's own events.
        var aside: [(Instant, String)] = []
        func flush(upTo t: Instant?) {
            aside.sort { $0.0 < $1.0 }
            while let first = aside.first, t == nil || first.0 <= t! {
                out.append(first)
                aside.removeFirst()
            }
        }
        let name = life.name
        // Tasks that awaited this one and were cancelled pass the cancellation on to it.
        for other in h.livesWithCancelRequest where other.id != life.id {
            if let req = other.cancelRequest, case .waiting(let target)? = other.phase(at: req.time)?.kind,
               target == life.id, life.final.map({ req.time <= $0.time }) ?? true, life.cancelRequest == nil {
                aside.append((req.time, pt ? "\(other.name), que aguarda esta task, é cancelada: Task.cancel() repassa o cancelamento para \(name)"
                                           : "\(other.name), which awaits it, is cancelled: Task.cancel() passes the cancellation on to \(name)"))
            }
        }
        for (i, e) in life.events.enumerated() {
            // A worker taking or finishing the job is told with the `thread` step, below.
            switch e.kind {
            case .threadStarted, .threadEnded: continue
            default: break
            }
            // Something else that happened at the same instant is told before the task's
            // own next step, but after a cancellation request (which causes it).
            if case .cancelRequested = e.kind {
                flush(upTo: Instant(microseconds: e.time.microseconds - 1))
            } else {
                flush(upTo: e.time)
            }
            let t = e.time
            switch e.kind {
            case .created:
                let line = life.line
                if let cmd = h.command(line: line, keyword: "spawn", naming: name) {
                    out.append((t, pt ? "criada por `\(cmd)` (linha \(line))" : "created by `\(cmd)` (line \(line))"))
                } else {
                    out.append((t, pt ? "criada na linha \(line)" : "created on line \(line)"))
                }
            case .started:
                out.append((t, pt ? "começa a rodar: o loop executa seu primeiro passo" : "starts: the loop runs its first step"))
            case .sleeping(let until, let d):
                if d.microseconds == 0 {
                    out.append((t, pt ? "devolve o controle ao loop (`sleep 0`)" : "yields to the loop (`sleep 0`)"))
                } else {
                    out.append((t, pt ? "dorme até \(sec(until)) (`sleep \(dur(d))`)" : "sleeps until \(sec(until)) (`sleep \(dur(d))`)"))
                }
            case .late(let by):
                let due = Instant(microseconds: t.microseconds - by.microseconds)
                let holder = h.hold(covering: due).map { holderText($0, h) }
                    ?? (pt ? "alguém" : "something")
                out.append((t, pt ? "acorda \(formatSeconds(by.microseconds))s atrasada: o timer venceu em \(sec(due)), mas \(holder) segurava o loop"
                                  : "wakes up \(formatSeconds(by.microseconds))s late: its timer was due at \(sec(due)), but \(holder) held the loop"))
            case .waiting(let awaited):
                let other = h.life(of: awaited)
                let target = h.name(of: awaited)
                if let f = other?.final, f.time < t {
                    out.append((t, pt ? "aguarda \(target) (`await \(target)`), que já tinha terminado"
                                      : "awaits \(target) (`await \(target)`), which had already finished"))
                } else {
                    out.append((t, pt ? "aguarda \(target) (`await \(target)`)" : "awaits \(target) (`await \(target)`)"))
                    if let f = other?.final {
                        let what: String
                        switch f.kind {
                        case .done: what = pt ? "\(target) termina (concluída): \(name) pode seguir" : "\(target) finishes (done): \(name) can go on"
                        case .failed: what = pt ? "\(target) falha: a exceção dela sobe em \(name) também" : "\(target) fails: its exception is raised in \(name) too"
                        default:
                            if let req = life.cancelRequest, req.time <= f.time {
                                what = pt ? "\(target), que ela aguarda, é cancelada também: Task.cancel() repassa o cancelamento"
                                          : "\(target), which it awaits, is cancelled too: Task.cancel() passes the cancellation on"
                            } else {
                                what = pt ? "\(target) é cancelada: \(name) é cancelada também" : "\(target) is cancelled: so is \(name)"
                            }
                        }
                        aside.append((f.time, what))
                    }
                }
            case .inThread(let step):
                let d = dur(step)
                // From the records of the job: a worker that took it at the instant it
                // was handed over was idle; an end is told only once it was recorded.
                let job = life.job(handedOverAt: i)
                if let began = job.started, began == t {
                    out.append((t, pt ? "entrega um trabalho de \(d) a um worker do pool (`thread \(d)`), que começa na hora"
                                      : "hands a \(d) job to a worker of the pool (`thread \(d)`), which starts it at once"))
                } else {
                    out.append((t, pt ? "entrega um trabalho de \(d) ao pool (`thread \(d)`): todos os workers estão ocupados, ele vai para a fila"
                                      : "hands a \(d) job to the pool (`thread \(d)`): every worker is busy, so it waits in the queue"))
                    if let began = job.started {
                        aside.append((began, pt ? "um worker fica livre e começa o trabalho" : "a worker is free and starts the job"))
                    }
                }
                if let ends = job.ended {
                    let abandoned = life.final.map { $0.time < ends } ?? false
                    aside.append((ends, abandoned
                        ? (pt ? "o worker termina o trabalho só agora: uma thread não pode ser cancelada, ela vai até o fim"
                              : "the worker finishes the job only now: a thread cannot be cancelled, it runs to the end")
                        : (pt ? "o worker termina o trabalho" : "the worker finishes the job")))
                }
            case .holding(let d):
                out.append((t, pt ? "segura o loop por \(dur(d)) (`cpu \(dur(d))`): nada mais roda até \(sec(t + d))"
                                  : "holds the loop for \(dur(d)) (`cpu \(dur(d))`): nothing else runs until \(sec(t + d))"))
            case .cancelRequested(let line, _):
                let doing = phaseText(life, life.phaseIndex(at: t), at: t, h, past: false)
                if let line {
                    let cmd = h.command(line: line, keyword: "cancel", naming: name) ?? "cancel \(name)"
                    out.append((t, pt ? "`\(cmd)` (linha \(line)) pede o cancelamento enquanto ela está \(doing)"
                                      : "`\(cmd)` (line \(line)) asks to cancel it while it is \(doing)"))
                } else {
                    out.append((t, pt ? "a sessão termina: o asyncio.run cancela toda task ainda pendente, esta também"
                                      : "the session ends: asyncio.run cancels every task still pending, this one too"))
                }
            case .done(let v):
                out.append((t, pt ? "retorna \(v.repr): concluída" : "returns \(v.repr): done"))
            case .failed(let x):
                out.append((t, (pt ? "falha com \(x.repr)" : "fails with \(x.repr)") + " (" + failureCause(life, x, h).short + ")"))
            case .cancelled:
                if life.started == nil {
                    out.append((t, pt ? "cancelada antes do primeiro passo: nunca rodou" : "cancelled before its first step: it never ran"))
                } else if life.cancelRequest == nil, let by = cancelCause(life, h, depth: 0).by {
                    out.append((t, pt ? "cancelada \(by): o CancelledError chegou ao seu ponto de await" : "cancelled \(by): CancelledError reached its await point"))
                } else {
                    out.append((t, pt ? "cancelada: o CancelledError chegou ao seu ponto de await" : "cancelled: CancelledError reached its await point"))
                }
            case .threadStarted, .threadEnded, .returned, .raised, .cancelPassedOn:
                break        // (the last three are for `status`: the log does not keep them)
            case .exceptionNeverRetrieved:
                out.append((t, pt ? "ninguém recuperou sua exceção (nem await, nem gather, nem result()): o asyncio avisa \"Task exception was never retrieved\""
                                  : "nobody retrieved its exception (no await, gather or result()): asyncio reports \"Task exception was never retrieved\""))
            }
        }
        flush(upTo: nil)
        return out
    }

    // MARK: - The summary

    private func summary(_ life: History.Life, _ h: History, state: TaskState) -> String {
        let name = life.name
        switch state {
        case .done:
            let f = life.final!
            guard case .done(let v) = f.kind else { return "" }
            var s = pt ? "\(name) está concluída: retornou \(v.repr) em \(sec(f.time))s."
                       : "\(name) is done: it returned \(v.repr) at \(sec(f.time))s."
            let late = life.events.reduce(Int64(0)) { acc, e in
                if case .late(let by) = e.kind { return acc + by.microseconds }
                return acc
            }
            if late > 0 {
                s += pt ? " Seus timers dispararam \(formatSeconds(late))s atrasados no total, porque o loop estava ocupado."
                        : " Its timers fired \(formatSeconds(late))s late in all, because the loop was held."
            }
            return s
        case .failed:
            let f = life.final!
            guard case .failed(let x) = f.kind else { return "" }
            return (pt ? "\(name) falhou em \(sec(f.time))s com \(x.repr), " : "\(name) failed at \(sec(f.time))s with \(x.repr), ")
                + failureCause(life, x, h).long + "."
        case .cancelled:
            let f = life.final!
            let at = life.cancelRequest?.time ?? f.time
            let phase = life.phaseIndex(at: at)
            let clause: String
            if life.started == nil || phase.map({ life.events[$0].isCreated }) == true {
                clause = pt ? "antes de começar" : "before it started"
            } else {
                clause = (pt ? "enquanto " : "while ") + phaseText(life, phase, at: at, h, past: true)
            }
            let cause = cancelCause(life, h, depth: 0)
            let head = pt ? "\(name) foi cancelada em \(sec(f.time))s" : "\(name) was cancelled at \(sec(f.time))s"
            return head + (cause.by.map { " " + $0 } ?? "") + " " + clause + (cause.because.map { ", " + $0 } ?? "")
                + (cause.note.map { ": " + $0 } ?? "") + "."
        case .pending:
            let line = life.line
            return pt ? "\(name) está pendente: criada em \(sec(life.created))s (linha \(line)), ainda não rodou. Uma task começa quando a main devolve o controle ao loop: no fim da linha, ou quando a main espera algo."
                      : "\(name) is pending: created at \(sec(life.created))s (line \(line)), it has not run yet. A task starts when main gives control back to the loop: at the end of the line, or when main awaits something."
        case .sleeping:
            guard case .sleeping(let until, _)? = life.currentPhase?.kind else { return "" }
            var s = pt ? "\(name) está dormindo até \(sec(until))s, no seu passo `sleep`; o loop a acorda nessa hora."
                       : "\(name) is sleeping until \(sec(until))s, in its `sleep` step; the loop wakes it then."
            if until < h.now {
                if let hold = h.hold(covering: until) {
                    let holder = holderText(hold, h)
                    s += pt ? " O timer já venceu, mas \(holder) segurou o loop: ela está atrasada." : " Its timer is already due, but \(holder) held the loop: it is late."
                } else {
                    s += pt ? " O timer já venceu: ela está atrasada porque o loop está ocupado." : " Its timer is already due: it is late because the loop is held."
                }
            }
            return s
        case .waiting:
            return (pt ? "\(name) está " : "\(name) is ") + chain(life, h) + "."
        case .inThread:
            guard let i = life.currentPhaseIndex, case .inThread(let step) = life.events[i].kind else { return "" }
            if let began = life.job(handedOverAt: i).started {
                // A job takes exactly its duration once a worker has it.
                let ends = began + step
                return pt ? "\(name) está numa thread: um worker roda o trabalho de \(dur(step)) até \(sec(ends))s; enquanto isso o loop fica livre."
                          : "\(name) is in a thread: a worker runs its \(dur(step)) job until \(sec(ends))s; the loop stays free meanwhile."
            }
            return pt ? "\(name) espera um worker livre: todos os workers do pool estão ocupados (`set workers N` muda o tamanho)."
                      : "\(name) waits for a free worker: every worker of the pool is busy (`set workers N` changes its size)."
        case .running:
            return pt ? "\(name) está rodando no loop." : "\(name) is running on the loop."
        case .cancelling:
            let at = h.cancelTime(of: life) ?? h.now
            let cause = cancelCause(life, h, depth: 0)
            let how = [cause.by, cause.because].compactMap { $0 }.first.map { " " + $0 } ?? ""
            return pt ? "\(name) está cancelando: o cancelamento foi pedido em \(sec(at))s\(how); o CancelledError chega no seu ponto de await na próxima vez que o loop a rodar."
                      : "\(name) is cancelling: cancellation was requested at \(sec(at))s\(how); CancelledError reaches its await point the next time the loop runs it."
        }
    }

    /// "waiting for B, which is sleeping until 3.000s" — following the awaits.
    private func chain(_ life: History.Life, _ h: History) -> String {
        var parts: [String] = []
        var seen: [TaskID] = [life.id]
        var cur = life
        while case .waiting(let target)? = cur.currentPhase?.kind, !cur.isFinished {
            if parts.count == 12 {
                return joinChain(parts) + (pt ? ", e assim por diante" : ", and so on")
            }
            parts.append(pt ? "esperando \(h.name(of: target))" : "waiting for \(h.name(of: target))")
            guard let next = h.life(of: target) else { break }
            if seen.contains(next.id) {
                return joinChain(parts) + (pt ? ": um ciclo, nenhuma delas pode terminar nunca" : ": a cycle, none of them can ever finish")
            }
            seen.append(next.id)
            if next.isFinished {
                parts.append(pt ? "já terminou (o loop acorda \(cur.name) em seguida)" : "has finished (the loop wakes \(cur.name) next)")
                return joinChain(parts)
            }
            cur = next
        }
        if cur.id != life.id {
            parts.append(phaseText(cur, cur.currentPhaseIndex, at: h.now, h, past: false))
        }
        return joinChain(parts)
    }

    private func joinChain(_ parts: [String]) -> String {
        parts.joined(separator: pt ? ", que está " : ", which is ")
    }

    // MARK: - Causes

    /// What a task was doing at `t`: "sleeping until 2.000s", "waiting for B", …
    /// `index`: the phase event of `life` to tell (see `History.Life.phaseIndex`).
    private func phaseText(_ life: History.Life, _ index: Int?, at t: Instant, _ h: History, past: Bool) -> String {
        switch index.map({ life.events[$0].kind }) {
        case .sleeping(let until, _)?:
            return pt ? (past ? "dormia até \(sec(until))s" : "dormindo até \(sec(until))s") : "sleeping until \(sec(until))s"
        case .waiting(let target)?:
            let name = h.name(of: target)
            return pt ? (past ? "esperava \(name)" : "esperando \(name)") : "waiting for \(name)"
        case .inThread?:
            if let began = life.job(handedOverAt: index!).started, began <= t {
                return pt ? (past ? "estava numa thread" : "numa thread") : "in a thread"
            }
            return pt ? (past ? "esperava na fila por um worker" : "na fila por um worker") : "queued for a worker"
        case .started?, .holding?:
            return pt ? (past ? "rodava" : "rodando") : "running"
        default:
            return pt ? (past ? "ainda não tinha começado" : "pendente, sem ter começado") : (past ? "not started yet" : "pending, not started yet")
        }
    }

    /// Who cancelled a task: `by` someone (a `cancel` line, a timeout, Ctrl-C, the end of
    /// the session) or `because` of another task; `note` says which asyncio rule did it.
    struct Cause {
        var by: String? = nil
        var because: String? = nil
        var note: String? = nil
    }

    private func cancelCause(_ life: History.Life, _ h: History, depth: Int) -> Cause {
        let name = life.name
        if let req = life.cancelRequest, case .cancelRequested(let line, _) = req.kind {
            if let line {
                let cmd = h.command(line: line, keyword: "cancel", naming: name) ?? "cancel \(name)"
                return Cause(by: pt ? "por `\(cmd)` (linha \(line))" : "by `\(cmd)` (line \(line))")
            }
            return Cause(by: pt ? "pelo fim da sessão" : "by the end of the session",
                         note: pt ? "o asyncio.run cancela toda task ainda pendente" : "asyncio.run cancels every task still pending")
        }
        let f = life.final ?? TaskEvent(time: h.now, task: life.id, kind: .cancelled)
        // It awaited a task that was cancelled.
        if life.final != nil, case .waiting(let target)? = life.phase(at: f.time)?.kind, let other = h.life(of: target),
           let of = other.final, case .cancelled = of.kind {
            return Cause(because: pt ? "porque a task que ela aguardava, \(other.name), foi cancelada" : "because the task it awaited, \(other.name), was cancelled",
                         note: pt ? "quem aguarda uma task cancelada é cancelado também" : "awaiting a cancelled task cancels the awaiter")
        }
        // A task awaiting it was cancelled: Task.cancel() passes it on to what it awaits.
        if depth < 3 {
            for other in h.livesWithCancelRequest where other.id != life.id {
                guard let req = other.cancelRequest, req.time <= f.time,
                      case .waiting(let target)? = other.phase(at: req.time)?.kind, target == life.id else { continue }
                let inner = cancelCause(other, h, depth: depth + 1)
                let how = inner.by ?? inner.because
                if life.final == nil {
                    return Cause(because: (pt ? "porque \(other.name), que a aguarda, foi cancelada" : "because \(other.name), which awaits it, was cancelled")
                                    + (how.map { " " + $0 } ?? ""))
                }
                return Cause(because: (pt ? "porque \(other.name), que a aguardava, foi cancelada" : "because \(other.name), which awaited it, was cancelled")
                                + (how.map { " " + $0 } ?? ""),
                             note: pt ? "Task.cancel() repassa o cancelamento ao que a task aguarda" : "Task.cancel() passes the cancellation on to what the task awaits")
            }
        }
        // Main's own command cancelled it: a timeout, or Ctrl-C.
        if life.final != nil, let position = life.finalPosition, let blocked = h.mainBlocked(before: position),
           let error = h.errors.last(where: { $0.line == blocked.line && $0.time >= f.time }) {
            let cmd = h.command(line: blocked.line, keyword: blocked.command) ?? blocked.command
            if error.exception.typeName == "TimeoutError" {
                let by = pt ? "pelo timeout de `\(cmd)` (linha \(blocked.line))" : "by the timeout of `\(cmd)` (line \(blocked.line))"
                if blocked.command == "gather" {
                    return Cause(by: by, note: pt ? "o wait_for cancela o gather, e um gather cancelado cancela suas tasks"
                                                  : "wait_for cancels the gather, and a cancelled gather cancels its tasks")
                }
                return Cause(by: by, note: pt ? "o wait_for cancela o que aguarda quando o tempo acaba" : "wait_for cancels what it awaits when the time is up")
            }
            if error.exception.isCancellation {
                return Cause(by: pt ? "por um Ctrl-C em `\(cmd)` (linha \(blocked.line))" : "by Ctrl-C in `\(cmd)` (line \(blocked.line))",
                             note: pt ? "interromper a main cancela o que ela aguarda" : "interrupting main cancels what it awaits")
            }
        }
        return Cause()
    }

    /// Why a task failed: its own `fail` step, or the exception of the task it awaited.
    private func failureCause(_ life: History.Life, _ x: PyException, _ h: History) -> (short: String, long: String) {
        if let f = life.final, case .waiting(let target)? = life.phase(at: f.time)?.kind,
           let other = h.life(of: target), let of = other.final, case .failed(let theirs) = of.kind, theirs === x {
            return pt ? ("a exceção de \(other.name), que ela aguardava",
                         "a exceção de \(other.name), que ela aguardava: aguardar uma task que falha lança essa mesma exceção")
                      : ("the exception of \(other.name), which it awaited",
                         "the exception of \(other.name), which it awaited: awaiting a task that fails raises that same exception")
        }
        if x.typeName == "NameError", x.message.hasPrefix("unknown task") {
            return pt ? ("seu passo `await` cita uma task que não existe", "porque seu passo `await` cita uma task que não existe (ainda)")
                      : ("its `await` step names a task that does not exist", "because its `await` step names a task that does not exist (yet)")
        }
        if x.typeName == "RuntimeError", x.message.hasPrefix("Task cannot await on itself") {
            return pt ? ("ela aguardou a si mesma", "porque ela aguardou a si mesma") : ("it awaited itself", "because it awaited itself")
        }
        return pt ? ("seu passo `fail`", "lançado pelo seu próprio passo `fail`") : ("its `fail` step", "raised by its own `fail` step")
    }

    /// Who held the loop: "main (`block 2s`, line 12)" or "C (a `cpu` step)".
    private func holderText(_ hold: History.Span, _ h: History) -> String {
        guard let label = hold.label else { return "?" }
        if label.hasPrefix("main (") {
            let keyword = String(label.dropFirst(6).dropLast())
            if let line = hold.line {
                let cmd = h.command(line: line, keyword: keyword) ?? keyword
                return pt ? "a main (`\(cmd)`, linha \(line))" : "main (`\(cmd)`, line \(line))"
            }
            return pt ? "a main (`\(keyword)`)" : "main (`\(keyword)`)"
        }
        return pt ? "\(label) (um passo `cpu`)" : "\(label) (a `cpu` step)"
    }

    private func sec(_ t: Instant) -> String { formatSeconds(t.microseconds) }

    /// A duration as the language writes it: `2s`, `500ms`, `1.5s`.
    private func dur(_ d: TimeAmount) -> String {
        let us = d.microseconds
        if us % 1_000_000 == 0 { return "\(us / 1_000_000)s" }
        if us < 1_000_000 && us % 1000 == 0 { return "\(us / 1000)ms" }
        return Axis.seconds(us) + "s"
    }
}
