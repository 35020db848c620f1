#!/usr/bin/env python3
"""gen_corners.py: seeded programs for the corners ../shared/oracle/gen_programs.py avoids
on purpose, with the CPython oracle's transcripts as their expectations:

  * await cycles of 2-4 tasks, spawned on one line (oracle decision 5), and chains of
    1-3 tasks that lead into a cycle;
  * what reaches them: `cancel` of any member, `await ... timeout`, `gather ... timeout`
    (where CPython's cancel recurses: RecursionError into main), `wait`, `status`, and
    asyncio.run's own shutdown at `reset` and at the end (decisions 7 and 8);
  * raising commands in the middle of a `;` chain (the rest of the line is skipped,
    decision 3) and `reset` in the middle of a chain;
  * `wait ... first_exception` over tasks that already failed, or whose failure is the
    last completion (decisions 30 and 31: which exceptions stay unretrieved).

    python3 gen_corners.py --seed 19 --count 60 --out DIR [--oracle PATH] [--jobs J]

writes DIR/scenarios/corner_S_i.async and DIR/expected/corner_S_i.jsonl (+ .rc when the
exit status is not 0), the layout ../shared/oracle/run_all.sh reads. Program i of seed S
is the same everywhere. A program is kept only when the oracle exits 0 or 1, says
nothing on stderr, and prints the same bytes on two runs; otherwise the next candidate
of the same stream is tried.
"""
import argparse
import concurrent.futures
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ORACLE = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "oracle", "asyncio_ref.py"))

DURATIONS = ["0", "1ms", "100ms", "250ms", "500ms", "1s", "1.5s", "2s"]
TYPES = ["ValueError", "KeyError", "RuntimeError", "DbError"]


class Program:
    def __init__(self, rng):
        self.rng = rng
        self.lines = []
        self.live = []          # names spawned since the last reset, in order
        self.cycles = []        # each: the names of one cycle (and the chains into it)
        self.counter = 0

    def name(self):
        self.counter += 1
        return "ABCDEFGHJKMNPQRSTUVWXYZ"[self.counter % 23] + str(self.counter)

    # -- spawns ------------------------------------------------------------------------
    def cycle(self):
        """`spawn X1 await X2; ...; spawn Xn await X1`, maybe with chains into it."""
        rng = self.rng
        size = rng.randint(2, 4)
        members = [self.name() for _ in range(size)]
        parts = []
        # A member may sleep or work first: the cycle closes later, not at once.
        for i, m in enumerate(members):
            steps = []
            if rng.random() < 0.25:
                steps.append(rng.choice(["100ms", "cpu 10ms", "thread 50ms", "0"]))
            steps.append("await " + members[(i + 1) % size])
            parts.append(f"spawn {m} " + ", ".join(steps))
        chains = []
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            length = rng.randint(1, 3)
            chain = [self.name() for _ in range(length)]
            target = rng.choice(members)
            for k, c in enumerate(chain):
                nxt = chain[k + 1] if k + 1 < length else target
                parts.append(f"spawn {c} await {nxt}")
            chains += chain
        # Order of the spawns on the line: creation order decides shutdown order.
        if rng.random() < 0.5:
            rng.shuffle(parts)
        self.lines.append("; ".join(parts))
        names = [p.split()[1] for p in parts]
        self.live += names
        self.cycles.append(names)

    def plain(self):
        rng = self.rng
        n = self.name()
        kind = rng.random()
        if kind < 0.35:
            body = rng.choice(DURATIONS)
        elif kind < 0.65:
            body = f"{rng.choice(DURATIONS)}, fail {rng.choice(TYPES)} \"{n.lower()}\""
        elif kind < 0.8:
            body = f"thread {rng.choice(['0', '100ms', '1s'])}"
        elif kind < 0.9 and self.live:
            body = f"{rng.choice(['0', '100ms'])}, await {rng.choice(self.live)}"
        else:
            body = f"cpu {rng.choice(['0', '10ms', '200ms'])} -> {rng.randint(0, 9)}"
        self.live.append(n)
        return f"spawn {n} {body}"

    # -- commands ----------------------------------------------------------------------
    def target(self):
        if self.cycles and self.rng.random() < 0.7:
            return self.rng.choice(self.rng.choice(self.cycles))
        return self.rng.choice(self.live) if self.live else None

    def command(self):
        """One main command; may raise into main."""
        rng = self.rng
        t = self.target()
        if t is None:
            return self.plain()
        r = rng.random()
        if r < 0.18:
            return f"cancel {t}"
        if r < 0.32:
            return f"await {t} timeout {rng.choice(['0', '100ms', '1s'])}"
        if r < 0.42:
            names = sorted(set(rng.sample(self.live, min(len(self.live), rng.randint(1, 3)))))
            opt = " return_exceptions" if rng.random() < 0.4 else ""
            return f"gather {' '.join(names)}{opt} timeout {rng.choice(['0', '100ms', '1s'])}"
        if r < 0.54:
            names = rng.sample(self.live, min(len(self.live), rng.randint(1, 3)))
            mode = rng.choice(["first_exception", "first_exception", "first_completed", "all_completed"])
            timeout = f" timeout {rng.choice(['0', '100ms', '1s'])}" if rng.random() < 0.6 else ""
            return f"wait {' '.join(names)} {mode}{timeout}"
        if r < 0.64:
            return "status"
        if r < 0.72:
            return f"result {t}"
        if r < 0.8:
            return f"sleep {rng.choice(['0', '100ms', '1s'])}"
        if r < 0.86:
            return "time"
        if r < 0.92 and not self.cycles_awaitable(t):
            return f"await {t}"
        return self.plain()

    def cycles_awaitable(self, t):
        # `await` of a cycle member without a timeout is a DeadlockError unless something
        # else keeps the loop busy: allowed now and then (the deadlock path is a corner
        # too), mostly not.
        return any(t in c for c in self.cycles) and self.rng.random() < 0.7

    def chain_line(self):
        """Several commands on one `;` line: a raising one in the middle skips the rest; a
        `reset` in the middle starts the rest on a fresh loop."""
        rng = self.rng
        cmds = [self.command() for _ in range(rng.randint(2, 4))]
        if rng.random() < 0.3:
            cmds.insert(rng.randint(1, len(cmds)), "reset")
        line = "; ".join(cmds)
        if "reset" in cmds:
            self.after_reset(cmds[cmds.index("reset") + 1:])
        return line

    def after_reset(self, rest):
        self.live, self.cycles, carried = [], [], []
        for c in rest:
            if c.startswith("spawn "):
                carried.append(c.split()[1])
        self.live = carried

    def build(self, index, seed):
        rng = self.rng
        self.lines.append(f"# corner program {index} of seed {seed} (Tests/corners/gen_corners.py)")
        for _ in range(rng.randint(0, 2)):
            self.lines.append(self.plain())
        self.cycle()
        for _ in range(rng.randint(3, 9)):
            r = rng.random()
            if r < 0.15:
                self.cycle()
            elif r < 0.3:
                self.lines.append(self.plain())
            elif r < 0.55:
                self.lines.append(self.chain_line())
            elif r < 0.6:
                self.lines.append("reset")
                self.after_reset([])
                self.cycle()
            elif r < 0.65:
                self.lines.append(f"set workers {rng.randint(1, 3)}")
            else:
                self.lines.append(self.command())
        if rng.random() < 0.2:
            self.lines.append("exit")
        return "\n".join(self.lines) + "\n"


def oracle_run(oracle, text):
    p = subprocess.run([sys.executable, oracle, "--json", "-"], input=text.encode(),
                       capture_output=True, timeout=20)
    return p.returncode, p.stdout, p.stderr


def make(args, index):
    rng = random.Random(f"corners-{args.seed}-{index}")
    for _ in range(50):
        text = Program(rng).build(index, args.seed)
        try:
            rc, out, err = oracle_run(args.oracle, text)
            if rc not in (0, 1) or err:
                continue
            rc2, out2, err2 = oracle_run(args.oracle, text)
        except subprocess.TimeoutExpired:
            continue
        if (rc2, out2, err2) != (rc, out, err):
            continue
        return index, text, rc, out
    raise SystemExit(f"gen_corners: no stable program for index {index}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--out", required=True)
    ap.add_argument("--oracle", default=DEFAULT_ORACLE)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    os.makedirs(os.path.join(args.out, "scenarios"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "expected"), exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        for index, text, rc, out in ex.map(lambda i: make(args, i), range(args.count)):
            name = f"corner_{args.seed}_{index:03d}"
            with open(os.path.join(args.out, "scenarios", name + ".async"), "w") as f:
                f.write(text)
            with open(os.path.join(args.out, "expected", name + ".jsonl"), "wb") as f:
                f.write(out)
            if rc != 0:
                with open(os.path.join(args.out, "expected", name + ".rc"), "w") as f:
                    f.write(f"{rc}\n")
    print(f"gen_corners: {args.count} programs of seed {args.seed} in {args.out}")


if __name__ == "__main__":
    main()
