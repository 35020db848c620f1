/// `help [TOPIC]`: each command and the asyncio concept behind it.
public enum Help {
    struct Entry {
        let usage: String
        let en: String
        let pt: String
        let python: String
    }

    static let entries: [(String, Entry)] = [
        ("spawn", Entry(usage: "spawn [NAME] BODY",
                        en: "Creates a Task that runs BODY concurrently. It starts when main next yields to the loop.",
                        pt: "Cria uma Task que executa BODY de forma concorrente. Ela começa quando main devolver o controle ao loop.",
                        python: "task = asyncio.create_task(coro(), name='A')")),
        ("run", Entry(usage: "run [NAME] BODY",
                      en: "Awaits a coroutine inline in main: no Task is created, main waits until it returns.",
                      pt: "Aguarda uma corotina dentro de main: nenhuma Task é criada, main espera até ela retornar.",
                      python: "value = await coro()")),
        ("cancel", Entry(usage: "cancel NAME [\"msg\"]",
                         en: "Requests cancellation: True unless the task already finished. It shows `cancelling` until CancelledError reaches its await point.",
                         pt: "Pede o cancelamento: True, a menos que a task já tenha terminado. Fica `cancelling` até o CancelledError chegar ao seu ponto de await.",
                         python: "task.cancel('msg')")),
        ("await", Entry(usage: "await NAME [timeout DUR]",
                        en: "Main waits for the task: its result, or its exception raised into main. With timeout the task is cancelled and TimeoutError raised.",
                        pt: "Main espera a task: o resultado, ou a exceção lançada em main. Com timeout a task é cancelada e TimeoutError é lançado.",
                        python: "await task  /  await asyncio.wait_for(task, 2)")),
        ("gather", Entry(usage: "gather [NAME...] [return_exceptions] [timeout DUR]",
                         en: "Waits for all tasks; results come back in argument order. Without return_exceptions the first exception is raised at once and the others keep running.",
                         pt: "Espera todas as tasks; os resultados voltam na ordem dos argumentos. Sem return_exceptions a primeira exceção é lançada na hora e as outras continuam.",
                         python: "results = await asyncio.gather(a, b, return_exceptions=True)")),
        ("wait", Entry(usage: "wait [NAME...] [first_completed|first_exception|all_completed] [timeout DUR]",
                       en: "Waits until the condition holds and prints the done and pending sets. It never cancels anything, not even on timeout.",
                       pt: "Espera até a condição valer e mostra os conjuntos done e pending. Nunca cancela nada, nem no timeout.",
                       python: "done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)")),
        ("sleep", Entry(usage: "sleep DUR",
                        en: "Main awaits a timer: the loop runs everything else meanwhile.",
                        pt: "Main aguarda um timer: enquanto isso o loop executa todo o resto.",
                        python: "await asyncio.sleep(1)")),
        ("block", Entry(usage: "block DUR",
                        en: "Main blocks the thread: the loop is frozen, timers fire late.",
                        pt: "Main bloqueia a thread: o loop congela e os timers disparam atrasados.",
                        python: "time.sleep(1)")),
        ("status", Entry(usage: "status [NAME...]   (alias ps)",
                         en: "A table of tasks: state, what each waits for, result or error, times.",
                         pt: "Uma tabela das tasks: estado, o que cada uma espera, resultado ou erro, tempos.",
                         python: "task.done(), task.cancelled(), asyncio.all_tasks()")),
        ("result", Entry(usage: "result NAME",
                         en: "The task's result; raises its exception, CancelledError, or InvalidStateError if it has not finished.",
                         pt: "O resultado da task; lança a exceção dela, CancelledError, ou InvalidStateError se ainda não terminou.",
                         python: "task.result()")),
        ("timeline", Entry(usage: "timeline",
                           en: "A picture of every task's life on a time axis, and who held the loop when.",
                           pt: "Uma figura da vida de cada task num eixo de tempo, e quem segurou o loop quando.",
                           python: "(no Python equivalent: asyncio's debug mode logs slow callbacks)")),
        ("trace", Entry(usage: "trace on|off",
                        en: "Shows each callback the loop runs: timers firing, task steps, futures done.",
                        pt: "Mostra cada callback que o loop executa: timers disparando, passos de tasks, futures concluídos.",
                        python: "loop.set_debug(True)")),
        ("time", Entry(usage: "time",
                       en: "The loop's clock, in seconds since the session began.",
                       pt: "O relógio do loop, em segundos desde o início da sessão.",
                       python: "asyncio.get_running_loop().time()")),
        ("reset", Entry(usage: "reset",
                        en: "A fresh loop at t = 0; pending tasks are cancelled and reported.",
                        pt: "Um loop novo em t = 0; as tasks pendentes são canceladas e reportadas.",
                        python: "asyncio.run(main())  # again")),
        ("set", Entry(usage: "set workers N",
                      en: "Size of the thread pool that `thread` steps run on (default 4).",
                      pt: "Tamanho do pool de threads onde rodam os passos `thread` (padrão 4).",
                      python: "loop.set_default_executor(ThreadPoolExecutor(N))")),
        ("exit", Entry(usage: "exit | quit",
                       en: "Leave; pending tasks are cancelled as asyncio.run does.",
                       pt: "Sair; as tasks pendentes são canceladas como faz asyncio.run.",
                       python: "(end of asyncio.run)")),
    ]

    static let bodyHelp = (
        en: """
        BODY := STEP (, STEP)* [-> VALUE]
          1s | sleep 1s      await asyncio.sleep(1)
          cpu 200ms          blocking work ON the loop thread: nothing else runs
          thread 2s          await loop.run_in_executor(None, work)
          await A            await another task
          fail ValueError "msg"   raise ValueError("msg") (must be last)
          -> 42              the return value (default: the task's name)
        DUR: 250ms, 1.5s, 2m (at most 24 h)
        """,
        pt: """
        BODY := PASSO (, PASSO)* [-> VALOR]
          1s | sleep 1s      await asyncio.sleep(1)
          cpu 200ms          trabalho bloqueante NA thread do loop: nada mais roda
          thread 2s          await loop.run_in_executor(None, trabalho)
          await A            aguarda outra task
          fail ValueError "msg"   raise ValueError("msg") (deve ser o último)
          -> 42              o valor de retorno (padrão: o nome da task)
        DUR: 250ms, 1.5s, 2m (no máximo 24 h)
        """
    )

    public static func text(topic: String?, language: Language, style: TextStyle) -> String {
        let pt = language == .portuguese
        if let topic {
            let key = topic == "ps" ? "status" : topic == "quit" ? "exit" : topic
            if let entry = entries.first(where: { $0.0 == key })?.1 {
                return style.bold(entry.usage) + "\n  " + (pt ? entry.pt : entry.en) + "\n  Python: " + style.cyan(entry.python) + "\n"
            }
            if ["body", "step", "steps", "dur", "duration"].contains(key) {
                return (pt ? bodyHelp.pt : bodyHelp.en) + "\n"
            }
            var s = (pt ? "sem ajuda para '\(topic)'" : "no help for '\(topic)'")
            if let guess = Suggest.closest(to: topic, among: entries.map(\.0)) {
                s += pt ? "; você quis dizer '\(guess)'?" : "; did you mean '\(guess)'?"
            }
            return s + "\n"
        }
        var s = style.bold(pt ? "Comandos (help COMANDO para detalhes, help body para os passos):" : "Commands (help COMMAND for details, help body for steps):") + "\n"
        let width = entries.map(\.1.usage.count).max() ?? 0
        for (_, e) in entries {
            let summary = (pt ? e.pt : e.en).split(separator: ".").first.map(String.init) ?? ""
            s += "  " + e.usage + String(repeating: " ", count: width - e.usage.count) + "  " + summary + "\n"
        }
        return s
    }
}
