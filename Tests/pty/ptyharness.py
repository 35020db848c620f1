"""Drive an interactive program in a pseudo-terminal, for the shell's pty tests.

    from ptyharness import PtySession, asyncplay_binary

    with PtySession([asyncplay_binary()]) as s:
        s.expect_prompt()
        s.sendline("spawn A 1s")
        s.expect("created")
        s.send_key("ctrl-d")
        s.expect_exit()

Every session runs with NO_COLOR=1, TERM=xterm, a UTF-8 locale and a fresh temporary
HOME and XDG_STATE_HOME (so no ~/.editrc and no history leak in or out), in a pty of a
known size. Besides the raw output (pexpect's `before`/`after`), `screen` models what a
terminal would display, so a test can check the line being edited survived output
printed above it: `s.wait_for_screen(lambda sc: sc.cursor_line().endswith("spawn A"))`.

Two timing rules keep such tests deterministic:
- Send keys only once the prompt is on screen. Between two prompts the terminal is in
  its normal (canonical) mode: the kernel itself echoes what is typed and acts on ^C,
  ^D, ^R, ^U, ^W, and holds at most 4095 bytes of an unfinished line.
- Wait for a command's own output before `expect_prompt()`: libedit redraws the prompt
  while a long line wraps, so a prompt pattern can match before the line was entered.

`drain()` waits for the program to fall silent, which never happens while a prompt shows
a ticking clock: use `wait_for_screen()` or `expect()` then.

Only the standard library and pexpect (python3-pexpect) are needed.
"""

import os
import re
import shutil
import tempfile
import time
import unicodedata

import pexpect

__all__ = ["PtySession", "Screen", "KEYS", "asyncplay_binary", "DEFAULT_PROMPT"]

# The shell's prompt ends with "> "; override per session with prompt_pattern=.
DEFAULT_PROMPT = r"> $"

KEYS = {
    "enter": "\r",
    "tab": "\t",
    "backspace": "\x7f",
    "escape": "\x1b",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "right": "\x1b[C",
    "left": "\x1b[D",
    "home": "\x1b[H",
    "end": "\x1b[F",
    "delete": "\x1b[3~",
    "ctrl-left": "\x1b[1;5D",
    "ctrl-right": "\x1b[1;5C",
}
# ctrl-a … ctrl-z
KEYS.update({f"ctrl-{chr(c)}": chr(c - ord("a") + 1) for c in range(ord("a"), ord("z") + 1)})


def asyncplay_binary():
    """$ASYNCPLAY_BIN, else the debug build in the repository this file lives in."""
    if os.environ.get("ASYNCPLAY_BIN"):
        return os.environ["ASYNCPLAY_BIN"]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(root, ".build", "debug", "asyncplay")


class Screen:
    """A small model of an xterm screen: enough of VT100 for a line editor's output
    (text with auto-wrap, CR, LF, BS, TAB, cursor moves, erase in line and display).
    Other escape sequences are consumed and ignored."""

    def __init__(self, rows=24, cols=80):
        self.rows, self.cols = rows, cols
        self.grid = [[" "] * cols for _ in range(rows)]
        self.row = self.col = 0
        self.pending_wrap = False  # xterm: writing the last column wraps only on the next character
        self.scrolled_off = []  # lines that scrolled off the top, oldest first
        self._escape = ""

    # --- queries -------------------------------------------------------------------
    def lines(self):
        """The screen's rows, trailing blanks removed."""
        return ["".join(c for c in row if c is not None).rstrip() for row in self.grid]

    def text(self):
        """The screen as one string, trailing empty rows removed."""
        lines = self.lines()
        while lines and not lines[-1]:
            lines.pop()
        return "\n".join(lines)

    def history(self):
        """Everything displayed so far: scrolled-off lines, then the screen."""
        return "\n".join(self.scrolled_off + [self.text()])

    def cursor_line(self):
        return self.lines()[self.row]

    @property
    def cursor(self):
        return (self.row, self.col)

    def resize(self, rows, cols):
        grid = [(row + [" "] * cols)[:cols] for row in self.grid]
        while len(grid) > rows:  # xterm pushes rows off the top when the cursor would fall off
            if self.row > 0 and len(grid) - 1 >= rows and self.row >= rows:
                self.scrolled_off.append("".join(c for c in grid.pop(0) if c is not None).rstrip())
                self.row -= 1
            else:
                grid.pop()
        grid += [[" "] * cols for _ in range(rows - len(grid))]
        self.grid, self.rows, self.cols = grid, rows, cols
        self.row, self.col = min(self.row, rows - 1), min(self.col, cols - 1)
        self.pending_wrap = False

    # --- input ---------------------------------------------------------------------
    def feed(self, data):
        for ch in data:
            if self._escape:
                self._escape_char(ch)
            elif ch == "\x1b":
                self._escape = ch
            elif ch == "\r":
                self.col, self.pending_wrap = 0, False
            elif ch == "\n":
                self._line_feed()
            elif ch == "\b":
                self.col, self.pending_wrap = max(0, self.col - 1), False
            elif ch == "\t":
                self.col = min(self.cols - 1, (self.col // 8 + 1) * 8)
            elif ch < " " or ch == "\x7f":
                pass  # BEL and other controls: nothing to draw
            else:
                self._put(ch)

    def _put(self, ch):
        width = 0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if width == 0:
            return
        if self.pending_wrap or self.col + width > self.cols:
            self.col = 0
            self._line_feed()
        self.grid[self.row][self.col] = ch
        if width == 2 and self.col + 1 < self.cols:
            self.grid[self.row][self.col + 1] = None  # covered by the wide character
        self.col += width
        self.pending_wrap = self.col >= self.cols
        if self.pending_wrap:
            self.col = self.cols - 1

    def _line_feed(self):
        self.pending_wrap = False
        if self.row == self.rows - 1:
            self.scrolled_off.append("".join(c for c in self.grid[0] if c is not None).rstrip())
            self.grid.pop(0)
            self.grid.append([" "] * self.cols)
        else:
            self.row += 1

    def _escape_char(self, ch):
        self._escape += ch
        seq = self._escape
        if len(seq) == 2:
            if ch in "[]":
                return  # CSI or OSC: more to come
            self._escape = ""  # a two-character sequence (ESC =, ESC 7, ...): ignored
            return
        if seq[1] == "]":  # OSC ends with BEL or ESC backslash
            if ch == "\x07" or seq.endswith("\x1b\\"):
                self._escape = ""
            return
        if "\x40" <= ch <= "\x7e":
            self._escape = ""
            self._csi(seq[2:-1], ch)

    def _csi(self, params, final):
        if params.startswith("?") or params.startswith(">"):
            return  # private modes
        numbers = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []
        n = numbers[0] if numbers and numbers[0] > 0 else 1
        self.pending_wrap = False if final in "ABCDGHfJK" else self.pending_wrap
        if final == "A":
            self.row = max(0, self.row - n)
        elif final == "B":
            self.row = min(self.rows - 1, self.row + n)
        elif final == "C":
            self.col = min(self.cols - 1, self.col + n)
        elif final == "D":
            self.col = max(0, self.col - n)
        elif final == "G":
            self.col = min(self.cols - 1, n - 1)
        elif final in "Hf":
            row = numbers[0] if numbers and numbers[0] > 0 else 1
            col = numbers[1] if len(numbers) > 1 and numbers[1] > 0 else 1
            self.row, self.col = min(self.rows, row) - 1, min(self.cols, col) - 1
        elif final == "K":
            mode = numbers[0] if numbers else 0
            line = self.grid[self.row]
            span = range(self.col, self.cols) if mode == 0 else range(0, self.col + 1) if mode == 1 else range(self.cols)
            for i in span:
                line[i] = " "
        elif final == "J":
            mode = numbers[0] if numbers else 0
            if mode == 0:
                self._csi("0", "K")
                for r in range(self.row + 1, self.rows):
                    self.grid[r] = [" "] * self.cols
            elif mode == 1:
                self._csi("1", "K")
                for r in range(0, self.row):
                    self.grid[r] = [" "] * self.cols
            else:
                self.grid = [[" "] * self.cols for _ in range(self.rows)]
        elif final == "P":  # delete characters
            line = self.grid[self.row]
            del line[self.col:self.col + n]
            line.extend([" "] * (self.cols - len(line)))
        elif final == "@":  # insert blanks
            line = self.grid[self.row]
            line[self.col:self.col] = [" "] * n
            del line[self.cols:]
        # m (colours) and anything else: no effect on the text


class _ScreenFeeder:
    """pexpect's logfile_read: everything the program prints also goes to the screen model."""

    def __init__(self, screen, transcript):
        self.screen = screen
        self.transcript = transcript
        self.count = 0

    def write(self, data):
        self.screen.feed(data)
        self.transcript.append(data)
        self.count += len(data)

    def flush(self):
        pass


class PtySession:
    """One program in a pty, with a private HOME. Use as a context manager or call close()."""

    def __init__(self, argv, rows=24, cols=80, env=None, timeout=5, prompt_pattern=DEFAULT_PROMPT,
                 cwd=None, home=None):
        self.rows, self.cols = rows, cols
        self.timeout = timeout
        self.prompt_pattern = prompt_pattern
        self._own_home = home is None
        self.home = home or tempfile.mkdtemp(prefix="asyncplay-pty-")
        self.state_home = os.path.join(self.home, ".local", "state")
        base = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "XDG_STATE_HOME": self.state_home,
            "TERM": "xterm",
            "NO_COLOR": "1",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "COLUMNS": str(cols),
            "LINES": str(rows),
        }
        base.update(env or {})
        self.env = {k: v for k, v in base.items() if v is not None}  # env={"NO_COLOR": None} removes one
        self.screen = Screen(rows, cols)
        self.transcript = []
        self.child = pexpect.spawn(argv[0], list(argv[1:]), env=self.env, cwd=cwd, dimensions=(rows, cols),
                                   encoding="utf-8", codec_errors="replace", timeout=timeout,
                                   maxread=65536)
        self.child.logfile_read = _ScreenFeeder(self.screen, self.transcript)
        self.child.delaybeforesend = None

    # --- context manager -----------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        if self.child.isalive():
            self.child.terminate(force=True)
        self.child.close()
        if self._own_home:
            shutil.rmtree(self.home, ignore_errors=True)

    # --- output --------------------------------------------------------------------
    def expect(self, pattern, timeout=None):
        """Waits for a regular expression (or a list of them) in the output; returns the index."""
        return self.child.expect(pattern, timeout=self._timeout(timeout))

    def expect_exact(self, text, timeout=None):
        return self.child.expect_exact(text, timeout=self._timeout(timeout))

    def expect_prompt(self, timeout=None):
        return self.child.expect(self.prompt_pattern, timeout=self._timeout(timeout))

    def expect_exit(self, timeout=None):
        """Waits for the program to end; returns its exit status (or -signal)."""
        self.child.expect(pexpect.EOF, timeout=self._timeout(timeout))
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else -self.child.signalstatus

    @property
    def before(self):
        """The output before the last match (see pexpect)."""
        return self.child.before

    @property
    def after(self):
        return self.child.after

    def output(self):
        """Everything read from the program so far, escapes included."""
        return "".join(self.transcript)

    def plain_output(self):
        """`output()` without escape sequences and carriage returns."""
        return strip_escapes(self.output()).replace("\r", "")

    def drain(self, quiet=0.1, timeout=None):
        """Reads until the program has been silent for `quiet` seconds (or timeout passes)."""
        deadline = time.monotonic() + self._timeout(timeout)
        while time.monotonic() < deadline:
            if not self._pump(quiet):
                return

    def wait_for_screen(self, condition, timeout=None):
        """Reads output until `condition(screen)` holds (or `condition` is a substring of
        the screen text). Returns the screen; raises AssertionError with the screen on timeout."""
        check = condition if callable(condition) else (lambda screen: condition in screen.text())
        deadline = time.monotonic() + self._timeout(timeout)
        while True:
            if check(self.screen):
                return self.screen
            if time.monotonic() >= deadline:
                raise AssertionError("screen condition not met; screen is:\n" + self.screen.text())
            self._pump(0.05)
            if not self.child.isalive() and not check(self.screen):
                self._pump(0.05)
                if not check(self.screen):
                    raise AssertionError("program ended; screen is:\n" + self.screen.text())

    def _pump(self, seconds):
        """Reads whatever the program prints within `seconds`. The data stays available to
        later expect() calls (pexpect keeps it in its `before` buffer; a one-character search
        window keeps a big output from being re-scanned on every read). Note that this
        replaces `before`/`after` of the last expect. Returns whether anything arrived."""
        size = self._chars_read()
        try:
            self.child.expect([pexpect.TIMEOUT, pexpect.EOF], timeout=seconds, searchwindowsize=1)
        except OSError:
            pass
        return self._chars_read() != size

    def _chars_read(self):
        return self.child.logfile_read.count

    # --- input ---------------------------------------------------------------------
    def send(self, text):
        self.child.send(text)

    def sendline(self, text=""):
        """Types `text` and Return (a terminal sends CR, not LF)."""
        self.child.send(text + "\r")

    def send_key(self, *names):
        """send_key("ctrl-c"), send_key("up", "up", "enter"): names are in KEYS."""
        for name in names:
            self.child.send(KEYS[name])

    def paste(self, text, chunk=4096):
        """Sends a large text in chunks, reading the echo in between so that neither side
        of the pty blocks on a full buffer."""
        data = text.encode("utf-8")
        for start in range(0, len(data), chunk):
            os.write(self.child.child_fd, data[start:start + chunk])
            while self._pump(0):
                pass

    def resize(self, rows, cols):
        """Changes the window size (the program gets SIGWINCH). The screen model keeps its
        top-left content, as xterm does (no re-wrapping)."""
        self.rows, self.cols = rows, cols
        self.screen.resize(rows, cols)
        self.child.setwinsize(rows, cols)

    def kill(self, signal_number):
        self.child.kill(signal_number)

    @property
    def pid(self):
        return self.child.pid

    def _timeout(self, timeout):
        return self.timeout if timeout is None else timeout


_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x01\x02\x07]")


def strip_escapes(text):
    """Removes ANSI escape sequences, BEL and the \\1/\\2 prompt markers."""
    return _ESCAPE.sub("", text)
