#!/usr/bin/env python3
"""Benchmark driver for asyncplay (called by scripts/bench; run from the repo root).

What it measures, section by section (choose with BENCH_SECTIONS="suite views"):

  suite     the broad suite of ../shared/bench/suite: for every workload gen.py knows
            (fastpath body unnamed thread chain fanin tree gathergrp cancel waitfc
            waittmo parseerr parseerrfp) at every size (10k, 100k, 1M):
            `asyncplay run SCRIPT > /dev/null` (virtual clock) and the same work as
            hand-written CPython asyncio (`python3 pyasync.py WORKLOAD N`), ALTERNATING
            (A B A B ...) in this one command. Per child: CPU = user+sys of exactly that
            process (os.wait4), wall, peak RSS (ru_maxrss). parseerr* have no CPython side.
  views     on a fastpath run of BENCH_VIEW_N tasks (default 1M): the run alone, then the
            same run followed by one `status`, `tree`, `timeline`, one `why`, ten `why`;
            the cost of a view = CPU(run + view) - CPU(run).
  json      `run --json` vs `run` (text) on the same scripts; CPython writing the same
            JSON Lines (pyasync.py fastpath N --emit json) beside it.
  export    `asyncplay export python SCRIPT` (output to /dev/null) for growing script
            lengths: peak RSS and CPU. Does its memory grow with the length?
  realtime  the real clock: `run --realtime --speed 1000` on small scripts (1 line;
            BENCH_REALTIME_N tasks spaced 10 ms apart) vs the same scripts on the virtual
            clock: start-up and per-event overhead of the real-clock loop.
  startup   a 10-line script run many times (wall median and p90, CPU median), beside
            `python3 -c pass` as a reference point.
  lateness  real-clock timer lateness: 1,000 sleeps ending over 2 s, asyncplay
            (`--lateness-report`) vs CPython's own loop (scripts/bench_lateness.py).

At the end: the targets of issue 15 as PASS / FAIL / SKIP lines (SKIP: not measured in
this run, e.g. a section or a size was left out).

Every number printed is a median; each table says over how many runs ("reps"). A
difference of medians (views) is a difference of two medians of that many runs.
asyncplay's stdout goes to /dev/null; so does CPython's. When ../shared/bench/suite is
absent, the sections that need it (suite, views, json, export, realtime) say plainly
that they are skipped; startup and lateness still run.

Environment (knobs):
  BENCH_SECTIONS        sections to run, in the order above (default: all)
  BENCH_SIZES           suite sizes (default "10000 100000 1000000"; `_` allowed: 1_000_000)
  BENCH_WORKLOADS       suite workloads (default: every one gen.py lists, except view-*,
                        realtime and one, which other sections use)
  BENCH_REPS            runs of each side per (workload, size); default 9 for N <= 10k,
                        5 for N <= 100k, 3 above. When set, it applies to every size.
  BENCH_OLD_BIN         a second asyncplay binary (e.g. $(scripts/build-at 559dbc6)): the
                        suite then runs it too, alternating old, new, CPython, and prints a
                        before/after table (CPU, wall, peak memory, exit status). Targets
                        are judged on the new binary (ASYNCPLAY_BIN) only.
  BENCH_CPYTHON_MAX_N   largest N at which the CPython side runs (default: no limit).
                        The summary's ratio needs CPython at 100k only; 1M CPython runs
                        cost ~20 min of CPU for the whole suite.
  BENCH_VIEW_N          tasks of the views' run (default 1000000); BENCH_VIEW_REPS (3)
  BENCH_JSON_N          tasks for the json section (default 100000); BENCH_JSON_REPS (5);
                        BENCH_JSON_WORKLOADS (default "fastpath body")
  BENCH_EXPORT_SIZES    script lengths for export (default "10000 100000 1000000");
                        BENCH_EXPORT_REPS (3); BENCH_EXPORT_WORKLOAD (default body)
  BENCH_REALTIME_N      tasks of the real-clock script (default 1000); BENCH_REALTIME_REPS (9)
  BENCH_STARTUP_RUNS    start-up runs (default 50)
  BENCH_LATENESS_REPS   lateness runs (default 5)
  BENCH_TIMEOUT         seconds before one run is killed (default 900)
  BENCH_SUITE           the suite folder (default ../shared/bench/suite)

Exit status: 0 the runs finished (whatever the targets say); 1 a run failed (crashed,
killed by the timeout, or changed its exit status between runs); 2 bad usage.
"""
import argparse
import importlib.util
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

KIB = 1024

# Issue 15's targets (scripts/bench prints them as PASS/FAIL lines at the end).
TARGET_CPU_RATIO = 20.0        # every workload at 100k: CPython CPU / asyncplay CPU >= 20
TARGET_GROWTH = 11.0           # asyncplay CPU 1M / CPU 100k <= 11
TARGET_BYTES_PER_TASK = 350    # peak RSS at 1M / 1M <= 350
TARGET_FASTPATH_WALL = 2.0     # fastpath at 1M: median wall <= 2.0 s
# export python "does not grow with the script's length": from the shortest to the
# longest script, peak RSS grows by at most max(4 MiB, 10% of the shortest's peak).
EXPORT_SLACK_MB, EXPORT_SLACK_FRACTION = 4.0, 0.10


# ---------------------------------------------------------------------------------------
# Measuring one child process
# ---------------------------------------------------------------------------------------

class RunFailed(Exception):
    pass


class Sample:
    __slots__ = ("wall", "cpu", "rss_mb", "minflt", "rc", "out")

    def __init__(self, wall, cpu, rss_mb, minflt, rc, out):
        self.wall, self.cpu, self.rss_mb, self.minflt, self.rc, self.out = wall, cpu, rss_mb, minflt, rc, out


def measure(argv, timeout, capture=False, cwd=None, ok_rcs=None):
    """Run argv once, stdin from /dev/null, stdout to /dev/null (or captured).

    Returns a Sample: wall (fork..reap, s), cpu (user+sys of exactly this child, from
    os.wait4: RUSAGE_CHILDREN would mix in every child reaped so far), rss_mb (its
    ru_maxrss), minflt (minor page faults), rc (exit status), out (stdout if captured).
    A signal, the timeout, or an exit status outside ok_rcs (when given) raises RunFailed
    with the tail of stderr."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, cwd=cwd,
                             stdout=out if capture else subprocess.DEVNULL, stderr=err)
        killer = threading.Timer(timeout, p.kill)
        killer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - t0
        rc = os.waitstatus_to_exitcode(status)
        p.returncode = rc  # reaped here, not by Popen
        if rc < 0 or (ok_rcs is not None and rc not in ok_rcs):
            err.seek(0)
            tail = err.read()[-2000:].decode("utf-8", "replace").rstrip()
            why = (f"killed after {timeout:.0f} s (BENCH_TIMEOUT)" if rc == -signal.SIGKILL
                   else f"killed by signal {-rc}" if rc < 0 else f"exit status {rc}")
            raise RunFailed(f"{' '.join(argv)}: {why}" + (f"\n{tail}" if tail else ""))
        text = None
        if capture:
            out.seek(0)
            text = out.read().decode("utf-8", "replace")
        return Sample(wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / KIB, ru.ru_minflt, rc, text)


class Series:
    """Samples of one command, with their medians. The first run's exit status is the
    one every later run must give (a run that starts failing is a failed benchmark)."""

    def __init__(self, label):
        self.label = label
        self.samples = []

    def add(self, s):
        if self.samples and s.rc != self.samples[0].rc:
            raise RunFailed(f"{self.label}: exit status {s.rc}, but {self.samples[0].rc} on the first run")
        self.samples.append(s)

    def __len__(self):
        return len(self.samples)

    def med(self, field):
        return statistics.median(getattr(s, field) for s in self.samples) if self.samples else None

    @property
    def cpu(self):
        return self.med("cpu")

    @property
    def wall(self):
        return self.med("wall")

    @property
    def rss(self):
        return self.med("rss_mb")

    @property
    def rc(self):
        return self.samples[0].rc if self.samples else None


def p90(xs):
    s = sorted(xs)  # nearest rank
    return s[max(0, -(-9 * len(s) // 10) - 1)]


def table(header, rows, align=None):
    cols = list(zip(*([header] + rows)))
    widths = [max(len(str(c)) for c in col) for col in cols]
    align = align or ("<" + ">" * (len(header) - 1))
    fmt = "  ".join("{:%s%d}" % (a, w) for a, w in zip(align, widths))
    lines = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*[str(c) for c in r]) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def fmt(x, spec, none="-"):
    return none if x is None else format(x, spec)


def progress(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def env_ints(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return [int(s.replace("_", "")) for s in raw.split()]
    except ValueError:
        raise SystemExit(f"bench: {name}={raw!r}: expected whole numbers separated by spaces")


def env_int(name, default):
    v = env_ints(name, None)
    if v is None:
        return default
    if len(v) != 1:
        raise SystemExit(f"bench: {name} takes one number")
    return v[0]


def size_name(n):
    for unit, div in (("M", 1_000_000), ("k", 1_000)):
        if n >= div and n % div == 0:
            return f"{n // div}{unit}"
    return str(n)


# ---------------------------------------------------------------------------------------
# Context shared by the sections
# ---------------------------------------------------------------------------------------

class Context:
    def __init__(self, args):
        self.bin = None if args.python_only else os.path.abspath(args.bin)
        old = os.environ.get("BENCH_OLD_BIN")
        self.old_bin = os.path.abspath(old) if old and self.bin else None
        self.tmp = tempfile.mkdtemp(prefix="asyncplay-bench-")
        self.timeout = float(os.environ.get("BENCH_TIMEOUT", "900"))
        self.suite = os.path.abspath(os.environ.get("BENCH_SUITE", "../shared/bench/suite"))
        self.here = os.path.dirname(os.path.abspath(__file__))
        self.gen = None          # the gen.py module, when the suite is here
        self.workloads = []      # gen.py's workloads for the suite section
        self.py_workloads = set()  # those pyasync.py implements
        self.results = {}        # what the targets read: filled by the sections
        if os.path.isfile(os.path.join(self.suite, "gen.py")):
            spec = importlib.util.spec_from_file_location("bench_suite_gen", os.path.join(self.suite, "gen.py"))
            self.gen = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(self.gen)
            listed = re.findall(r"^  ([a-z][\w-]*)\s", self.gen.__doc__ or "", re.M)
            self.workloads = [w for w in listed if not w.startswith("view-") and w not in ("realtime", "one")]
            pyasync = os.path.join(self.suite, "pyasync.py")
            if os.path.isfile(pyasync):
                with open(pyasync) as f:
                    self.py_workloads = set(re.findall(r'\bw == "([\w-]+)"', f.read()))

    @property
    def have_suite(self):
        return self.gen is not None

    def script(self, workload, n, extra_lines=()):
        """Writes gen.py's script for (workload, n) into the temp folder (once) and
        returns its path. The files of 1M lines are large: drop() removes them."""
        tag = f"-{len(extra_lines)}x" if extra_lines else ""
        path = os.path.join(self.tmp, f"{workload}_{n}{tag}.async")
        if not os.path.exists(path):
            with open(path, "w") as f:
                for line in self.gen.lines(workload, n):
                    f.write(line + "\n")
                for line in extra_lines:
                    f.write(line + "\n")
        return path

    def drop(self, path):
        try:
            os.remove(path)
        except OSError:
            pass

    def run_ap(self, script, *flags):
        return [self.bin, "run", *flags, script]

    def run_py(self, workload, n, *flags):
        return [sys.executable, os.path.join(self.suite, "pyasync.py"), workload, str(n), *flags]

    def skip_without_suite(self, title):
        if not self.have_suite:
            print(f"SKIPPED: {self.suite} is missing (../shared/bench is not here): "
                  f"the {title} needs the suite's gen.py.")
            return True
        if not self.bin:
            print(f"SKIPPED: --python-only: the {title} measures asyncplay.")
            return True
        return False


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
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f", {kb / KIB / KIB:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    print(f"machine  : {nproc} cpus (nproc), {model}{mem}, {platform.system()} {platform.release()}")
    try:
        print(f"load     : {open('/proc/loadavg').read().split()[:3]} (1/5/15-min load average at the start)")
    except OSError:
        pass
    print(f"python   : {sys.executable} {platform.python_version()}")
    if ctx.bin:
        rev = ""
        mine = ctx.bin.startswith(os.path.join(os.getcwd(), ".build") + os.sep)
        try:
            # What the binary is built from (when it is this checkout's): the last commit
            # that touched the sources, and whether they have changed since.
            git = lambda *a: subprocess.run(["git", *a], capture_output=True, text=True,  # noqa: E731
                                            timeout=10).stdout.strip()
            paths = ["Sources", "Package.swift"]
            rev = git("log", "-1", "--format=%h", "--", *paths) if mine else ""
            m = re.search(r"asyncplay-build-at/([0-9a-f]{40})/", ctx.bin)
            if m:  # scripts/build-at's cache
                rev = f"commit {m.group(1)[:7]} (scripts/build-at)"
            elif rev:
                rev = f"this checkout's sources of {rev}" + (" + uncommitted changes" if git("status", "--porcelain", "--", *paths) else "")
        except (OSError, subprocess.SubprocessError):
            pass
        rel = os.path.relpath(ctx.bin)
        shown = ctx.bin if rel.startswith("..") else rel
        print(f"asyncplay: {shown} ({os.path.getsize(ctx.bin) / KIB / KIB:.1f} MB)"
              + (f", {rev}" if rev else ""))
    else:
        print("asyncplay: skipped (--python-only)")
    if ctx.old_bin:
        print(f"old bin  : {ctx.old_bin} (BENCH_OLD_BIN: also run in the suite, alternating)")
    print(f"suite    : {ctx.suite}" + ("" if ctx.have_suite else " (MISSING: the suite is skipped)"))
    print(f"date     : {time.strftime('%Y-%m-%d %H:%M:%S %z')}")


# ---------------------------------------------------------------------------------------
# suite
# ---------------------------------------------------------------------------------------

def default_reps(n):
    return 9 if n <= 10_000 else 5 if n <= 100_000 else 3


def section_suite(ctx):
    print("\n== suite: ../shared/bench/suite workloads, asyncplay (virtual clock) vs CPython asyncio, alternating ==")
    if not ctx.have_suite:
        print(f"SKIPPED: {ctx.suite} is missing (../shared/bench is not here): no suite, no CPython side.")
        return
    sizes = env_ints("BENCH_SIZES", [10_000, 100_000, 1_000_000])
    wanted = os.environ.get("BENCH_WORKLOADS", "").split() or ctx.workloads
    unknown = [w for w in wanted if w not in ctx.workloads]
    if unknown:
        raise SystemExit(f"bench: unknown workload(s) {' '.join(unknown)}; gen.py knows: {' '.join(ctx.workloads)}")
    reps_env = env_int("BENCH_REPS", None)
    py_max = env_int("BENCH_CPYTHON_MAX_N", None)

    res = ctx.results.setdefault("suite", {})   # (workload, n) -> (ap Series, py Series)
    old_res = {}                                 # (workload, n) -> the old binary's Series
    for n in sizes:
        reps = reps_env or default_reps(n)
        for w in wanted:
            script = ctx.script(w, n) if ctx.bin else None
            ap, py = Series(f"asyncplay {w} {n}"), Series(f"cpython {w} {n}")
            do_py = w in ctx.py_workloads and (py_max is None or n <= py_max)
            old = Series(f"old asyncplay {w} {n}")
            for r in range(reps):
                # Alternating: asyncplay, CPython, asyncplay, CPython, ... so that the
                # machine's noise falls on both sides alike (and the old binary first,
                # when there is one).
                if ctx.old_bin:
                    progress(f"suite {w} N={n} rep {r + 1}/{reps}: old asyncplay")
                    old.add(measure([ctx.old_bin, "run", script], ctx.timeout))
                if ctx.bin:
                    progress(f"suite {w} N={n} rep {r + 1}/{reps}: asyncplay")
                    ap.add(measure(ctx.run_ap(script), ctx.timeout))
                if do_py:
                    progress(f"suite {w} N={n} rep {r + 1}/{reps}: cpython")
                    py.add(measure(ctx.run_py(w, n), ctx.timeout, ok_rcs=(0,)))
            res[(w, n)] = (ap, py)
            if ctx.old_bin:
                old_res[(w, n)] = old
            if script:
                ctx.drop(script)

    # The detail: every size.
    rows = []
    for (w, n), (ap, py) in res.items():
        ratio = py.cpu / ap.cpu if ap.cpu and py.cpu else None
        rows.append([w, f"{n:,}", f"{len(ap)}/{len(py)}", fmt(ap.cpu, ".3f"), fmt(ap.wall, ".3f"),
                     fmt(ap.rss, ".1f"), fmt(ap.rss and ap.rss * KIB * KIB / n, ".0f"),
                     fmt(ap.med("minflt"), ".0f"), fmt(ap.rc, "d"), fmt(py.cpu, ".3f"), fmt(py.rss, ".1f"),
                     fmt(ratio, ".1f", "-") + ("x" if ratio else "")])
    print(table(["workload", "N", "reps ap/py", "ap CPU s", "ap wall s", "ap peak MB", "ap B/task",
                 "ap faults", "ap exit", "py CPU s", "py peak MB", "py/ap CPU"], rows))
    print("All medians of `reps` runs (asyncplay/CPython), alternating. CPU = user+sys of the whole\n"
          "process (start-up, parsing and the transcript included for asyncplay; interpreter start-up\n"
          "for CPython, which prints nothing per event and so is favoured). peak MB = ru_maxrss;\n"
          "B/task = peak RSS / N; faults = minor page faults (ru_minflt: one per 4 KB page, one per\n"
          "2 MB huge page; when the kernel has no huge pages to give, they and sys time grow).\n"
          "py/ap CPU > 1: asyncplay uses less CPU. '-': not run (no CPython version of that\n"
          "workload, or above BENCH_CPYTHON_MAX_N).")

    # The summary the issue asks for: 100k against CPython, 1M growth and memory.
    print("\nSummary (issue 15): medians; reps as in the detail above.")
    rows = []
    for w in wanted:
        ap_m, py_m = res.get((w, 100_000), (None, None))
        ap_b, _ = res.get((w, 1_000_000), (None, None))
        c_m = ap_m.cpu if ap_m else None
        p_m = py_m.cpu if py_m and len(py_m) else None
        c_b = ap_b.cpu if ap_b else None
        ratio = p_m / c_m if c_m and p_m else None
        growth = c_b / c_m if c_b and c_m else None
        bpt = ap_b.rss * KIB * KIB / 1_000_000 if ap_b and ap_b.rss else None
        rows.append([w, fmt(c_m, ".3f"), fmt(p_m, ".3f"), fmt(ratio, ".1f") + ("x" if ratio else ""),
                     fmt(c_b, ".3f"), fmt(growth, ".1f") + ("x" if growth else ""), fmt(bpt, ".0f"),
                     fmt(ap_b.wall if ap_b else None, ".3f")])
    print(table(["workload", "asyncplay CPU 100k", "CPython CPU 100k", "CPython/asyncplay",
                 "asyncplay CPU 1M", "growth 100k→1M", "bytes/task 1M", "asyncplay wall 1M"], rows))

    if old_res:
        print(f"\nBefore / after: BENCH_OLD_BIN={ctx.old_bin}\nagainst {ctx.bin}, alternating old, new, CPython.")
        rows = []
        for (w, n), old in old_res.items():
            new = res[(w, n)][0]
            rows.append([w, f"{n:,}", str(len(old)), f"{old.cpu:.3f}", f"{new.cpu:.3f}", f"{new.cpu / old.cpu:.2f}x",
                         f"{old.wall:.3f}", f"{new.wall:.3f}", f"{old.rss:.1f}", f"{new.rss:.1f}",
                         f"{new.rss / old.rss:.2f}x", "same" if old.rc == new.rc else f"{old.rc} -> {new.rc}"])
        print(table(["workload", "N", "reps", "old CPU s", "new CPU s", "new/old CPU", "old wall s", "new wall s",
                     "old peak MB", "new peak MB", "new/old peak", "exit"], rows))
        print("medians of `reps` runs each; new/old < 1: the new binary uses less.")


# ---------------------------------------------------------------------------------------
# views
# ---------------------------------------------------------------------------------------

VIEWS = [("run alone", "fastpath"), ("status", "view-status"), ("tree", "view-tree"),
         ("timeline", "view-timeline"), ("why T5 (one)", "view-why"), ("ten why", "view-why10")]
TARGET_VIEWS = ("status", "tree", "timeline", "ten why")


def section_views(ctx):
    n = env_int("BENCH_VIEW_N", 1_000_000)
    reps = env_int("BENCH_VIEW_REPS", 3)
    print(f"\n== views: a fastpath run of {n:,} tasks + gather, then one view line (asyncplay) ==")
    if ctx.skip_without_suite("views section"):
        return
    scripts = {label: ctx.script(w, n) for label, w in VIEWS}
    series = {label: Series(f"view {label}") for label, _ in VIEWS}
    for r in range(reps):
        for label, _ in VIEWS:
            progress(f"views N={n} rep {r + 1}/{reps}: {label}")
            series[label].add(measure(ctx.run_ap(scripts[label]), ctx.timeout))
    base = series["run alone"]
    rows = []
    for label, w in VIEWS:
        s = series[label]
        extra = s.cpu - base.cpu if label != "run alone" else None
        rows.append([label, w, str(len(s)), f"{s.cpu:.3f}", fmt(extra, "+.3f"),
                     fmt(extra / base.cpu if extra is not None else None, ".2f") + ("x" if extra is not None else ""),
                     f"{s.wall:.3f}", f"{s.rss:.1f}", f"{s.med('minflt'):.0f}"])
    print(table(["script", "gen.py workload", "reps", "CPU s", "view CPU s", "view/run", "wall s", "peak MB",
                 "faults"], rows))
    total = sum(series[v].cpu - base.cpu for v in TARGET_VIEWS)
    print(f"view CPU = median CPU of (run + view) - median CPU of the run alone (medians of {reps} runs,\n"
          f"alternating run, status, tree, ...). status + tree + timeline + ten why = {total:.3f} s,\n"
          f"{total / base.cpu:.2f}x the run ({base.cpu:.3f} s).")
    ctx.results["views"] = {"n": n, "run": base.cpu, "total": total, "reps": reps}
    for p in scripts.values():
        ctx.drop(p)


# ---------------------------------------------------------------------------------------
# json
# ---------------------------------------------------------------------------------------

def section_json(ctx):
    n = env_int("BENCH_JSON_N", 100_000)
    reps = env_int("BENCH_JSON_REPS", 5)
    wls = os.environ.get("BENCH_JSON_WORKLOADS", "fastpath body").split()
    print(f"\n== json: `run --json` vs `run` (text), {n:,} tasks ==")
    if ctx.skip_without_suite("json section"):
        return
    rows = []
    for w in wls:
        script = ctx.script(w, n)
        text, js, py = Series(f"text {w}"), Series(f"json {w}"), Series(f"py json {w}")
        # pyasync.py writes JSON Lines only for fastpath (its --emit json).
        do_py = w == "fastpath"
        for r in range(reps):
            progress(f"json {w} N={n} rep {r + 1}/{reps}")
            text.add(measure(ctx.run_ap(script), ctx.timeout))
            js.add(measure(ctx.run_ap(script, "--json"), ctx.timeout))
            if do_py:
                py.add(measure(ctx.run_py(w, n, "--emit", "json"), ctx.timeout, ok_rcs=(0,)))
        rows.append([w, str(reps), f"{text.cpu:.3f}", f"{js.cpu:.3f}", f"{js.cpu / text.cpu:.2f}x",
                     f"{text.rss:.1f}", f"{js.rss:.1f}", fmt(py.cpu, ".3f"),
                     fmt(py.cpu / js.cpu if py.cpu else None, ".1f") + ("x" if py.cpu else "")])
        ctx.drop(script)
    print(table(["workload", "reps", "text CPU s", "json CPU s", "json/text", "text MB", "json MB",
                 "py json CPU s", "py/ap json"], rows))
    print("medians of `reps` runs each, alternating text, json (and CPython). py json = pyasync.py\n"
          "WORKLOAD N --emit json (C json encoder; fastpath only).")


# ---------------------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------------------

def section_export(ctx):
    sizes = env_ints("BENCH_EXPORT_SIZES", [10_000, 100_000, 1_000_000])
    reps = env_int("BENCH_EXPORT_REPS", 3)
    w = os.environ.get("BENCH_EXPORT_WORKLOAD", "body")
    print(f"\n== export: `asyncplay export python SCRIPT > /dev/null`, gen.py {w} scripts of growing length ==")
    if ctx.skip_without_suite("export section"):
        return
    rows, peaks = [], []
    for n in sizes:
        script = ctx.script(w, n)
        size_mb = os.path.getsize(script) / KIB / KIB
        s = Series(f"export {w} {n}")
        for r in range(reps):
            progress(f"export {w} N={n} rep {r + 1}/{reps}")
            s.add(measure([ctx.bin, "export", "python", script], ctx.timeout))
        peaks.append((n, s.rss))
        rows.append([f"{n:,}", f"{size_mb:.1f}", str(reps), f"{s.cpu:.3f}", f"{s.wall:.3f}", f"{s.rss:.1f}",
                     f"{s.rss * KIB * KIB / n:.0f}", fmt(s.rc, "d")])
        ctx.drop(script)
    print(table(["lines", "script MB", "reps", "CPU s", "wall s", "peak MB", "peak B/line", "exit"], rows))
    print("medians of `reps` runs. Constant memory means peak MB stays put as the lines grow.")
    ctx.results["export"] = peaks


# ---------------------------------------------------------------------------------------
# realtime
# ---------------------------------------------------------------------------------------

def section_realtime(ctx):
    n = env_int("BENCH_REALTIME_N", 1000)
    reps = env_int("BENCH_REALTIME_REPS", 9)
    speed = "1000"
    print(f"\n== realtime: `run --realtime --speed {speed}` vs the virtual clock, small scripts ==")
    if ctx.skip_without_suite("realtime section"):
        return
    cases = [("one", 1, "1 line: spawn A 1s"),
             ("realtime", n, f"{n:,} x spawn T<i> <i*10>ms, gather ({n * 10 / 1000:.0f} s of loop time)")]
    rows = []
    for w, k, what in cases:
        script = ctx.script(w, k)
        virt, real = Series(f"virtual {w}"), Series(f"realtime {w}")
        for r in range(reps):
            progress(f"realtime {w} N={k} rep {r + 1}/{reps}")
            virt.add(measure(ctx.run_ap(script), ctx.timeout))
            real.add(measure(ctx.run_ap(script, "--realtime", "--speed", speed), ctx.timeout))
        ideal_ms = (k - 1) * 10 / float(speed) if w == "realtime" else 0.0
        rows.append([what, str(reps), f"{virt.wall * 1000:.1f}", f"{virt.cpu * 1000:.1f}",
                     f"{real.wall * 1000:.1f}", f"{real.cpu * 1000:.1f}", f"{ideal_ms:.1f}",
                     f"{real.rss:.1f}"])
        ctx.drop(script)
    print(table(["script", "reps", "virtual wall ms", "virtual CPU ms", "realtime wall ms",
                 "realtime CPU ms", "loop time / speed ms", "realtime peak MB"], rows))
    print(f"medians of `reps` runs, alternating virtual and real clock. `one`'s script is 1 s of\n"
          f"loop time; asyncplay cancels the pending task at the end without waiting for it.\n"
          f"'loop time / speed' = the least wall a real-clock run can take (last timer / {speed}).")


# ---------------------------------------------------------------------------------------
# startup
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
    runs = env_int("BENCH_STARTUP_RUNS", 50)
    print(f"\n== startup: a 10-line script, {runs} runs ==")
    script = os.path.join(ctx.tmp, "startup.async")
    with open(script, "w") as f:
        f.write(STARTUP_SCRIPT)
    ap, py = [], []
    ref = [sys.executable, "-c", "pass"]
    # One discarded warm-up each (page cache, dynamic loader), then alternating runs.
    if ctx.bin:
        measure(ctx.run_ap(script), ctx.timeout)
    measure(ref, ctx.timeout)
    progress(f"startup: {runs} runs")
    for _ in range(runs):
        if ctx.bin:
            ap.append(measure(ctx.run_ap(script), ctx.timeout, ok_rcs=(0,)))
        py.append(measure(ref, ctx.timeout))

    def row(name, ss):
        if not ss:
            return [name, "-", "-", "-", "-"]
        w = [s.wall * 1000 for s in ss]
        return [name, str(len(ss)), f"{statistics.median(w):.2f}", f"{p90(w):.2f}",
                f"{statistics.median(s.cpu * 1000 for s in ss):.2f}"]
    print(table(["command", "runs", "median wall ms", "p90 wall ms", "median CPU ms"],
                [row("asyncplay run (10 lines)", ap), row("python3 -c pass (reference)", py)]))


# ---------------------------------------------------------------------------------------
# lateness
# ---------------------------------------------------------------------------------------

LATE_N, LATE_START_MS, LATE_SPREAD_MS = 1000, 100, 2000


def parse_kv(line):
    return {k: float(v) for k, v in (kv.split("=") for kv in line.split())}


def section_lateness(ctx):
    """1,000 tasks whose sleeps end spread over 2 s, on the real clock: how late does each
    timer fire? asyncplay (`run --realtime --lateness-report`) and CPython's own loop
    (scripts/bench_lateness.py), alternating."""
    print("\n== lateness: real-clock timers, %d sleeps ending %d..%d ms ==" %
          (LATE_N, LATE_START_MS, LATE_START_MS + LATE_SPREAD_MS))
    script = os.path.join(ctx.tmp, "lateness.async")
    with open(script, "w") as f:
        for i in range(LATE_N):
            us = LATE_START_MS * 1000 + i * LATE_SPREAD_MS * 1000 // LATE_N
            f.write(f"spawn T{i} {us / 1000:.3f}ms\n")
        f.write("gather\n")
    reps = env_int("BENCH_LATENESS_REPS", 5)
    ap, py = [], []
    for r in range(reps):
        if ctx.bin:
            progress(f"lateness rep {r + 1}/{reps}: asyncplay")
            report = os.path.join(ctx.tmp, "late.txt")
            measure([ctx.bin, "run", "--realtime", script, "--lateness-report", report], ctx.timeout, ok_rcs=(0,))
            with open(report) as f:
                ap.append(parse_kv(f.read()))
        progress(f"lateness rep {r + 1}/{reps}: cpython")
        s = measure([sys.executable, os.path.join(ctx.here, "bench_lateness.py"), str(LATE_N),
                     str(LATE_START_MS), str(LATE_SPREAD_MS)], ctx.timeout, capture=True, ok_rcs=(0,))
        py.append(parse_kv(s.out.strip().splitlines()[-1]))

    def row(name, runs):
        if not runs:
            return [name, "-", "-", "-", "-"]
        return [name, str(len(runs))] + [f"{statistics.median([r[k] for r in runs]) / 1000:.3f}"
                                         for k in ("p50_us", "p99_us", "max_us")]
    print(table(["loop", "reps", "p50 ms", "p99 ms", "max ms"],
                [row("asyncplay (real clock)", ap), row("CPython asyncio", py)]))
    print("medians over `reps` runs of each, alternating. Lateness = when the timer ran minus its deadline.")


# ---------------------------------------------------------------------------------------
# targets
# ---------------------------------------------------------------------------------------

def targets(ctx):
    print("\n== issue 15 targets (from the medians above) ==")
    suite = ctx.results.get("suite", {})
    lines = []

    def missing(section, need):
        if section not in ctx.sections:
            return f"not measured (the {section} section was not run: BENCH_SECTIONS)"
        if not ctx.have_suite:
            return "not measured (../shared/bench/suite is missing: the suite was skipped)"
        if not ctx.bin:
            return "not measured (--python-only)"
        return f"not measured ({need})"

    def line(ok, text):
        lines.append(f"{'SKIP' if ok is None else 'PASS' if ok else 'FAIL'}  {text}")

    # 1. every workload at 100k uses <= 1/20 of CPython's CPU.
    pairs = [(w, py.cpu / ap.cpu) for (w, n), (ap, py) in suite.items()
             if n == 100_000 and ap.cpu and len(py)]
    if pairs:
        bad = [f"{w} {r:.1f}x" for w, r in pairs if r < TARGET_CPU_RATIO]
        worst = min(pairs, key=lambda p: p[1])
        line(not bad, f"100k: every workload uses <= 1/{TARGET_CPU_RATIO:.0f} of CPython's CPU "
                      f"(worst {worst[0]} {worst[1]:.1f}x over {len(pairs)} workloads"
                      + (f"; below: {', '.join(bad)}" if bad else "") + ")")
    else:
        line(None, "100k vs CPython: " + missing("suite", "needs 100000 in BENCH_SIZES and CPython at 100k"))

    # 2. CPU grows <= 11x from 100k to 1M.
    growth = [(w, suite[(w, 1_000_000)][0].cpu / ap.cpu) for (w, n), (ap, _) in suite.items()
              if n == 100_000 and (w, 1_000_000) in suite and ap.cpu]
    if growth:
        bad = [f"{w} {g:.1f}x" for w, g in growth if g > TARGET_GROWTH]
        worst = max(growth, key=lambda p: p[1])
        line(not bad, f"CPU grows <= {TARGET_GROWTH:.0f}x from 100k to 1M tasks (worst {worst[0]} {worst[1]:.1f}x"
                      + (f"; above: {', '.join(bad)}" if bad else "") + ")")
    else:
        line(None, "growth 100k -> 1M: " + missing("suite", "needs 100000 and 1000000 in BENCH_SIZES"))

    # 3. <= 350 bytes of peak memory per task at 1M.
    mem = [(w, ap.rss * KIB * KIB / n) for (w, n), (ap, _) in suite.items() if n == 1_000_000 and ap.rss]
    if mem:
        bad = [f"{w} {b:.0f}" for w, b in mem if b > TARGET_BYTES_PER_TASK]
        worst = max(mem, key=lambda p: p[1])
        line(not bad, f"<= {TARGET_BYTES_PER_TASK} bytes of peak RSS per task at 1M (worst {worst[0]} {worst[1]:.0f}"
                      + (f"; above: {', '.join(bad)}" if bad else "") + ")")
    else:
        line(None, "bytes per task at 1M: " + missing("suite", "needs 1000000 in BENCH_SIZES"))

    # 4. status + tree + timeline + ten why on a 1M run cost less than the run.
    v = ctx.results.get("views")
    if v and v["n"] == 1_000_000:
        line(v["total"] < v["run"], f"status + tree + timeline + ten why on a 1M-task run cost less than the run "
                                    f"({v['total']:.3f} s vs {v['run']:.3f} s: {v['total'] / v['run']:.2f}x)")
    elif v:
        line(None, f"views: measured on {v['n']:,} tasks, not 1M ({v['total']:.3f} s vs the run's "
                   f"{v['run']:.3f} s: {v['total'] / v['run']:.2f}x)")
    else:
        line(None, "views on a 1M run: " + missing("views", "?"))

    # 5. export python memory does not grow with the script's length.
    e = ctx.results.get("export")
    if e and len(e) >= 2:
        (n0, m0), (n1, m1) = e[0], e[-1]
        allowed = max(EXPORT_SLACK_MB, EXPORT_SLACK_FRACTION * m0)
        line(m1 - m0 <= allowed, f"export python memory does not grow with the length: {n0:,} lines "
                                 f"{m0:.1f} MB -> {n1:,} lines {m1:.1f} MB (allowed: +{allowed:.1f} MB)")
    else:
        line(None, "export python memory: " + missing("export", "needs two sizes or more in BENCH_EXPORT_SIZES"))

    # 6. plain spawns at 1M <= 2.0 s wall.
    fp = suite.get(("fastpath", 1_000_000))
    if fp and fp[0].wall:
        line(fp[0].wall <= TARGET_FASTPATH_WALL, f"fastpath (plain spawns) at 1M <= {TARGET_FASTPATH_WALL:.1f} s wall "
                                                 f"({fp[0].wall:.3f} s, median of {len(fp[0])})")
    else:
        line(None, "fastpath at 1M wall: " + missing("suite", "needs fastpath in BENCH_WORKLOADS and 1000000 in BENCH_SIZES"))
    print("\n".join(lines))


SECTIONS = [
    ("suite", section_suite),
    ("views", section_views),
    ("json", section_json),
    ("export", section_export),
    ("realtime", section_realtime),
    ("startup", section_startup),
    ("lateness", section_lateness),
]


def main():
    ap = argparse.ArgumentParser(prog="scripts/bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.environ.get("ASYNCPLAY_BIN", ".build/release/asyncplay"),
                    help="the asyncplay binary (default $ASYNCPLAY_BIN or .build/release/asyncplay)")
    ap.add_argument("--python-only", action="store_true",
                    help="skip asyncplay; run only the CPython side of the suite (to test this script)")
    args = ap.parse_args()

    known = dict(SECTIONS)
    wanted = os.environ.get("BENCH_SECTIONS", " ".join(k for k, _ in SECTIONS)).split()
    unknown = [w for w in wanted if w not in known]
    if unknown:
        print(f"bench: unknown section(s) {' '.join(unknown)}; known: {' '.join(known)}", file=sys.stderr)
        sys.exit(2)
    if not args.python_only and not os.access(args.bin, os.X_OK):
        print(f"bench: {args.bin} is not an executable file", file=sys.stderr)
        sys.exit(2)

    old = os.environ.get("BENCH_OLD_BIN")
    if old and not os.access(old, os.X_OK):
        print(f"bench: BENCH_OLD_BIN={old} is not an executable file", file=sys.stderr)
        sys.exit(2)
    ctx = Context(args)
    ctx.sections = wanted
    t0 = time.monotonic()
    try:
        machine_header(ctx)
        print(f"sections : {' '.join(w for w, _ in SECTIONS if w in wanted)}")
        for name, fn in SECTIONS:
            if name in wanted:
                fn(ctx)
                sys.stdout.flush()
        targets(ctx)
        try:
            load = open("/proc/loadavg").read().split()[:3]
        except OSError:
            load = "?"
        print(f"\n(bench took {(time.monotonic() - t0) / 60:.1f} min; load average at the end {load})")
    except RunFailed as e:
        print(f"bench: run failed: {e}", file=sys.stderr)
        sys.exit(1)
    finally:
        shutil.rmtree(ctx.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
