import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// `help [TOPIC]`: for each command, the asyncio concept behind it, the Python it stands
/// for and a few lines to try; plus the concepts (body, states, loop). English and pt-BR.
public enum Help {
    struct Text {
        let en: String
        let pt: String
        func in_(_ l: Language) -> String { l == .portuguese ? pt : en }
    }

    struct Entry {
        let topic: String
        let usage: String
        let summary: Text
        /// The asyncio concept; "\n" separates paragraphs, "- " starts a bullet.
        let concept: Text
        let python: [String]
        let example: [String]
        let seeAlso: [String]

        /// A concept's entry: its topic and a usage of its own.
        init(topic: String, usage: String, summary: Text, concept: Text, python: [String], example: [String], seeAlso: [String]) {
            self.topic = topic
            self.usage = usage
            self.summary = summary
            self.concept = concept
            self.python = python
            self.example = example
            self.seeAlso = seeAlso
        }

        /// A command's entry: its topic and usage are the command table's.
        init(command: CommandWord, summary: Text, concept: Text, python: [String], example: [String], seeAlso: [String]) {
            let row = CommandTable.row(command)
            self.init(topic: row.spelling, usage: row.usage, summary: summary, concept: concept,
                      python: python, example: example, seeAlso: seeAlso)
        }
    }

    enum Group: CaseIterable {
        case tasks, waiting, looking, session, concepts
        var title: Text {
            switch self {
            case .tasks: return Text(en: "Tasks", pt: "Tasks")
            case .waiting: return Text(en: "Waiting", pt: "Esperando")
            case .looking: return Text(en: "Looking at the loop", pt: "Olhando o loop")
            case .session: return Text(en: "The session", pt: "A sessão")
            case .concepts: return Text(en: "Concepts", pt: "Conceitos")
            }
        }
    }

    /// Every topic, in the order the index lists them.
    public static var topics: [String] { entries.map(\.0.topic) }

    static let aliases: [String: String] = [
        "ps": "status", "quit": "exit", "step": "body", "steps": "body", "dur": "body", "duration": "body",
        "value": "body", "cpu": "body", "thread": "body", "fail": "body", "state": "states",
        "event-loop": "loop", "workers": "set", "python": "export",
    ]

    static var entries: [(Entry, Group)] {
        [
            (Entry(command: .spawn,
                   summary: Text(en: "create a Task that runs BODY concurrently", pt: "cria uma Task que executa BODY de forma concorrente"),
                   concept: Text(
                    en: "asyncio.create_task wraps a coroutine in a Task and schedules it, but does not run it yet: the loop starts it as soon as main gives control back (at the end of the line, or when main awaits something). Without a NAME the task is called Task-1, Task-2, … The coroutine returns its own name unless its body ends with -> VALUE.",
                    pt: "asyncio.create_task embrulha uma corotina numa Task e a agenda, mas ainda não a executa: o loop a inicia assim que a main devolve o controle (no fim da linha, ou quando a main espera alguma coisa). Sem NAME a task se chama Task-1, Task-2, … A corotina retorna o próprio nome, a menos que o corpo termine com -> VALOR."),
                   python: ["async def a():", "    await asyncio.sleep(1)", "    return 'A'", "", "task = asyncio.create_task(a(), name='A')"],
                   example: ["spawn A 1s; spawn B 2s, cpu 100ms -> 42; status", "status"],
                   seeAlso: ["body", "run", "states"]), .tasks),
            (Entry(command: .run,
                   summary: Text(en: "await a coroutine inline in main: no Task is created", pt: "aguarda uma corotina dentro da main: nenhuma Task é criada"),
                   concept: Text(
                    en: "`await coro()` runs the coroutine inside main: main goes on only when it returns. This is the sequential way: two runs of 1s take 2s, where two tasks of 1s take 1s. Its value is printed; no task events are reported, since there is no Task.",
                    pt: "`await coro()` executa a corotina dentro da main: a main só segue quando ela retorna. É o jeito sequencial: dois runs de 1s levam 2s, enquanto duas tasks de 1s levam 1s. O valor retornado é mostrado; não há eventos de task, porque não existe Task."),
                   python: ["value = await coro()"],
                   example: ["run first 1s -> \"Olá\"", "run second 2s -> \"Mundo\"", "time"],
                   seeAlso: ["spawn", "block"]), .tasks),
            (Entry(command: .cancel,
                   summary: Text(en: "ask a task to stop: True, or False if it had already finished", pt: "pede para uma task parar: True, ou False se ela já tinha terminado"),
                   concept: Text(
                    en: "task.cancel() only requests the cancellation. The task shows `cancelling` until the loop runs it again and throws CancelledError in at the await where it is suspended. A task cancelled before its first step never runs. A thread job that has started cannot be cancelled: the task is cancelled at once, but its worker stays busy until the job ends.",
                    pt: "task.cancel() só pede o cancelamento. A task fica `cancelling` até o loop rodá-la de novo e lançar o CancelledError no await onde ela está suspensa. Uma task cancelada antes do primeiro passo nunca roda. Um trabalho de thread que já começou não pode ser cancelado: a task é cancelada na hora, mas o worker continua ocupado até o fim do trabalho."),
                   python: ["task.cancel('msg')", "await asyncio.gather(task, return_exceptions=True)"],
                   example: ["spawn B 5s", "sleep 1s", "cancel B; status B", "why B"],
                   seeAlso: ["why", "states"]), .tasks),
            (Entry(command: .await,
                   summary: Text(en: "main waits for one task: its result, or its exception", pt: "a main espera uma task: o resultado, ou a exceção dela"),
                   concept: Text(
                    en: "Awaiting a task suspends main until the task is done; meanwhile the loop runs everything else. A task that failed raises its exception in main; a cancelled one raises CancelledError. With timeout it is asyncio.wait_for: when the time is up the task is cancelled and main gets TimeoutError.",
                    pt: "Aguardar uma task suspende a main até ela terminar; enquanto isso o loop roda todo o resto. Uma task que falhou lança a exceção dela na main; uma cancelada lança CancelledError. Com timeout é o asyncio.wait_for: quando o tempo acaba a task é cancelada e a main recebe TimeoutError."),
                   python: ["result = await task", "result = await asyncio.wait_for(task, timeout=1)"],
                   example: ["spawn A 3s", "await A timeout 1s", "why A"],
                   seeAlso: ["gather", "wait"]), .waiting),
            (Entry(command: .gather,
                   summary: Text(en: "wait for several tasks; results come back in argument order", pt: "espera várias tasks; os resultados voltam na ordem dos argumentos"),
                   concept: Text(
                    en: "asyncio.gather waits for all of them and returns a list in the order of its arguments, not the order in which they finished. Without return_exceptions the first exception is raised into main at once, and the other tasks keep running; with it, exceptions are values in the list. With no names it gathers every task of the session. With timeout it is wait_for(gather(…)): on timeout the gather is cancelled, and a cancelled gather cancels its tasks.",
                    pt: "asyncio.gather espera todas e devolve uma lista na ordem dos argumentos, não na ordem em que terminaram. Sem return_exceptions a primeira exceção é lançada na main na hora, e as outras tasks continuam rodando; com ele, as exceções viram valores na lista. Sem nomes, junta todas as tasks da sessão. Com timeout é wait_for(gather(…)): no timeout o gather é cancelado, e um gather cancelado cancela suas tasks."),
                   python: ["results = await asyncio.gather(a, b, c)", "results = await asyncio.gather(a, b, return_exceptions=True)"],
                   example: ["spawn A 1s; spawn B 5s; spawn C 3s", "gather A B C", "time"],
                   seeAlso: ["wait", "await", "timeline"]), .waiting),
            (Entry(command: .wait,
                   summary: Text(en: "wait until a condition holds; prints the done and pending sets", pt: "espera até uma condição valer; mostra os conjuntos done e pending"),
                   concept: Text(
                    en: "asyncio.wait returns two sets, done and pending, instead of results: read each result with `result NAME`. return_when chooses when it returns: all_completed (the default), first_completed or first_exception. It never cancels anything, not even on timeout: the pending tasks keep running.",
                    pt: "asyncio.wait devolve dois conjuntos, done e pending, em vez dos resultados: leia cada resultado com `result NAME`. return_when escolhe quando ele volta: all_completed (o padrão), first_completed ou first_exception. Ele nunca cancela nada, nem no timeout: as pendentes continuam rodando."),
                   python: ["done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)", "for task in done:", "    print(task.result())"],
                   example: ["spawn A 3s; spawn B 1s", "wait A B first_completed", "status"],
                   seeAlso: ["gather", "result"]), .waiting),
            (Entry(command: .sleep,
                   summary: Text(en: "main sleeps without blocking: the loop runs everything else", pt: "a main dorme sem bloquear: o loop roda todo o resto"),
                   concept: Text(
                    en: "asyncio.sleep suspends the coroutine and sets a timer; until it fires, the loop is free to run other tasks. This is why concurrent sleeps overlap: three tasks that sleep 1s each all finish after 1s, not 3s.",
                    pt: "asyncio.sleep suspende a corotina e arma um timer; até ele disparar, o loop fica livre para rodar outras tasks. Por isso sleeps concorrentes se sobrepõem: três tasks que dormem 1s cada terminam todas em 1s, e não em 3s."),
                   python: ["await asyncio.sleep(1)"],
                   example: ["spawn A 1s; spawn B 1s; spawn C 1s", "sleep 1s", "timeline"],
                   seeAlso: ["block", "body"]), .waiting),
            (Entry(command: .block,
                   summary: Text(en: "main blocks the thread (time.sleep): the whole loop freezes", pt: "a main bloqueia a thread (time.sleep): o loop inteiro congela"),
                   concept: Text(
                    en: "time.sleep, or any heavy computation, runs on the loop's own thread without awaiting: while it runs nothing else can, the timers that fall due fire late, and every task waits. This is what async code must avoid: move such work to a thread (a `thread` step, run_in_executor).",
                    pt: "time.sleep, ou qualquer conta pesada, roda na própria thread do loop sem await: enquanto roda nada mais roda, os timers que vencem disparam atrasados e todas as tasks esperam. É isso que código assíncrono precisa evitar: mande esse trabalho para uma thread (um passo `thread`, run_in_executor)."),
                   python: ["time.sleep(2)", "sum(i * i for i in range(10_000_000))"],
                   example: ["spawn ticker 500ms, 500ms", "block 2s", "timeline"],
                   seeAlso: ["body", "timeline", "why"]), .waiting),
            (Entry(command: .status,
                   summary: Text(en: "a table of tasks: state, what each waits for, result, times", pt: "uma tabela das tasks: estado, o que cada uma espera, resultado, tempos"),
                   concept: Text(
                    en: "asyncio tells a task's state only through done(), cancelled() and its repr. asyncplay shows more: pending (not started), sleeping (until a time), waiting (for a task), in-thread, running, cancelling, then done, failed or cancelled. A timer shown as overdue means the loop is held: the task cannot wake up yet.",
                    pt: "O asyncio conta o estado de uma task só por done(), cancelled() e o seu repr. O asyncplay mostra mais: pending (não começou), sleeping (até um horário), waiting (por uma task), in-thread, running, cancelling e então done, failed ou cancelled. Um timer vencido quer dizer que o loop está ocupado: a task ainda não pode acordar."),
                   python: ["task.done(), task.cancelled(), task.get_name()", "asyncio.all_tasks()"],
                   example: ["spawn A 1s; spawn B 2s; status", "status"],
                   seeAlso: ["states", "result", "why"]), .looking),
            (Entry(command: .result,
                   summary: Text(en: "task.result(): the value, or the exception it raises", pt: "task.result(): o valor, ou a exceção que ela lança"),
                   concept: Text(
                    en: "result() never waits. On a finished task it returns the value or raises the task's exception; on a cancelled task it raises CancelledError; on a task that has not finished it raises InvalidStateError: Result is not set.",
                    pt: "result() nunca espera. Numa task terminada devolve o valor ou lança a exceção dela; numa cancelada lança CancelledError; numa que ainda não terminou lança InvalidStateError: Result is not set."),
                   python: ["task.result()", "task.exception()"],
                   example: ["spawn A 3s -> \"A\"", "result A", "await A", "result A"],
                   seeAlso: ["await", "status"]), .looking),
            (Entry(command: .timeline,
                   summary: Text(en: "every task's life on a time axis, and who held the loop when", pt: "a vida de cada task num eixo de tempo, e quem segurou o loop quando"),
                   concept: Text(
                    en: "One row per task: pending, sleeping, waiting, in a thread, running on the loop (holding it), late (ready, but the loop is held), cancelling, and a mark where it ended. Main has a row of its own, and `loop held by` shows who held the loop. Rows that run side by side show concurrency; a full `loop held by` row above late rows shows a frozen loop.\nascii draws with plain characters, width N sets the width, --svg FILE writes the same picture as an SVG file (quote a path that holds a /: --svg \"pics/t.svg\").",
                    pt: "Uma linha por task: pendente, dormindo, esperando, numa thread, rodando no loop (segurando-o), atrasada (pronta, mas o loop está ocupado), cancelando, e uma marca onde terminou. A main tem a sua própria linha, e `loop ocupado por` mostra quem segurou o loop. Linhas lado a lado mostram concorrência; uma linha `loop ocupado por` cheia sobre linhas atrasadas mostra um loop congelado.\nascii desenha com caracteres simples, width N define a largura, --svg ARQUIVO grava a mesma figura num arquivo SVG (um caminho com / vai entre aspas: --svg \"figs/t.svg\")."),
                   python: ["# no Python equivalent; debug mode at least logs slow callbacks:", "asyncio.run(main(), debug=True)"],
                   example: ["spawn A 1s; spawn B 2s", "run compute cpu 1s", "gather", "timeline"],
                   seeAlso: ["trace", "why", "block"]), .looking),
            (Entry(command: .tree,
                   summary: Text(en: "who awaits whom: tasks, gather and main", pt: "quem aguarda quem: tasks, gather e main"),
                   concept: Text(
                    en: "A suspended task awaits one thing at a time; following the awaits from task to task gives a tree, as `python -m asyncio pstree` draws it: under each task, what it awaits. Tasks nobody awaits are roots. Tasks that await each other in a ring form a cycle: none of them can ever finish (asyncplay calls it a deadlock; CPython would hang).",
                    pt: "Uma task suspensa aguarda uma coisa de cada vez; seguindo os awaits de task em task forma-se uma árvore, como o `python -m asyncio pstree` desenha: embaixo de cada task, o que ela aguarda. Tasks que ninguém aguarda são raízes. Tasks que aguardam umas às outras em roda formam um ciclo: nenhuma delas pode terminar (o asyncplay chama de deadlock; o CPython ficaria parado)."),
                   python: ["# Python 3.14, from another terminal:", "python -m asyncio pstree PID"],
                   example: ["spawn B 3s; spawn C await B, 1s; spawn D await C", "tree"],
                   seeAlso: ["why", "status"]), .looking),
            (Entry(command: .why,
                   summary: Text(en: "how a task reached its state, in plain words", pt: "como uma task chegou ao seu estado, em palavras simples"),
                   concept: Text(
                    en: "why tells one task's story from the recorded events: which line created it, each step it took, who held the loop when it woke up late, who cancelled it (a cancel line, a timeout, the task it awaited) and why it failed (its own fail step, or the exception of a task it awaited).",
                    pt: "why conta a história de uma task a partir dos eventos registrados: que linha a criou, cada passo que ela deu, quem segurava o loop quando ela acordou atrasada, quem a cancelou (uma linha cancel, um timeout, a task que ela aguardava) e por que falhou (seu próprio passo fail, ou a exceção de uma task que ela aguardava)."),
                   python: ["# no direct equivalent; the closest:", "task.print_stack()"],
                   example: ["spawn B 2s", "sleep 1s; cancel B", "why B"],
                   seeAlso: ["tree", "timeline"]), .looking),
            (Entry(command: .trace,
                   summary: Text(en: "show each callback the loop runs, as it runs", pt: "mostra cada callback que o loop executa, na hora"),
                   concept: Text(
                    en: "Everything the loop does is a callback from its ready queue: a task's next step, a future's done callback (always through call_soon, so it runs in the next batch), a timer that fell due, a thread job that ended. trace on prints each one as it runs, as Trio's instruments do.",
                    pt: "Tudo o que o loop faz é um callback da sua fila de prontos: o próximo passo de uma task, o done callback de um future (sempre via call_soon, então roda no lote seguinte), um timer que venceu, um trabalho de thread que terminou. trace on mostra cada um quando roda, como os instruments do Trio."),
                   python: ["asyncio.run(main(), debug=True)", "# Trio: trio.run(main, instruments=[Tracer()])"],
                   example: ["trace on", "spawn A 1s; spawn B await A", "gather", "trace off"],
                   seeAlso: ["loop", "timeline"]), .looking),
            (Entry(command: .time,
                   summary: Text(en: "the loop's clock, in seconds since the session began", pt: "o relógio do loop, em segundos desde o início da sessão"),
                   concept: Text(
                    en: "loop.time() is the loop's own monotonic clock; timers are set against it. asyncplay's virtual clock jumps straight to the next timer when nothing is ready, and stands still while you type: a script of hours runs at once, the same way every time.",
                    pt: "loop.time() é o relógio monotônico do próprio loop; os timers são marcados nele. O relógio virtual do asyncplay pula direto para o próximo timer quando nada está pronto, e fica parado enquanto você digita: um roteiro de horas roda na hora, sempre do mesmo jeito."),
                   python: ["asyncio.get_running_loop().time()"],
                   example: ["time", "sleep 1.5s", "time"],
                   seeAlso: ["sleep", "loop"]), .looking),
            (Entry(command: .reset,
                   summary: Text(en: "a fresh loop at t = 0; pending tasks are cancelled", pt: "um loop novo em t = 0; as tasks pendentes são canceladas"),
                   concept: Text(
                    en: "Like one asyncio.run ending and another starting: the tasks still pending are cancelled and reported, exceptions nobody retrieved are reported, and a new loop starts at t = 0 with no tasks. `set workers` is kept.",
                    pt: "Como um asyncio.run terminando e outro começando: as tasks ainda pendentes são canceladas e reportadas, as exceções que ninguém recuperou são reportadas, e um loop novo começa em t = 0 sem tasks. O `set workers` é mantido."),
                   python: ["asyncio.run(main())", "asyncio.run(main())   # a new loop"],
                   example: ["spawn A 10s", "reset", "status"],
                   seeAlso: ["exit"]), .session),
            (Entry(command: .set,
                   summary: Text(en: "size of the thread pool for `thread` steps (default 4)", pt: "tamanho do pool de threads dos passos `thread` (padrão 4)"),
                   concept: Text(
                    en: "loop.run_in_executor(None, …) hands blocking work to the default ThreadPoolExecutor. With N workers at most N jobs run at once; the others wait in its queue, and status shows them waiting for a free worker.",
                    pt: "loop.run_in_executor(None, …) entrega trabalho bloqueante ao ThreadPoolExecutor padrão. Com N workers, no máximo N trabalhos rodam ao mesmo tempo; os outros esperam na fila, e o status mostra que esperam um worker livre."),
                   python: ["from concurrent.futures import ThreadPoolExecutor", "loop.set_default_executor(ThreadPoolExecutor(max_workers=2))"],
                   example: ["set workers 1", "spawn A thread 1s; spawn B thread 1s", "gather", "timeline"],
                   seeAlso: ["body", "timeline"]), .session),
            (Entry(command: .export,
                   summary: Text(en: "the session so far as a runnable Python asyncio program", pt: "a sessão até aqui como um programa Python asyncio executável"),
                   concept: Text(
                    en: "Each command becomes the asyncio code it stands for (create_task, gather, wait, wait_for, run_in_executor, time.sleep for cpu and block), and the program prints the same events, so you can run it with python3 and compare. Without FILE it is printed. From the command line: asyncplay export python FILE.async (--scale 0.01 runs it a hundred times faster).",
                    pt: "Cada comando vira o código asyncio que ele representa (create_task, gather, wait, wait_for, run_in_executor, time.sleep para cpu e block), e o programa mostra os mesmos eventos: rode com python3 e compare. Sem ARQUIVO ele é mostrado na tela. Pela linha de comando: asyncplay export python ARQUIVO.async (--scale 0.01 roda cem vezes mais rápido)."),
                   python: ["python3 session.py"],
                   example: ["spawn A 1s; spawn B 2s", "gather", "export python"],
                   seeAlso: ["help"]), .session),
            (Entry(command: .help,
                   summary: Text(en: "this help; help TOPIC explains a command or a concept", pt: "esta ajuda; help TÓPICO explica um comando ou um conceito"),
                   concept: Text(
                    en: "The topics are the commands, and three concepts: body (what a coroutine does), states (a task's life) and loop (how the event loop runs). Help speaks English and Portuguese: --lang en|pt, or LANG.",
                    pt: "Os tópicos são os comandos, e três conceitos: body (o que uma corotina faz), states (a vida de uma task) e loop (como o loop de eventos roda). A ajuda fala inglês e português: --lang en|pt, ou LANG."),
                   python: ["help(asyncio)"],
                   example: ["help gather", "help body"],
                   seeAlso: ["body", "states", "loop"]), .session),
            (Entry(command: .exit,
                   summary: Text(en: "leave; pending tasks are cancelled, as asyncio.run does", pt: "sair; as tasks pendentes são canceladas, como faz o asyncio.run"),
                   concept: Text(
                    en: "When main returns, asyncio.run cancels the tasks still pending, waits for them, and closes the loop. Ctrl-D does the same.",
                    pt: "Quando a main retorna, o asyncio.run cancela as tasks ainda pendentes, espera por elas e fecha o loop. Ctrl-D faz o mesmo."),
                   python: ["asyncio.run(main())   # returns when main returns"],
                   example: ["spawn A 10s", "exit"],
                   seeAlso: ["reset"]), .session),
            (Entry(topic: "body", usage: "BODY := STEP (, STEP)* [-> VALUE]",
                   summary: Text(en: "what a coroutine does, step by step", pt: "o que uma corotina faz, passo a passo"),
                   concept: Text(
                    en: "A body is the coroutine a task (spawn) or main (run) runs: its steps one after the other, separated by commas.\n- 1s or sleep 1s: await asyncio.sleep(1); the loop is free meanwhile.\n- cpu 200ms: blocking work on the loop's own thread; nothing else runs.\n- thread 2s: await loop.run_in_executor(None, work); a worker does it, the loop stays free.\n- await A: await another task; its exception propagates, its result is dropped.\n- fail ValueError \"msg\": raise ValueError(\"msg\"); it must be the last step.\n- -> 42: the return value (without it, the task's own name).\nDurations: 250ms, 1.5s, 2m (a bare number is seconds; at most 24 h). Values: integers, floats, \"strings\", none, true, false.",
                    pt: "Um corpo é a corotina que uma task (spawn) ou a main (run) executa: seus passos um depois do outro, separados por vírgulas.\n- 1s ou sleep 1s: await asyncio.sleep(1); enquanto isso o loop fica livre.\n- cpu 200ms: trabalho bloqueante na própria thread do loop; nada mais roda.\n- thread 2s: await loop.run_in_executor(None, trabalho); um worker faz, o loop fica livre.\n- await A: aguarda outra task; a exceção dela sobe, o resultado é descartado.\n- fail ValueError \"msg\": raise ValueError(\"msg\"); tem que ser o último passo.\n- -> 42: o valor de retorno (sem ele, o próprio nome da task).\nDurações: 250ms, 1.5s, 2m (um número sozinho é em segundos; no máximo 24 h). Valores: inteiros, floats, \"strings\", none, true, false."),
                   python: ["async def c():", "    await asyncio.sleep(1)                      # 1s", "    time.sleep(0.2)                             # cpu 200ms",
                            "    await loop.run_in_executor(None, work)      # thread 2s", "    await task_a                                # await A",
                            "    return 42                                   # -> 42"],
                   example: ["spawn C 1s, cpu 200ms, thread 2s -> 42", "spawn D await C, fail ValueError \"boom\"", "gather C D return_exceptions"],
                   seeAlso: ["spawn", "run", "states"]), .concepts),
            (Entry(topic: "states", usage: "pending → running ⇄ sleeping | waiting | in-thread → done | failed | cancelled",
                   summary: Text(en: "a task's life, state by state", pt: "a vida de uma task, estado por estado"),
                   concept: Text(
                    en: "- pending: created, not started yet (the loop has not run its first step).\n- running: one of its steps runs on the loop; only one thing runs at a time.\n- sleeping: suspended until a timer fires.\n- waiting: suspended until another task finishes.\n- in-thread: its job runs on a worker of the pool, or waits for a free one.\n- cancelling: cancel() was requested; CancelledError is on its way.\n- done, failed, cancelled: it returned a value, raised an exception, or was ended by CancelledError.",
                    pt: "- pending: criada, ainda não começou (o loop não rodou seu primeiro passo).\n- running: um de seus passos roda no loop; só uma coisa roda de cada vez.\n- sleeping: suspensa até um timer disparar.\n- waiting: suspensa até outra task terminar.\n- in-thread: seu trabalho roda num worker do pool, ou espera um livre.\n- cancelling: cancel() foi pedido; o CancelledError está a caminho.\n- done, failed, cancelled: retornou um valor, lançou uma exceção, ou foi encerrada pelo CancelledError."),
                   python: ["task.done()        # done, failed or cancelled", "task.cancelled()   # cancelled", "task.cancelling()  # cancel requests (3.11+)"],
                   example: ["spawn A 1s; status", "status", "why A"],
                   seeAlso: ["status", "why", "timeline"]), .concepts),
            (Entry(topic: "loop", usage: "the event loop",
                   summary: Text(en: "how the event loop runs: one callback at a time", pt: "como o loop de eventos roda: um callback de cada vez"),
                   concept: Text(
                    en: "The loop keeps a FIFO queue of ready callbacks, a heap of timers and a pool of threads. Each iteration moves the timers that are due to the ready queue, then runs exactly the callbacks that were ready when it began, one at a time (BaseEventLoop._run_once). A callback that never awaits (cpu, block) keeps the loop for itself: nothing else runs, and timers fire late.\nMain is a coroutine too: between two lines it awaits your next input, so the loop runs everything that is ready; commands joined by `;` run with no pause between them.",
                    pt: "O loop guarda uma fila FIFO de callbacks prontos, um heap de timers e um pool de threads. Cada iteração move os timers vencidos para a fila de prontos e roda exatamente os callbacks que estavam prontos quando ela começou, um de cada vez (BaseEventLoop._run_once). Um callback que nunca faz await (cpu, block) fica com o loop só para si: nada mais roda, e os timers disparam atrasados.\nA main também é uma corotina: entre duas linhas ela aguarda sua próxima entrada, então o loop roda tudo o que está pronto; comandos ligados por `;` rodam sem pausa entre eles."),
                   python: ["loop = asyncio.get_running_loop()", "loop.call_soon(callback)", "loop.call_later(1, callback)"],
                   example: ["trace on", "spawn A 1s; spawn B 1s", "gather"],
                   seeAlso: ["trace", "timeline", "block"]), .concepts),
        ]
    }

    public static func text(topic: String?, language: Language, style: TextStyle, width: Int = 80) -> String {
        let pt = language == .portuguese
        let all = entries
        guard let topic else { return index(all, language: language, style: style, width: width) }
        let key = aliases[topic] ?? topic
        guard let entry = all.first(where: { $0.0.topic == key })?.0 else {
            var s = pt ? "sem ajuda para '\(topic)'" : "no help for '\(topic)'"
            if let guess = Suggest.closest(to: topic, among: all.map(\.0.topic)) {
                s += pt ? "; você quis dizer '\(guess)'?" : "; did you mean '\(guess)'?"
            }
            return s + "\n" + wrap((pt ? "Tópicos: " : "Topics: ") + all.map(\.0.topic).joined(separator: ", "), indent: "", width: width)
        }
        var s = style.bold(entry.usage) + "\n"
        s += wrap(capitalized(entry.summary.in_(language)) + ".", indent: "  ", width: width)
        s += "\n" + style.bold("asyncio") + "\n"
        for paragraph in entry.concept.in_(language).split(separator: "\n") {
            let p = String(paragraph)
            if p.hasPrefix("- ") {
                s += wrap(String(p.dropFirst(2)), indent: "  - ", hanging: "    ", width: width)
            } else {
                s += wrap(p, indent: "  ", width: width)
            }
        }
        s += "\n" + style.bold("Python") + "\n"
        for line in entry.python { s += Script.trimTrailingSpace("    " + style.cyan(line)) + "\n" }
        s += "\n" + style.bold(pt ? "Experimente" : "Try") + "\n"
        for line in entry.example { s += "    " + line + "\n" }
        if !entry.seeAlso.isEmpty {
            s += "\n" + (pt ? "Veja também: " : "See also: ") + entry.seeAlso.map { "help " + $0 }.joined(separator: ", ") + "\n"
        }
        return s
    }

    private static func index(_ all: [(Entry, Group)], language: Language, style: TextStyle, width: Int) -> String {
        let pt = language == .portuguese
        var s = (pt ? "Um comando por linha (`;` encadeia vários). help TÓPICO explica cada um: o conceito do asyncio, o Python equivalente e um exemplo."
                    : "One command per line (`;` chains several). help TOPIC explains each: the asyncio concept, the Python it stands for, an example.")
        s = wrap(s, indent: "", width: width)
        let column = 28
        for group in Group.allCases {
            s += "\n" + style.bold(group.title.in_(language)) + "\n"
            for (e, g) in all where g == group {
                let usage = group == .concepts ? e.topic : e.usage
                let summary = e.summary.in_(language)
                if usage.count + 2 <= column - 2 {
                    s += wrap(summary, indent: "  " + usage + String(repeating: " ", count: column - 2 - usage.count),
                              hanging: String(repeating: " ", count: column), width: width)
                } else {
                    s += "  " + usage + "\n"
                    s += wrap(summary, indent: String(repeating: " ", count: column), width: width)
                }
            }
        }
        return s
    }

    private static func capitalized(_ s: String) -> String {
        guard let f = s.first else { return s }
        return f.uppercased() + s.dropFirst()
    }

    /// Words wrapped to `width`; the first line starts with `indent`, the others with `hanging`.
    static func wrap(_ text: String, indent: String, hanging: String? = nil, width: Int) -> String {
        let next = hanging ?? indent
        var out = ""
        var line = indent
        var lineHasWords = false
        for word in text.split(separator: " ") {
            if lineHasWords && line.count + 1 + word.count > width {
                out += line + "\n"
                line = next
                lineHasWords = false
            }
            line += (lineHasWords ? " " : "") + word
            lineHasWords = true
        }
        return out + line + "\n"
    }
}
