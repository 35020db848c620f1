#!/usr/bin/env python3
"""Benchmark driver for asyncplay (called by scripts/bench; run from the repo root).

Sections, in order (select some with BENCH_SECTIONS="scale startup"):

  scale    N spawned tasks (`spawn T<i> <i mod 1000>ms`) + `gather`, on
           `asyncplay run` (virtual clock), interleaved with CPython asyncio on a
           virtual loop (../shared/bench/asyncio_scale.py N).
  startup  a 10-line script run many times; median and p90 wall, beside
           `python3 -c pass` as a reference point.

Every number printed is a median (or a p90) over repeated runs; single runs are
never reported. asyncplay's wall time and peak RSS are measured per child with
os.wait4() (ru_maxrss of exactly that process; RUSAGE_CHILDREN would give the
maximum over every child reaped so far). stdout of asyncplay goes to /dev/null.

Environment:
  BENCH_SIZES          scale sizes (default "10000 100000 1000000")
  BENCH_REPS           repetitions per size (default 9, and 3 for N >= 1,000,000;
                       when set it applies to every size). Nine, not five: on this
                       noisy 2-core VM the same binary's 100k time varies 76-180 ms
                       from run to run, and a median of five moved the ratio by 10%.
  BENCH_STARTUP_RUNS   start-up runs (default 50)
  BENCH_SECTIONS       sections to run (default: all, in order)
  BENCH_TIMEOUT        seconds before one run is killed (default 900)
  ASYNCIO_SCALE        path of asyncio_scale.py (default ../shared/bench/asyncio_scale.py)
"""
import argparse
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

MIB = 1024.0  # ru_maxrss is in KiB on Linux


# ---------------------------------------------------------------------------------------
# Measuring one child process
# ---------------------------------------------------------------------------------------

class RunFailed(Exception):
    pass


def measure(argv, timeout, capture=False, faults=None):
    """Run argv once; return (wall_s, peak_rss_mb, stdout_text_or_None).

    faults: a list to append the run's minor page faults to (ru_minflt), if given.

    stdout goes to /dev/null unless capture is set; stderr is kept in a temp file and
    shown if the run fails. Wall time covers fork/exec to reaping, as a user sees it.
    """
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                             stdout=out if capture else subprocess.DEVNULL, stderr=err)
        killer = threading.Timer(timeout, p.kill)
        killer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if p.returncode != 0:
            err.seek(0)
            tail = err.read()[-2000:].decode("utf-8", "replace").rstrip()
            why = (f"killed after {timeout:.0f} s (BENCH_TIMEOUT)"
                   if p.returncode == -signal.SIGKILL else f"exit status {p.returncode}")
            raise RunFailed(f"{' '.join(argv)}: {why}" + (f"\n{tail}" if tail else ""))
        text = None
        if capture:
            out.seek(0)
            text = out.read().decode("utf-8", "replace")
        if faults is not None:
            faults.append(ru.ru_minflt)
        return wall, ru.ru_maxrss / MIB, text


def median(xs):
    return statistics.median(xs)


def p90(xs):
    s = sorted(xs)  # nearest-rank
    return s[max(0, -(-9 * len(s) // 10) - 1)]


def table(header, rows):
    cols = list(zip(*([header] + rows)))
    widths = [max(len(c) for c in col) for col in cols]
    fmt = "  ".join("{:>%d}" % w for w in widths)
    lines = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*r) for r in rows]
    return "\n".join(lines)


def progress(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# Context shared by the sections
# ---------------------------------------------------------------------------------------

class Context:
    def __init__(self, args):
        self.bin = None if args.python_only else os.path.abspath(args.bin)
        self.tmp = tempfile.mkdtemp(prefix="asyncplay-bench-")
        self.timeout = float(os.environ.get("BENCH_TIMEOUT", "900"))
        self.scale_py = os.environ.get("ASYNCIO_SCALE", "../shared/bench/asyncio_scale.py")

    def asyncplay(self, script):
        return [self.bin, "run", script]


def machine_header(ctx):
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        model = platform.processor() or "unknown"
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine : {nproc} cpus (nproc), {model}, {platform.system()} {platform.release()}")
    print(f"python  : {sys.executable} {platform.python_version()}")
    if ctx.bin:
        rel = os.path.relpath(ctx.bin)
        shown = ctx.bin if rel.startswith("..") else rel
        print(f"asyncplay: {shown} ({os.path.getsize(ctx.bin) / MIB / MIB:.1f} MB)")
    else:
        print("asyncplay: skipped (--python-only)")
    print(f"date    : {time.strftime('%Y-%m-%d %H:%M:%S %z')}")


# ---------------------------------------------------------------------------------------
# Part 1: scale
# ---------------------------------------------------------------------------------------

def write_scale_script(ctx, n):
    path = os.path.join(ctx.tmp, f"scale_{n}.async")
    with open(path, "w") as f:
        f.write("".join(f"spawn T{i} {i % 1000}ms\n" for i in range(n)))
        f.write("gather\n")
    return path


PY_FIELDS = re.compile(r"\bwall_s=([0-9.]+).*\bpeak_rss_mb=([0-9.]+)")


def section_scale(ctx):
    sizes = [int(s.replace("_", "")) for s in
             os.environ.get("BENCH_SIZES", "10000 100000 1000000").split()]
    reps_env = os.environ.get("BENCH_REPS")
    have_py = os.path.isfile(ctx.scale_py)

    print("\n== 1. scale: N x `spawn T<i> <i mod 1000>ms`, then `gather` (virtual clock) ==")
    if not have_py:
        print(f"CPython side skipped: {ctx.scale_py} not found"
              f"{' (../shared/bench is missing)' if 'ASYNCIO_SCALE' not in os.environ else ''}.")
    if not ctx.bin and not have_py:
        print("nothing to run.")
        return

    rows = []
    for n in sizes:
        reps = int(reps_env) if reps_env else (3 if n >= 1_000_000 else 9)
        ap_wall, ap_rss, ap_faults, py_wall, py_rss, py_proc = [], [], [], [], [], []
        script = write_scale_script(ctx, n) if ctx.bin else None
        for r in range(reps):
            # Interleaved: asyncplay, python, asyncplay, python, ... so that machine
            # noise falls on both sides alike.
            if ctx.bin:
                progress(f"scale N={n} rep {r + 1}/{reps}: asyncplay")
                w, m, _ = measure(ctx.asyncplay(script), ctx.timeout, faults=ap_faults)
                ap_wall.append(w)
                ap_rss.append(m)
            if have_py:
                progress(f"scale N={n} rep {r + 1}/{reps}: cpython")
                w, _, out = measure([sys.executable, ctx.scale_py, str(n)], ctx.timeout,
                                    capture=True)
                m = PY_FIELDS.search(out)
                if not m:
                    raise RunFailed(f"asyncio_scale.py printed no wall_s/peak_rss_mb: {out!r}")
                py_wall.append(float(m.group(1)))
                py_rss.append(float(m.group(2)))
                py_proc.append(w)

        def f(xs, fmt):
            return fmt.format(median(xs)) if xs else "-"
        ratio = (f"{median(py_wall) / median(ap_wall):.2f}x" if ap_wall and py_wall else "-")
        rows.append([f"{n:,}", str(reps), f(ap_wall, "{:.3f}"), f(ap_rss, "{:.1f}"), f(ap_faults, "{:.0f}"),
                     f(py_wall, "{:.3f}"), f(py_rss, "{:.1f}"), f(py_proc, "{:.3f}"), ratio])

    print(table(["N", "reps", "asyncplay s", "asyncplay MB", "faults", "cpython s", "cpython MB",
                 "cpython proc s", "cpython/asyncplay"], rows))
    print("medians. asyncplay s = whole process (start, parse the file, run, print the\n"
          "transcript to /dev/null); asyncplay MB = its peak RSS (wait4 ru_maxrss);\n"
          "faults = its minor page faults (ru_minflt: ~1 per 4 KB page, ~1 per 2 MB huge page).\n"
          "cpython s / MB = wall_s and peak_rss_mb printed by asyncio_scale.py (loop +\n"
          "tasks + gather, without interpreter start-up); cpython proc s = that whole\n"
          "process as measured here. cpython/asyncplay = cpython s / asyncplay s (>1: asyncplay\nis faster).")


# ---------------------------------------------------------------------------------------
# Part 2: start-up
# ---------------------------------------------------------------------------------------

STARTUP_SCRIPT = """\
# asyncplay bench: start-up (a few tasks, gather, status, time)
spawn A 1s
spawn B 2s -> 42
spawn C 500ms, cpu 10ms
spawn D thread 1s
spawn E await A, 1s -> "E"
spawn 250ms
gather
status
time
"""


def section_startup(ctx):
    runs = int(os.environ.get("BENCH_STARTUP_RUNS", "50"))
    print(f"\n== 2. start-up: a 10-line script, {runs} runs ==")
    script = os.path.join(ctx.tmp, "startup.async")
    with open(script, "w") as f:
        f.write(STARTUP_SCRIPT)
    ap, py = [], []
    ref = [sys.executable, "-c", "pass"]
    # One discarded warm-up each (page cache, dynamic loader), then interleaved runs.
    if ctx.bin:
        measure(ctx.asyncplay(script), ctx.timeout)
    measure(ref, ctx.timeout)
    progress(f"startup: {runs} runs")
    for _ in range(runs):
        if ctx.bin:
            ap.append(measure(ctx.asyncplay(script), ctx.timeout)[0] * 1000)
        py.append(measure(ref, ctx.timeout)[0] * 1000)
    rows = []
    if ap:
        rows.append(["asyncplay run (10 lines)", f"{median(ap):.2f}", f"{p90(ap):.2f}"])
    else:
        rows.append(["asyncplay run (10 lines)", "-", "-"])
    rows.append(["python3 -c pass (reference)", f"{median(py):.2f}", f"{p90(py):.2f}"])
    print(table(["command", "median ms", "p90 ms"], rows))


# ---------------------------------------------------------------------------------------
# Part 3: real-clock timer lateness
# ---------------------------------------------------------------------------------------

LATE_N, LATE_START_MS, LATE_SPREAD_MS = 1000, 100, 2000


def parse_kv(line):
    return {k: float(v) for k, v in (kv.split("=") for kv in line.split())}


def section_lateness(ctx):
    """1,000 tasks whose sleeps end spread over 2 s, on the real clock: how late does each
    timer fire? asyncplay (`run --realtime --lateness-report`) and CPython's own loop
    (scripts/bench_lateness.py), interleaved."""
    print("\n== 3. real-clock timer lateness: %d sleeps ending %d..%d ms ==" %
          (LATE_N, LATE_START_MS, LATE_START_MS + LATE_SPREAD_MS))
    script = os.path.join(ctx.tmp, "lateness.async")
    with open(script, "w") as f:
        for i in range(LATE_N):
            us = LATE_START_MS * 1000 + i * LATE_SPREAD_MS * 1000 // LATE_N
            f.write(f"spawn T{i} {us / 1000:.3f}ms\n")
        f.write("gather\n")
    reps = int(os.environ.get("BENCH_LATENESS_REPS", "5"))
    here = os.path.dirname(os.path.abspath(__file__))
    ap, py = [], []
    for r in range(reps):
        if ctx.bin:
            progress(f"lateness rep {r + 1}/{reps}: asyncplay")
            report = os.path.join(ctx.tmp, "late.txt")
            measure([ctx.bin, "run", "--realtime", script, "--lateness-report", report], ctx.timeout)
            with open(report) as f:
                ap.append(parse_kv(f.read()))
        progress(f"lateness rep {r + 1}/{reps}: cpython")
        _, _, out = measure([sys.executable, os.path.join(here, "bench_lateness.py"), str(LATE_N),
                             str(LATE_START_MS), str(LATE_SPREAD_MS)], ctx.timeout, capture=True)
        py.append(parse_kv(out.strip().splitlines()[-1]))

    def row(name, runs):
        if not runs:
            return [name, "-", "-", "-"]
        return [name] + [f"{median([r[k] for r in runs]) / 1000:.3f}" for k in ("p50_us", "p99_us", "max_us")]
    print(table(["loop", "p50 ms", "p99 ms", "max ms"], [row("asyncplay (real clock)", ap), row("CPython asyncio", py)]))
    print(f"medians over {reps} runs of each, interleaved. Lateness = when the timer ran minus its deadline.")


SECTIONS = [
    ("scale", section_scale),
    ("startup", section_startup),
    ("lateness", section_lateness),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=".build/release/asyncplay")
    ap.add_argument("--python-only", action="store_true",
                    help="skip asyncplay; run only the CPython side (to test this script)")
    args = ap.parse_args()

    known = dict(SECTIONS)
    wanted = os.environ.get("BENCH_SECTIONS", " ".join(k for k, _ in SECTIONS)).split()
    unknown = [w for w in wanted if w not in known]
    if unknown:
        sys.exit(f"bench: unknown section(s) {' '.join(unknown)}; known: {' '.join(known)}")
    if not args.python_only and not os.access(args.bin, os.X_OK):
        sys.exit(f"bench: {args.bin} is not an executable file")

    ctx = Context(args)
    try:
        machine_header(ctx)
        for name, fn in SECTIONS:
            if name in wanted:
                fn(ctx)
    except RunFailed as e:
        sys.exit(f"bench: run failed: {e}")
    finally:
        shutil.rmtree(ctx.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
