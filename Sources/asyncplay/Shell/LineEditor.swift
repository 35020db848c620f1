// The one file that talks to libedit; its C globals and callbacks stay in here.
@preconcurrency import CEditLine
import Glibc
import Synchronization

/// Line editing for the interactive shell, on libedit: emacs keys, history (Ctrl-R
/// searches it), TAB completion, and output from other threads printed above the line
/// being typed without disturbing it.
///
/// Built on libedit's native API rather than its readline layer: the readline layer
/// hides the `EditLine*`, and without it there is no way to know where the cursor is
/// inside a half-typed line that wraps, which is needed to print above it cleanly.
///
/// Use it only when stdin and stdout are both terminals (`LineEditor.isAvailable`);
/// otherwise read lines plainly. One instance per process: the terminal and the signal
/// handlers are process-wide.
///
/// Threads: `readLine`, `add` and the property setters belong to one thread (the
/// shell's). `completer` and `promptProvider` are called on that thread, from inside
/// `readLine`. `printAbove` and `refreshPrompt` may be called from any thread. (Sendable
/// on those terms: libedit's C callbacks find the editor through a locked table.)
final class LineEditor: @unchecked Sendable {
    /// Candidates for the word before the cursor (commands, keywords, task names...).
    /// Candidates that do not start with `word` are ignored. One candidate is inserted with
    /// a space after it; several are extended to their longest common prefix, and when
    /// that adds nothing they are listed above the line.
    var completer: ((_ word: String, _ lineBeforeCursor: String) -> [String])?

    /// When set, asked for the prompt again each time the editor repaints (after output
    /// from `printAbove`, a resize, `refreshPrompt()`, or every `promptRefreshInterval`).
    /// The prompt given to `readLine` is the one drawn first.
    var promptProvider: (() -> String)?

    /// How often to ask `promptProvider` while the user sits at the prompt (nil: never).
    /// The line is repainted only when the prompt text actually changed.
    var promptRefreshInterval: Duration?

    /// The characters that end a word for completion.
    var wordSeparators: Set<Unicode.Scalar> = [" ", "\t", ";", ","]

    /// Whether line editing makes sense here: stdin and stdout are terminals and TERM is not "dumb".
    static var isAvailable: Bool {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return true
    }

    // libedit objects: EditLine* and HistoryW*.
    private let editLine: OpaquePointer
    private let editHistory: OpaquePointer

    private let historyFile: HistoryFile?
    private let historyLimit: Int
    private var historyEntries: [String] = []
    private var reportedHistoryError = false

    // What other threads hand over, and the pipe that wakes the editor for it.
    private struct Shared {
        var atPrompt = false
        var messages: [String] = []
        var redrawRequested = false
    }
    private let shared = Mutex(Shared())
    private let wakePipe = SelfPipe()

    // Editor-thread state: used by readLine and the libedit callbacks it runs.
    private var input = TerminalInput()
    private var promptText = ""
    private var visiblePrompt: [Unicode.Scalar] = []
    private var drawnPrompt = ""  // what libedit writes for the prompt: escapes included, markers not
    private var promptStorage: UnsafeMutablePointer<wchar_t>
    private var promptCapacity = 1
    private var lastPromptCheck = ContinuousClock.now
    private var endedByInterrupt = false
    private var interruptAfterEscape = false

    /// - Parameters:
    ///   - historyFile: where history persists (see `HistoryFile.defaultPath()`); nil keeps it in memory.
    ///   - historyLimit: the number of entries kept, in memory and on disk.
    init(historyFile: String?, historyLimit: Int = 1000) {
        Self.chooseUTF8Locale()
        InterruptSignal.install()
        TerminalSignals.install()

        guard let editLine = asyncplay_el_init("asyncplay"), let editHistory = history_winit() else {
            fatalError("asyncplay: libedit could not initialise")
        }
        self.editLine = editLine
        self.editHistory = editHistory
        self.historyLimit = max(1, historyLimit)
        self.historyFile = historyFile.map { HistoryFile(path: $0, limit: max(1, historyLimit)) }
        promptStorage = .allocate(capacity: 1)
        promptStorage.initialize(to: 0)

        LineEditor.editors.withLock { $0[UInt(bitPattern: editLine)] = WeakEditor(editor: self) }
        asyncplay_el_set_editor(editLine, "emacs")
        asyncplay_el_set_signal(editLine, 0)  // see TerminalSignals for why
        asyncplay_el_set_wprompt(editLine, promptCallback, 1)
        asyncplay_el_set_getcfn(editLine, readCharacterCallback)
        asyncplay_history_w_setsize(editHistory, Int32(clamping: self.historyLimit))
        asyncplay_el_set_whistory(editLine, editHistory)

        asyncplay_el_addfn(editLine, "asyncplay-complete", "Complete the word before the cursor",
                           completeCallback)
        // The readline bindings people expect, set before ~/.editrc so that it can override them.
        for (keys, command) in [
            ("^I", "asyncplay-complete"),
            ("^R", "em-inc-search-prev"),  // libedit's emacs map has ed-redisplay here
            ("^W", "ed-delete-prev-word"),
            ("\\e[1~", "ed-move-to-beg"), ("\\e[H", "ed-move-to-beg"), ("\\eOH", "ed-move-to-beg"),
            ("\\e[4~", "ed-move-to-end"), ("\\e[F", "ed-move-to-end"), ("\\eOF", "ed-move-to-end"),
            ("\\e[3~", "ed-delete-next-char"),
            ("\\e[1;5C", "em-next-word"), ("\\e[1;5D", "ed-prev-word"),
        ] {
            asyncplay_el_bind(editLine, keys, command)
        }
        el_source(editLine, nil)  // $EDITRC or ~/.editrc; a missing file is fine

        historyEntries = self.historyFile?.load() ?? []
        for entry in historyEntries { enterIntoLibeditHistory(entry) }
    }

    deinit {
        el_end(editLine)
        history_wend(editHistory)
        promptStorage.deallocate()
    }

    // MARK: Reading

    /// Shows `prompt` and edits one line. Blocks until Return, Ctrl-C or Ctrl-D.
    /// Wrap escape sequences in the prompt in \u{1}…\u{2} (as `ShellRunner.prompt` does).
    func readLine(prompt: String) -> LineEditorInput {
        setPrompt(prompt)
        // A Ctrl-C or resize from before the prompt is not for this line (el_wgets reads
        // the window size itself when it starts).
        _ = InterruptSignal.takePending()
        _ = TerminalSignals.take()
        wakePipe.drain()
        endedByInterrupt = false
        interruptAfterEscape = false
        lastPromptCheck = .now
        shared.withLock { state in
            state.atPrompt = true
            state.redrawRequested = false
        }
        TerminalSignals.catchSuspend(true)
        // el_wgets leaves the terminal in canonical mode when input is already waiting
        // (a paste of several lines): the kernel would then echo it, stop at 4095 bytes
        // and act on ^R, ^U, ^W itself. Enter editing mode unconditionally.
        asyncplay_el_prep_term(editLine, 1)
        Self.keepQueuesOnInterrupt()

        var count: Int32 = 0
        let wide = el_wgets(editLine, &count)

        TerminalSignals.catchSuspend(false)
        shared.withLock { state in
            // Output that arrived after the last wake-up goes below the entered line. Written
            // under the lock so that later printAbove calls cannot overtake it.
            state.atPrompt = false
            for message in state.messages { Self.write(message + "\n") }
            state.messages = []
            state.redrawRequested = false
        }
        if TerminalSignals.take().contains(.suspendRequested) {
            TerminalSignals.stopProcess()  // Ctrl-Z landed just as the line ended
        }

        if let wide, count > 0 {
            var scalars = String.UnicodeScalarView()
            for index in 0..<Int(count) {
                if let scalar = Unicode.Scalar(UInt32(bitPattern: wide[index])) { scalars.append(scalar) }
            }
            if scalars.last == "\n" { scalars.removeLast() }
            return .line(String(scalars))
        }
        if endedByInterrupt { return .interrupt }
        Self.write("\n")  // libedit leaves the cursor after its "^D": end that row
        return .endOfInput
    }

    // MARK: Output from anywhere

    /// Prints `text` (one or more lines; a trailing newline is ignored) above the prompt
    /// and the half-typed line, which are then redrawn intact. Away from the prompt it is
    /// simply printed. Safe from any thread, including while `readLine` is blocked.
    func printAbove(_ text: String) {
        var text = text
        if text.hasSuffix("\n") { text.removeLast() }
        let mustWake = shared.withLock { state -> Bool in
            if state.atPrompt {
                state.messages.append(text)
                return true
            }
            Self.write(text + "\n")  // under the lock: lines keep the order of the calls
            return false
        }
        if mustWake { wakePipe.notify() }
    }

    /// Asks the editor to repaint the prompt (through `promptProvider`) soon. Any thread.
    func refreshPrompt() {
        let mustWake = shared.withLock { state -> Bool in
            state.redrawRequested = true
            return state.atPrompt
        }
        if mustWake { wakePipe.notify() }
    }

    // MARK: History

    /// Records an entered line: blank lines and a repeat of the previous entry are skipped.
    /// It is written to the history file at once (see `HistoryFile.append`).
    func add(_ line: String) {
        guard !line.allSatisfy(\.isWhitespace), historyEntries.last != line else { return }
        historyEntries.append(line)
        if historyEntries.count > historyLimit { historyEntries.removeFirst(historyEntries.count - historyLimit) }
        enterIntoLibeditHistory(line)
        do {
            try historyFile?.append(line)
        } catch {
            if !reportedHistoryError {  // once: the shell keeps working without it
                reportedHistoryError = true
                printAbove("asyncplay: \(error)")
            }
        }
    }

    /// The history, oldest first.
    var history: [String] { historyEntries }

    private func enterIntoLibeditHistory(_ line: String) {
        var wide = line.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
        wide.append(0)
        asyncplay_history_w_enter(editHistory, wide)
    }

    // MARK: The read-character hook

    /// libedit asks for each character here. Besides stdin, this waits on Ctrl-C, terminal
    /// signals and the wake-up pipe, and serves them in between keys: that is what lets
    /// output appear while the user is typing.
    /// Returns 1 with a character, 0 to end the line with no result (EOF or Ctrl-C), -1 on error.
    fileprivate func readCharacter(_ editLine: OpaquePointer, into character: UnsafeMutablePointer<wchar_t>) -> Int32 {
        while true {
            if interruptAfterEscape {
                interruptAfterEscape = false
                return interrupt(editLine)
            }
            if let scalar = input.next() {
                character.pointee = wchar_t(bitPattern: scalar.value)
                return 1
            }
            var sources = [
                pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                pollfd(fd: InterruptSignal.fileDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: TerminalSignals.fileDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakePipe.readFD, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&sources, nfds_t(sources.count), millisecondsUntilPromptCheck())
            if ready < 0 {
                if errno == EINTR { continue }
                return -1
            }
            // Ctrl-C first: it must win over keys typed after it.
            if sources[1].revents != 0 && InterruptSignal.takePending() {
                if lineHasSecondRow(editLine) {
                    // A Ctrl-R search (or extended command) keeps its own prompt in the line
                    // after a newline, and ending the line from there makes libedit move
                    // down on its own. Leave that mode with ESC first, then end the line.
                    interruptAfterEscape = true
                    character.pointee = 0x1B
                    return 1
                }
                return interrupt(editLine)
            }
            if sources[2].revents != 0 {
                handle(TerminalSignals.take(), editLine)
            }
            if sources[3].revents != 0 || ready == 0 {
                wakePipe.drain()
                serveWakeUp(editLine)
            }
            if sources[0].revents != 0 {
                switch input.fill(from: STDIN_FILENO) {
                case .data, .wouldBlock:
                    continue
                case .endOfFile:
                    if let scalar = input.flushIncomplete() {
                        character.pointee = wchar_t(bitPattern: scalar.value)
                        return 1
                    }
                    return 0
                case .failed:
                    return -1
                }
            }
        }
    }

    /// Ends the line as Ctrl-C does: "^C" after the text, a new row, no result. Keys typed
    /// before the Ctrl-C and not yet read are dropped, as the terminal itself would.
    private func interrupt(_ editLine: OpaquePointer) -> Int32 {
        endedByInterrupt = true
        tcflush(STDIN_FILENO, TCIFLUSH)
        input.discard()
        moveToEndOfLine(editLine, thenWrite: "^C\r\n")
        return 0
    }

    /// At Ctrl-C the kernel sends SIGINT and then flushes the terminal's queues, output
    /// included: under load the "^C" and the new prompt could be written in between and
    /// thrown away, leaving the shell waiting with no prompt shown (a pty test caught it
    /// about once in ten runs beside busy processes). The editor handles Ctrl-C itself, so
    /// while it edits the kernel keeps its queues (NOFLSH); `interrupt` drops typed-ahead
    /// keys instead.
    private static func keepQueuesOnInterrupt() {
        var mode = termios()
        guard tcgetattr(STDIN_FILENO, &mode) == 0, mode.c_lflag & tcflag_t(NOFLSH) == 0 else { return }
        mode.c_lflag |= tcflag_t(NOFLSH)
        tcsetattr(STDIN_FILENO, TCSANOW, &mode)
    }

    private func lineHasSecondRow(_ editLine: OpaquePointer) -> Bool {
        guard let line = el_wline(editLine)?.pointee else { return false }
        var character = line.buffer!
        while character < line.lastchar {
            if character.pointee == 10 { return true }
            character += 1
        }
        return false
    }

    private func millisecondsUntilPromptCheck() -> Int32 {
        guard let interval = promptRefreshInterval, promptProvider != nil else { return -1 }
        let left = ContinuousClock.now.duration(to: lastPromptCheck + interval)
        if left <= .zero { return 0 }
        let (seconds, attoseconds) = left.components
        return Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    /// Prints what other threads queued, and repaints if that or the prompt calls for it.
    private func serveWakeUp(_ editLine: OpaquePointer) {
        let (messages, redrawRequested) = shared.withLock { state -> ([String], Bool) in
            defer {
                state.messages = []
                state.redrawRequested = false
            }
            return (state.messages, state.redrawRequested)
        }
        var newPrompt: String?
        if let promptProvider {
            lastPromptCheck = .now
            let prompt = promptProvider()
            if prompt != promptText { newPrompt = prompt }
        }
        if messages.isEmpty && !redrawRequested, let newPrompt {
            if !rewritePromptInPlace(editLine, with: newPrompt) {
                repaint(editLine, printing: [], newPrompt: newPrompt)
            }
        } else if !messages.isEmpty || redrawRequested || newPrompt != nil {
            repaint(editLine, printing: messages, newPrompt: newPrompt)
        }
    }

    private func handle(_ events: TerminalSignals.Events, _ editLine: OpaquePointer) {
        if events.contains(.suspendRequested) {
            suspend(editLine)
        } else if !events.isEmpty {
            if events.contains(.continued) {
                asyncplay_el_prep_term(editLine, 1)  // whoever stopped us may have reset the modes
            }
            el_resize(editLine)
            // Most terminals re-wrap on resize, so the line's rows are counted at the new width.
            repaint(editLine, printing: [], newPrompt: promptProvider?())
        }
    }

    /// Ctrl-Z: give the terminal back in its normal modes, stop, and on `fg` take it again
    /// and redraw on the fresh line below whatever the parent shell printed.
    private func suspend(_ editLine: OpaquePointer) {
        moveToEndOfLine(editLine, thenWrite: "^Z")  // job-control shells start their report with a newline
        asyncplay_el_prep_term(editLine, 0)
        TerminalSignals.stopProcess()
        // ...continued.
        TerminalSignals.catchSuspend(true)
        asyncplay_el_prep_term(editLine, 1)
        Self.keepQueuesOnInterrupt()
        _ = TerminalSignals.take()  // the SIGCONT of this very resume
        el_resize(editLine)
        repaint(editLine, printing: [], newPrompt: promptProvider?(), cursorRowsBelowTop: 0)
    }

    // MARK: Drawing

    /// Prints `messages` where the prompt was and redraws prompt and line below them.
    ///
    /// libedit's refresh assumes the cursor sits in the first column of the prompt's
    /// row, so first climb from the cursor's row to the prompt's and clear to the end of
    /// the screen (which also wipes any rows the line wraps onto, and a Ctrl-R search line).
    private func repaint(_ editLine: OpaquePointer, printing messages: [String], newPrompt: String?,
                         cursorRowsBelowTop: Int? = nil) {
        let rows = cursorRowsBelowTop ?? layout(editLine).cursor.row  // measured with the prompt on screen
        var output = "\r"
        if rows > 0 { output += "\u{1B}[\(rows)A" }
        output += "\u{1B}[J"
        for message in messages {
            // Raw mode may leave the terminal's newline translation off: return to column 0 explicitly.
            output += message.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n") + "\r\n"
        }
        if let newPrompt { setPrompt(newPrompt) }
        Self.write(output)
        asyncplay_el_refresh(editLine)
    }

    /// A prompt that ticks (a clock) changes many times a second: when it keeps its width,
    /// overwrite just the prompt and put the cursor back, rather than redraw the line.
    /// libedit's idea of the screen still holds the old prompt; its next redraw only
    /// rewrites those cells with the current prompt, which is what is there.
    private func rewritePromptInPlace(_ editLine: OpaquePointer, with prompt: String) -> Bool {
        let oldWidth = visiblePrompt.reduce(0) { $0 + max(0, Int(asyncplay_wcwidth(wchar_t(bitPattern: $1.value)))) }
        let columns = max(1, Int(asyncplay_el_columns(editLine)))
        let cursor = layout(editLine).cursor  // measured with the old prompt, which has the same width
        let oldVisible = visiblePrompt
        setPrompt(prompt)
        let newWidth = visiblePrompt.reduce(0) { $0 + max(0, Int(asyncplay_wcwidth(wchar_t(bitPattern: $1.value)))) }
        guard newWidth == oldWidth, newWidth < columns, !visiblePrompt.contains("\n"), !oldVisible.contains("\n") else {
            return false
        }
        var output = ""
        if cursor.row > 0 { output += "\u{1B}[\(cursor.row)A" }
        output += "\r" + drawnPrompt + "\r"
        if cursor.row > 0 { output += "\u{1B}[\(cursor.row)B" }
        if cursor.column > 0 { output += "\u{1B}[\(cursor.column)C" }
        Self.write(output)
        return true
    }

    /// Puts the cursor after the last character of the line and writes `text` there, so
    /// that what follows is printed below the line rather than over it.
    private func moveToEndOfLine(_ editLine: OpaquePointer, thenWrite text: String) {
        let (cursor, end) = layout(editLine)
        var output = ""
        if end.row > cursor.row { output += "\u{1B}[\(end.row - cursor.row)B" }
        output += "\r"
        if end.column > 0 { output += "\u{1B}[\(end.column)C" }
        Self.write(output + text)
    }

    private struct ScreenPosition { var row = 0, column = 0 }

    /// Where libedit has drawn the cursor and the end of the line, in rows and columns from
    /// the start of the prompt, by laying the prompt and the line out the way it does.
    private func layout(_ editLine: OpaquePointer) -> (cursor: ScreenPosition, end: ScreenPosition) {
        let columns = max(1, Int(asyncplay_el_columns(editLine)))
        var position = ScreenPosition()
        func advance(by width: Int) {
            if width > 0 && position.column + width > columns {  // a wide character that does not fit moves down whole
                position.row += 1
                position.column = 0
            }
            position.column += width
            if position.column >= columns {
                position.row += position.column / columns
                position.column %= columns
            }
        }
        for scalar in visiblePrompt {
            if scalar == "\n" {
                position.row += 1
                position.column = 0
            } else {
                advance(by: max(0, Int(asyncplay_wcwidth(wchar_t(bitPattern: scalar.value)))))
            }
        }
        guard let line = el_wline(editLine)?.pointee else { return (position, position) }
        var cursor = position
        var character = line.buffer!
        while character < line.lastchar {
            if character == line.cursor { cursor = position }
            let value = character.pointee
            if value == 9 {  // a tab runs to the next multiple of 8, at least one column
                advance(by: 8 - position.column % 8)
            } else if value == 10 {  // during Ctrl-R the search prompt follows on its own row
                position.row += 1
                position.column = 0
            } else {
                advance(by: Self.drawnWidth(of: value))
            }
            character += 1
        }
        if line.cursor >= line.lastchar { cursor = position }
        return (cursor, position)
    }

    /// The columns libedit draws a character in: control characters as ^X, unprintable
    /// ones as \U+XXXX, the rest as wide as wcwidth says.
    private static func drawnWidth(of character: wchar_t) -> Int {
        let value = wint_t(bitPattern: character)
        if value < 0x100 && iswcntrl(value) != 0 { return 2 }
        if iswprint(value) != 0 { return max(0, Int(asyncplay_wcwidth(character))) }
        return value > 0xFFFF ? 8 : 7
    }

    // MARK: Prompt

    /// Stores the prompt in the form libedit reads: it toggles invisible spans on a single
    /// character, so readline's \1…\2 pairs become \1…\1, and a \2\1 between adjacent
    /// spans is dropped (a span must be followed by a visible character or libedit drops it).
    private func setPrompt(_ prompt: String) {
        promptText = prompt
        var stored: [wchar_t] = []
        var visible: [Unicode.Scalar] = []
        var drawn = String.UnicodeScalarView()
        var drawnUpToLastVisible = 0
        var inSpan = false
        let scalars = Array(prompt.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\u{2}" && index + 1 < scalars.count && scalars[index + 1] == "\u{1}" {
                index += 2  // end one span and start the next: stay invisible
                continue
            }
            if scalar == "\u{1}" || scalar == "\u{2}" {
                inSpan = scalar == "\u{1}"
                stored.append(1)
            } else {
                stored.append(wchar_t(bitPattern: scalar.value))
                drawn.append(scalar)
                if !inSpan {
                    visible.append(scalar)
                    drawnUpToLastVisible = drawn.count
                }
            }
            index += 1
        }
        drawnPrompt = String(String.UnicodeScalarView(drawn.prefix(drawnUpToLastVisible)))
        stored.append(0)
        if stored.count > promptCapacity {
            promptStorage.deallocate()
            promptStorage = .allocate(capacity: stored.count)
            promptCapacity = stored.count
        }
        stored.withUnsafeBufferPointer { promptStorage.update(from: $0.baseAddress!, count: $0.count) }
        visiblePrompt = visible
    }

    fileprivate var promptForLibedit: UnsafeMutablePointer<wchar_t> { promptStorage }

    // MARK: Completion

    fileprivate func complete(_ editLine: OpaquePointer) -> UInt8 {
        guard let completer, let line = el_wline(editLine)?.pointee else { return UInt8(CC_ERROR) }
        var before: [Unicode.Scalar] = []
        var character = line.buffer!
        while character < line.cursor {
            before.append(Unicode.Scalar(UInt32(bitPattern: character.pointee)) ?? "\u{FFFD}")
            character += 1
        }
        var wordStart = before.count
        while wordStart > 0 && !wordSeparators.contains(before[wordStart - 1]) { wordStart -= 1 }
        let word = Array(before[wordStart...])
        let wordText = String(String.UnicodeScalarView(word))

        var seen = Set<String>()
        let matches = completer(wordText, String(String.UnicodeScalarView(before))).filter {
            $0.unicodeScalars.starts(with: word) && seen.insert($0).inserted
        }
        guard let first = matches.first else { return UInt8(CC_ERROR) }  // beeps
        if matches.count == 1 {
            insert(Array(first.unicodeScalars.dropFirst(word.count)) + [" "], editLine)
            return UInt8(CC_REFRESH)
        }
        var common = Array(first.unicodeScalars)
        for match in matches.dropFirst() {
            let other = Array(match.unicodeScalars)
            var length = 0
            while length < min(common.count, other.count) && common[length] == other[length] { length += 1 }
            common.removeLast(common.count - length)
        }
        if common.count > word.count {
            insert(Array(common.dropFirst(word.count)), editLine)
            return UInt8(CC_REFRESH)
        }
        let columns = max(1, Int(asyncplay_el_columns(editLine)))
        repaint(editLine, printing: [Self.columnsOf(matches.sorted(), width: columns)], newPrompt: nil)
        return UInt8(CC_NORM)
    }

    private func insert(_ scalars: [Unicode.Scalar], _ editLine: OpaquePointer) {
        guard !scalars.isEmpty else { return }
        var wide = scalars.map { wchar_t(bitPattern: $0.value) }
        wide.append(0)
        el_winsertstr(editLine, wide)
    }

    /// Lays `items` out in columns, top to bottom then left to right, as `ls` does.
    private static func columnsOf(_ items: [String], width: Int) -> String {
        let cellWidth = (items.map(TerminalWidth.of).max() ?? 0) + 2
        let columnCount = max(1, (width + 2) / cellWidth)
        let rowCount = (items.count + columnCount - 1) / columnCount
        var lines: [String] = []
        for row in 0..<rowCount {
            var line = ""
            for column in 0..<columnCount {
                let index = column * rowCount + row
                guard index < items.count else { break }
                let item = items[index]
                let isLast = column == columnCount - 1 || (column + 1) * rowCount + row >= items.count
                line += isLast ? item : item + String(repeating: " ", count: cellWidth - TerminalWidth.of(item))
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Helpers

    /// Output goes through the same C stream libedit writes to, so the two never reorder.
    private static func write(_ text: String) {
        fputs(text, stdout)
        fflush(stdout)
    }

    /// libedit decodes, measures and prints characters through the C locale: without a
    /// UTF-8 LC_CTYPE it drops or escapes everything outside ASCII. Use the user's locale
    /// if it is UTF-8, else C.UTF-8 (built into glibc since 2.35).
    private static func chooseUTF8Locale() {
        setlocale(LC_CTYPE, "")
        if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) == "UTF-8" { return }
        setlocale(LC_CTYPE, "C.UTF-8")
    }

    /// libedit's callbacks find their editor by its EditLine (weakly: an editor that goes
    /// away is not kept). Every editor and its callbacks run on the shell's thread.
    private struct WeakEditor: @unchecked Sendable { weak var editor: LineEditor? }
    private static let editors = Mutex<[UInt: WeakEditor]>([:])

    fileprivate static func instance(of editLine: OpaquePointer) -> LineEditor? {
        editors.withLock { $0[UInt(bitPattern: editLine)]?.editor }
    }
}

// libedit's callbacks are C function pointers, which cannot capture context: they are
// file-level constants that find their LineEditor by its EditLine (`LineEditor.instance`).

private let readCharacterCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<wchar_t>?) -> Int32 = {
    editLine, character in
    guard let editLine, let character, let editor = LineEditor.instance(of: editLine) else { return -1 }
    return editor.readCharacter(editLine, into: character)
}

private let promptCallback: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<wchar_t>? = { editLine in
    guard let editLine, let editor = LineEditor.instance(of: editLine) else { return emptyPrompt }
    return editor.promptForLibedit
}

/// An empty wide string, written once when first used and only read after: safe to share.
nonisolated(unsafe) private let emptyPrompt: UnsafeMutablePointer<wchar_t> = {
    let storage = UnsafeMutablePointer<wchar_t>.allocate(capacity: 1)
    storage.initialize(to: 0)
    return storage
}()

private let completeCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { editLine, _ in
    guard let editLine, let editor = LineEditor.instance(of: editLine) else { return UInt8(CC_ERROR) }
    return editor.complete(editLine)
}
