"""The shell, driven through a pseudo-terminal as a person would use it.

    ASYNCPLAY_BIN=.build/release/asyncplay python3 -m unittest discover -s Tests/pty -v

Each test starts the real binary in a pty with a private HOME (see ptyharness.py).
"""
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyharness import PtySession, asyncplay_binary  # noqa: E402

PROMPT = r"\] >>> $"


def shell(*args, **kw):
    kw.setdefault("prompt_pattern", PROMPT)
    kw.setdefault("timeout", 15)          # CI machines are small and busy: wait, but not forever
    return PtySession([asyncplay_binary(), *args], **kw)


class TypingAndEvents(unittest.TestCase):
    def test_spawn_finishes_on_the_real_clock_while_nobody_types(self):
        with shell() as s:
            s.expect_prompt()
            t0 = time.monotonic()
            s.sendline("spawn A 1s")
            s.expect(r"A started")
            s.expect(r"\[1\.\d\d\d\] A done: 'A'", timeout=3)
            elapsed = time.monotonic() - t0
            self.assertGreater(elapsed, 0.9)
            self.assertLess(elapsed, 2.0)

    def test_an_event_arrives_while_a_half_typed_line_waits(self):
        with shell() as s:
            s.expect_prompt()
            s.sendline("spawn A 500ms")
            s.expect("A started")
            s.send("stat")                      # half-typed, no Return
            s.expect("A done", timeout=3)
            screen = s.wait_for_screen(lambda sc: sc.cursor_line().endswith(">>> stat"))
            self.assertIn("A done: 'A'", screen.text())
            s.sendline("us")                     # finishes the word: "status"
            s.expect(r"A\s+done")

    def test_tab_completes_commands_and_live_task_names(self):
        with shell("--virtual") as s:
            s.expect_prompt()
            s.sendline("spawn worker-1 5s")
            s.expect("worker-1 started")
            s.expect_prompt()
            s.send("can")
            s.send_key("tab")
            s.wait_for_screen(lambda sc: "cancel" in sc.cursor_line())
            s.send("wor")
            s.send_key("tab")
            s.wait_for_screen(lambda sc: sc.cursor_line().rstrip().endswith("cancel worker-1"))
            s.send_key("enter")
            s.expect("True")

    def test_a_cpu_step_says_who_holds_the_loop(self):
        with shell() as s:
            s.expect_prompt()
            s.sendline("spawn C cpu 300ms")
            s.expect(r"C holds the loop for 0\.300s \(cpu\)")

    def test_bad_input_is_reported_with_a_caret_and_the_shell_goes_on(self):
        with shell() as s:
            s.expect_prompt()
            s.sendline("spwan A 1s")
            s.expect(r"<stdin>:1:1: error: unknown command 'spwan'; did you mean 'spawn'\?")
            s.expect(r"\^")
            s.sendline("cancel Nope")
            s.expect("unknown task 'Nope'")
            s.sendline("time")
            s.expect(r"\d+\.\d{3}")


class CtrlC(unittest.TestCase):
    def test_ctrl_c_during_sleep_gives_the_prompt_back_fast(self):
        with shell() as s:
            s.expect_prompt()
            s.sendline("sleep 30s")
            time.sleep(0.3)
            t0 = time.monotonic()
            s.send_key("ctrl-c")
            s.expect("CancelledError")
            s.expect_prompt()
            latency = time.monotonic() - t0
            self.assertLess(latency, 0.1, f"prompt came back after {latency * 1000:.0f} ms")

    def test_ctrl_c_during_await_cancels_the_awaited_task(self):
        with shell() as s:
            s.expect_prompt()
            s.sendline("spawn A 30s; await A")
            s.expect("A started")
            time.sleep(0.2)
            s.send_key("ctrl-c")
            s.expect("A cancelled")
            s.expect("CancelledError")
            s.expect_prompt()
            s.sendline("status A")
            s.expect(r"A\s+cancelled")

    def test_ctrl_c_during_await_of_an_await_cycle_raises_cancelled_error_into_main(self):
        # main_task.cancel() would recurse around A and B (RecursionError in CPython): main
        # itself gets the CancelledError (oracle decision 7), the cycle stays cancelling,
        # and leaving cancels and delivers every member of it.
        with shell() as s:
            s.expect_prompt()
            s.sendline("spawn T 30s; spawn A await B; spawn B await A; await A")
            s.expect("B started")
            time.sleep(0.2)
            s.send_key("ctrl-c")
            s.expect("CancelledError")
            s.expect_prompt()
            s.sendline("status A")
            s.expect(r"A\s+cancelling")
            s.expect_prompt()
            s.send_key("ctrl-d")
            s.expect("A cancelled")
            s.expect("B cancelled")
            self.assertEqual(s.expect_exit(), 0)

    def test_ctrl_c_during_wait_cancels_nothing(self):
        with shell() as s:
            s.expect_prompt()
            s.sendline("spawn A 30s; wait A")
            s.expect("A started")
            time.sleep(0.2)
            s.send_key("ctrl-c")
            s.expect("CancelledError")
            s.expect_prompt()
            s.sendline("status A")
            s.expect(r"A\s+sleeping")

    def test_ctrl_c_at_the_prompt_clears_the_line(self):
        with shell() as s:
            s.expect_prompt()
            s.send("spawn X 1s")
            s.send_key("ctrl-c")
            s.expect_prompt()
            s.sendline("status")
            s.expect(r"\(no tasks\)")


class Leaving(unittest.TestCase):
    def test_ctrl_d_cancels_pending_tasks_and_reports_lost_exceptions(self):
        with shell() as s:
            s.expect_prompt()
            s.sendline("spawn A 10s; spawn B fail ValueError \"lost\"")
            s.expect("B failed")
            s.expect_prompt()
            s.send_key("ctrl-d")
            s.expect("A cancelled")
            s.expect(r"B: Task exception was never retrieved: ValueError\('lost'\)")
            self.assertEqual(s.expect_exit(), 0)

    def test_history_survives_a_restart(self):
        import shutil
        import tempfile
        home = tempfile.mkdtemp(prefix="asyncplay-history-")
        self.addCleanup(shutil.rmtree, home, True)
        with shell(home=home) as s:
            s.expect_prompt()
            s.sendline("spawn Remembered 1ms")
            s.expect("Remembered started")
            s.expect_prompt()
            s.send_key("ctrl-d")
            s.expect_exit()
        with shell(home=home) as s:
            s.expect_prompt()
            s.send_key("up")
            s.wait_for_screen(lambda sc: "spawn Remembered 1ms" in sc.cursor_line())


class Robustness(unittest.TestCase):
    def test_a_megabyte_pasted_line_is_refused_not_fatal(self):
        with shell(timeout=30) as s:
            s.expect_prompt()
            s.paste("spawn A 1s, " + "1ms, " * 200_000 + "1ms\r")
            s.expect("line too long", timeout=30)
            s.sendline("time")
            s.expect(r"\d+\.\d{3}")

    def test_a_flood_of_ten_thousand_events(self):
        with shell("--virtual", timeout=60) as s:
            s.expect_prompt()
            line = "; ".join(f"spawn T{i} 1ms" for i in range(2500))
            s.paste(line + "\r")               # read the echo while typing: a pty holds only 4 KiB
            s.expect("T2499 started", timeout=60)
            s.sendline("gather")
            s.expect(r"\['T0', 'T1'", timeout=60)
            s.expect_prompt(timeout=60)
            s.sendline("time")
            s.expect(r"0\.001")

    def test_stdin_not_a_terminal_runs_like_run_dash(self):
        r = subprocess.run([asyncplay_binary()], input=b"spawn A 1s\ngather\n", capture_output=True, timeout=10,
                           env=dict(os.environ, NO_COLOR="1"))
        self.assertEqual(r.returncode, 0)
        out = r.stdout.decode()
        self.assertIn(">>> spawn A 1s", out)
        self.assertIn("[1.000] A done: 'A'", out)
        self.assertNotIn("\x1b", out)


if __name__ == "__main__":
    unittest.main()
