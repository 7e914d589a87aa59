#!/usr/bin/env python
"""Profile one benchmark scenario with cProfile; prints the top costs per command.

    python bench/profiling.py sequential [-n 20000] [--sort tottime] [--top 30]
    python bench/profiling.py concurrent [-n 20000]
    python bench/profiling.py brief|status [-n 300]   # on a big incident (--entries)

Only the measured part is profiled (setup and warm-up are not). Times are
per command, in µs, so they can be compared with the latency budget; cProfile
itself roughly doubles them, so read them as shares, not as absolutes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness as bench


async def scenario(
    name: str, n: int, entries: int, directory: Path, profiler: cProfile.Profile, *, no_gc: bool = False
) -> None:
    users = 200
    b = bench.Bench(directory, name, users=users)
    channel = await b.declare("svc0 profiled incident")
    if name in ("brief", "status"):
        for first in range(0, entries, 5_000):
            events = [b.event(f"chat line {i}", channel, i % users) for i in range(first, min(entries, first + 5_000))]
            await asyncio.gather(*(b.app.inbound(event) for event in events))
        events = [b.event(f"/incident {name}", channel) for _ in range(n)]
        warm = [b.event(f"/incident {name}", channel) for _ in range(20)]
    else:
        warm = bench.logs(b, channel, 2_000, users, "warmup")
        events = bench.logs(b, channel, n, users, "profiled")
    await bench.run_sequential(b, warm)
    gc.collect()
    if no_gc:
        gc.disable()
    profiler.enable()
    if name == "concurrent":
        await bench.run_concurrent(b, events)
    else:
        await bench.run_sequential(b, events)
    profiler.disable()
    gc.enable()
    await b.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=("sequential", "concurrent", "brief", "status"))
    parser.add_argument("-n", type=int, default=20_000, help="commands profiled")
    parser.add_argument("--entries", type=int, default=100_000, help="timeline entries for brief/status")
    parser.add_argument("--sort", default="tottime", help="pstats sort key (tottime, cumulative, …)")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--no-gc", action="store_true", help="disable the garbage collector while profiling")
    parser.add_argument("--default-gc", action="store_true", help="Python's GC settings, not `warroom run`'s")
    parser.add_argument("--output", help="also save the raw profile here (for snakeviz, gprof2dot…)")
    args = parser.parse_args()
    bench.SETTINGS["gc"] = "default" if args.default_gc else "tuned"
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory(prefix="warroom-profile-") as tmp:
        asyncio.run(scenario(args.scenario, args.n, args.entries, Path(tmp), profiler, no_gc=args.no_gc))
    if args.output:
        profiler.dump_stats(args.output)
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"{args.scenario}: {args.n:,} commands, {total * 1e6 / args.n:.1f} µs per command under cProfile\n")
    rows = []
    for (filename, line, function), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((tottime, cumtime, calls, f"{_short(filename)}:{line}({function})"))
    key = 1 if args.sort.startswith("cum") else 0
    rows.sort(key=lambda row: row[key], reverse=True)
    print(f"{'own µs/cmd':>10} {'cum µs/cmd':>10} {'calls/cmd':>9}  function")
    for tottime, cumtime, calls, where in rows[: args.top]:
        print(f"{tottime * 1e6 / args.n:>10.2f} {cumtime * 1e6 / args.n:>10.2f} {calls / args.n:>9.2f}  {where}")
    return 0


def _short(filename: str) -> str:
    for marker in ("/warroom/", "/site-packages/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


if __name__ == "__main__":
    sys.exit(main())
