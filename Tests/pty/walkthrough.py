"""The README's timed walk-through of the shell, as steps a test can replay.

    python3 Tests/pty/walkthrough.py            # play it and print what the screen showed
    (test_readme_walkthrough.py checks that README.md's copy matches a fresh run)

Each step waits until `at` seconds after the shell started, then types its keys.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyharness import PtySession, asyncplay_binary  # noqa: E402

STEPS = [
    (0.0, "line", "spawn A 1s"),
    (0.2, "line", 'spawn B 2s, fail ValueError "boom"'),
    (0.4, "line", "status"),
    (1.5, "line", "gather A B return_exceptions"),
    (2.8, "line", "spawn C cpu 1s"),
    (4.2, "line", "sleep 30s"),
    (4.7, "key", "ctrl-c"),
    (5.0, "key", "ctrl-d"),
]

TIME = re.compile(r"\d+\.\d{3}")


def play():
    """Runs the steps; returns the shell's output as plain text lines."""
    with PtySession([asyncplay_binary()], cols=100, timeout=10, prompt_pattern=r"\] >>> $") as s:
        s.expect_prompt()
        start = time.monotonic()
        for at, kind, what in STEPS:
            delay = start + at - time.monotonic()
            if delay > 0:
                s.drain(quiet=delay, timeout=delay)
            if kind == "line":
                s.sendline(what)
            else:
                s.send_key(what)
        s.expect_exit(timeout=10)
        # What the terminal shows: the prompt's repaints and the lines printed above the
        # edited line leave only their final state on screen.
        text = s.screen.history()
    return [l.rstrip() for l in text.split("\n") if l.strip()]


def same(expected, actual, tolerance=0.3):
    """Lines equal once times are compared numerically (real time jitters a little)."""
    if TIME.sub("T", expected) != TIME.sub("T", actual):
        return False
    for e, a in zip(TIME.findall(expected), TIME.findall(actual)):
        if abs(float(e) - float(a)) > tolerance:
            return False
    return True


if __name__ == "__main__":
    print("\n".join(play()))
