#!/usr/bin/env python
"""End-to-end benchmark of Warroom: adapter -> parser -> core -> SQLite -> reply to the adapter.

Every scenario runs the real :class:`~warroom.core.app.Warroom` (engine, commands,
storage on a real SQLite file in a temporary directory, default settings:
WAL, ``synchronous=NORMAL``) with a minimal in-process adapter. Events are fed
through the adapter contract, ``await app.inbound(event)``, which returns once
the event's transaction is committed and its replies were handed to the adapter.
The garbage collector is tuned as ``warroom run`` tunes it (``--default-gc``: Python's settings).

    python bench/run.py            # full sizes, human-readable
    python bench/run.py --json     # one JSON object on stdout
    python bench/run.py --quick    # small sizes (CI smoke test), a few seconds

Targets are printed next to the measurements with ✓/✗; they are never asserted.
The only failure (exit 1) is a correctness one: a reply delivered before the
entry it announces was committed, or an entry or reply missing.
See bench/README.md for what each scenario means. The scenarios are in
``scenarios.py``, what they share (the app, the adapter, timers) in ``harness.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import SETTINGS, peak_rss_mb
from scenarios import (
    big_incident_views,
    concurrent_throughput,
    declare_latency,
    many_incidents,
    postmortem_while_logging,
    sequential_latency,
    verify_commit_before_reply,
)

TARGETS = {
    "throughput_per_s": (">=", 36_000.0),
    "p50_us": ("<=", 50.0),
    "p99_us": ("<=", 150.0),
    "brief_p50_ms": ("<=", 10.0),
    "brief_p99_ms": ("<=", 10.0),
    "status_p50_ms": ("<=", 10.0),
    "status_p99_ms": ("<=", 10.0),
    "flat_ratio": ("<=", 1.25),
    "declare_shared_ratio": ("<=", 1.25),
    "postmortem_log_max_ms": ("<=", 50.0),
}

FULL = {
    "concurrent": 20_000,
    "users": 200,
    "sequential": 20_000,
    "warmup": 2_000,
    "entries": 100_000,
    "chat_batch": 5_000,
    "views": 300,
    "incidents": 10_000,
    "flat_sequential": 10_000,
    "declarations": 500,
    "verify": 2_000,
    "postmortem_entries": 5_000,
}
QUICK = {
    "concurrent": 2_000,
    "users": 50,
    "sequential": 1_000,
    "warmup": 300,
    "entries": 5_000,
    "chat_batch": 1_000,
    "views": 30,
    "incidents": 300,
    "flat_sequential": 1_000,
    "declarations": 50,
    "verify": 300,
    "postmortem_entries": 5_000,
}


# Running and reporting ------------------------------------------------------------------------------------------


def met(name: str, value: float) -> bool:
    op, target = TARGETS[name]
    return value >= target if op == ">=" else value <= target


async def main_async(sizes: dict[str, int], progress: Callable[[str], None]) -> dict[str, Any]:
    results: dict[str, Any] = {
        "sizes": dict(sizes),
        "gc": SETTINGS["gc"],
        "synchronous": SETTINGS["synchronous"],
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as tmp:
        directory = Path(tmp)
        progress("checking that every reply follows the commit of what it announces…")
        results.update(await verify_commit_before_reply(directory, sizes))
        results["rss_mb_after_verify"] = peak_rss_mb()
        progress(f"concurrent: {sizes['concurrent']:,} log commands from {sizes['users']} users at once…")
        results.update(await concurrent_throughput(directory, sizes))
        results["rss_mb_after_concurrent"] = peak_rss_mb()
        progress(f"sequential: {sizes['sequential']:,} log commands one at a time…")
        results.update(await sequential_latency(directory, sizes))
        results["rss_mb_after_sequential"] = peak_rss_mb()
        progress(f"views: brief/status on an incident with {sizes['entries']:,} timeline entries…")
        results.update(await big_incident_views(directory, sizes))
        results["rss_mb_after_views"] = peak_rss_mb()
        progress(f"flat: {sizes['incidents']:,} open incidents…")
        one = await sequential_latency(directory, {**sizes, "sequential": sizes["flat_sequential"]}, "one")
        results.update(await many_incidents(directory, sizes, one["p50_us"]))
        results["rss_mb_after_flat"] = peak_rss_mb()
        progress(f"declare: {sizes['incidents']:,} open incidents sharing a title word…")
        results.update(await declare_latency(directory, sizes))
        progress(f"post-mortem: log commands while the draft of {sizes['postmortem_entries']:,} entries renders…")
        results.update(await postmortem_while_logging(directory, sizes))
    results["rss_mb"] = peak_rss_mb()
    results["targets"] = {
        name: {"target": f"{op} {target:g}", "measured": results[name], "met": met(name, results[name])}
        for name, (op, target) in TARGETS.items()
    }
    return results


def problems(results: dict[str, Any]) -> list[str]:
    found = []
    if results["commit_before_reply_violations"]:
        found.append(f"{results['commit_before_reply_violations']} replies were delivered before their commit")
    if results["commit_before_reply_checked"] == 0:
        found.append("the commit-before-reply check saw no replies")
    if results["concurrent_replies"] != results["concurrent_commands"]:
        found.append(f"{results['concurrent_replies']} replies for {results['concurrent_commands']} commands")
    if results["sequential_replies"] != results["sequential_commands"]:
        found.append(f"{results['sequential_replies']} replies for {results['sequential_commands']} commands")
    if results.pop("_stored") != results.pop("_expected_stored"):
        found.append("not every concurrent command left a committed timeline entry")
    if results["timeline_entries"] < results["sizes"]["entries"]:
        found.append(f"only {results['timeline_entries']} timeline entries were stored")
    if results["incidents_open"] != results["sizes"]["incidents"]:
        found.append(f"{results['incidents_open']} incidents open, expected {results['sizes']['incidents']}")
    if results.pop("_declared") != results.pop("_expected_declared"):
        found.append("not every timed declaration left an incident")
    if results["declare_open_sharing_word"] != results["sizes"]["incidents"]:
        found.append(f"only {results['declare_open_sharing_word']} open incidents share the title word")
    return found


def report(results: dict[str, Any]) -> str:
    def mark(name: str) -> str:
        target = results["targets"][name]
        return f"{'✓' if target['met'] else '✗'} target {target['target']}"

    r = results
    lines = [
        f"Warroom end-to-end benchmark (real SQLite file, WAL, synchronous={r['synchronous'].upper()};"
        " reply only after commit)",
        f"Python {r['python']}, SQLite {r['sqlite']}, {r['cpus']} CPUs, "
        + ("GC tuned as `warroom run` does" if r["gc"] == "tuned" else "Python's default GC settings"),
        "",
        f"commit before reply      {r['commit_before_reply_checked']:,} replies checked against a second connection,"
        f" {r['commit_before_reply_violations']} early",
        "",
        f"concurrent ({r['concurrent_commands']:,} × /incident log, {r['concurrent_users']} users, asyncio.gather)",
        f"  throughput             {r['throughput_per_s']:>12,.0f} commands/s   {mark('throughput_per_s')}",
        f"  wall time              {r['concurrent_wall_s']:>12.3f} s",
        f"  commits                {r['concurrent_commits']:>12,}   ({r['concurrent_jobs_per_commit']:.0f} jobs each)",
        f"  latency p50 / p99      {r['concurrent_p50_ms']:>9.1f} ms / {r['concurrent_p99_ms']:.1f} ms",
        "",
        f"sequential ({r['sequential_commands']:,} × /incident log, one at a time, after warm-up)",
        f"  p50                    {r['p50_us']:>12.1f} µs   {mark('p50_us')}",
        f"  p99                    {r['p99_us']:>12.1f} µs   {mark('p99_us')}",
        f"  p99.9 / max            {r['p999_us']:>9.1f} µs / {r['max_us']:.0f} µs"
        f"   ({r['sequential_over_1ms']} over 1 ms, mostly WAL checkpoints)",
        f"  mean (rate)            {r['mean_us']:>12.1f} µs   ({r['sequential_per_s']:,.0f} commands/s)",
        "",
        f"big incident ({r['timeline_entries']:,} timeline entries,"
        f" built at {r['timeline_build_per_s']:,.0f} messages/s)",
        f"  brief p50              {r['brief_p50_ms']:>12.3f} ms   {mark('brief_p50_ms')}",
        f"  brief p99              {r['brief_p99_ms']:>12.3f} ms   {mark('brief_p99_ms')}",
        f"  status p50             {r['status_p50_ms']:>12.3f} ms   {mark('status_p50_ms')}",
        f"  status p99             {r['status_p99_ms']:>12.3f} ms   {mark('status_p99_ms')}",
        "",
        f"open incidents ({r['incidents_open']:,} declared at {r['incidents_declare_per_s']:,.0f}/s)",
        f"  log p50, 1 incident    {r['log_p50_us_1_incident']:>12.1f} µs",
        f"  log p50, {r['incidents_open']:,} open".ljust(25) + f"{r['log_p50_us_many_incidents']:>12.1f} µs",
        f"  ratio                  {r['flat_ratio']:>12.2f}      {mark('flat_ratio')}",
        "",
        f"declare ({r['declare_open_sharing_word']:,} open incidents share the word “checkout”)",
        f"  p50 / p99, with it     {r['declare_p50_us_shared']:>9.1f} µs / {r['declare_p99_us_shared']:.1f} µs",
        f"  p50 / p99, without it  {r['declare_p50_us_distinct']:>9.1f} µs / {r['declare_p99_us_distinct']:.1f} µs",
        f"  ratio                  {r['declare_shared_ratio']:>12.2f}      {mark('declare_shared_ratio')}",
        "",
        f"post-mortem ({r['postmortem_entries']:,} entries, drafted in {r['postmortem_render_ms']:,.0f} ms"
        f" while {r['postmortem_logs_during']:,} × /incident log ran one at a time)",
        f"  log p50 / p99          {r['postmortem_log_p50_ms']:>9.2f} ms / {r['postmortem_log_p99_ms']:.2f} ms",
        f"  log max                {r['postmortem_log_max_ms']:>12.2f} ms   {mark('postmortem_log_max_ms')}"
        " (no command waits on the draft)",
        "",
        f"peak RSS                 {r['rss_mb']:>12.1f} MB",
    ]
    return "\n".join(lines)


SIZE_HELP = {
    "concurrent": "log commands submitted at once for throughput",
    "users": "simulated users",
    "sequential": "log commands timed one at a time",
    "warmup": "untimed commands before each sequential run",
    "entries": "timeline entries of the big incident",
    "chat_batch": "chat messages submitted at once while building it",
    "views": "brief and status commands timed (each)",
    "incidents": "open incidents for the flatness check",
    "flat_sequential": "log commands timed in the flatness check (each case)",
    "declarations": "declarations timed with many open incidents (each kind of title)",
    "verify": "concurrent commands whose replies are checked against the database",
    "postmortem_entries": "timeline entries of the incident drafted while log commands are timed",
}


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, dict[str, int]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: runs in a few seconds (CI smoke test)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    parser.add_argument(
        "--synchronous",
        choices=("normal", "full"),
        default="normal",
        help="SQLite synchronous setting, as Warroom's database.synchronous (default normal)",
    )
    parser.add_argument(
        "--default-gc",
        action="store_true",
        help="keep Python's GC settings instead of tuning them as `warroom run` does (gc.freeze() after startup,"
        " a larger generation-0 threshold)",
    )
    for name, text in SIZE_HELP.items():
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=int,
            metavar="N",
            help=f"{text} (default {FULL[name]:,}; --quick {QUICK[name]:,})",
        )
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    for name in SIZE_HELP:
        value = getattr(args, name)
        if value is not None:
            if value < 1:
                parser.error(f"--{name.replace('_', '-')} must be at least 1")
            sizes[name] = value
    return args, sizes


def main(argv: list[str] | None = None) -> int:
    args, sizes = parse_args(argv)
    SETTINGS["gc"] = "default" if args.default_gc else "tuned"
    SETTINGS["synchronous"] = args.synchronous

    def progress(text: str) -> None:
        if not args.json:
            print(text, file=sys.stderr, flush=True)

    results = asyncio.run(main_async(sizes, progress))
    found = problems(results)
    results["ok"] = not found
    if args.json:
        print(json.dumps(results, indent=None, sort_keys=False))
    else:
        print(report(results))
    for problem in found:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
