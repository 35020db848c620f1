"""CPython's side of the real-clock lateness benchmark (called by scripts/bench.py).

usage: python3 scripts/bench_lateness.py N START_MS SPREAD_MS

N tasks on the stock asyncio loop; task i sleeps START_MS + i*SPREAD_MS/N ms and notes how
late it woke (loop.time() after the sleep minus the deadline it asked for). Prints one
line of key=value with p50/p99/max in microseconds, as asyncplay's --lateness-report.
"""
import asyncio
import sys


async def sleeper(delay, out):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + delay
    await asyncio.sleep(delay)
    out.append(loop.time() - deadline)


async def main(n, start_ms, spread_ms):
    late = []
    await asyncio.gather(*[sleeper((start_ms + i * spread_ms / n) / 1000, late) for i in range(n)])
    return late


def pct(sorted_us, p):
    return sorted_us[min(len(sorted_us) - 1, int((len(sorted_us) - 1) * p + 0.5))]


if __name__ == "__main__":
    n, start, spread = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    us = sorted(max(0, round(x * 1e6)) for x in asyncio.run(main(n, start, spread)))
    print(f"timers={len(us)} p50_us={pct(us, 0.5)} p99_us={pct(us, 0.99)} max_us={us[-1]}")
