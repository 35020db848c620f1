#!/usr/bin/env python3
"""check_endings.py BIN DIR...: the end-of-run invariant on live runs.

Runs `BIN run --json` on every DIR/scenarios/*.async and checks that each task created
ends (done, failed or cancelled) before the run does: asyncio.run cancels what is
pending at `reset` and at the end and delivers it, so a task still missing its end was
left `cancelling` (or pending) with nothing to deliver it. Names are counted per
creation, since `reset` lets a name be taken again. Prints "N runs, M with unfinished
tasks"; exit status 1 if M > 0.
"""
import glob
import json
import os
import subprocess
import sys


def unfinished(stream):
    open_count, order = {}, []
    for line in stream.splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if not isinstance(o, dict) or o.get("type") != "event":
            continue
        task, kind = o.get("task"), o.get("event")
        if kind == "created":
            open_count[task] = open_count.get(task, 0) + 1
            order.append(task)
        elif kind in ("done", "failed", "cancelled"):
            open_count[task] = open_count.get(task, 0) - 1
    return list(dict.fromkeys(t for t in order if open_count.get(t, 0) != 0))


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    binary, dirs = argv[0], argv[1:]
    runs = bad = 0
    for d in dirs:
        for scenario in sorted(glob.glob(os.path.join(d, "scenarios", "*.async"))):
            p = subprocess.run([binary, "run", "--json", scenario], capture_output=True, timeout=60)
            runs += 1
            left = unfinished(p.stdout.decode("utf-8", "replace"))
            if left:
                bad += 1
                print(f"{scenario}: created but never ended: {', '.join(left)}")
    print(f"{runs} runs, {bad} with unfinished tasks")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
