#!/usr/bin/env python
"""End-to-end benchmark of Warroom: adapter -> parser -> core -> SQLite -> reply to the adapter.

Every scenario runs the real :class:`~warroom.core.app.Warroom` (engine, commands,
storage on a real SQLite file in a temporary directory, default settings:
WAL, ``synchronous=NORMAL``) with a minimal in-process adapter. Events are fed
through the adapter contract, ``await app.inbound(event)``, which returns once
the event's transaction is committed and its replies were handed to the adapter.

    python bench/run.py            # full sizes, human-readable
    python bench/run.py --json     # one JSON object on stdout
    python bench/run.py --quick    # small sizes (CI smoke test), a few seconds

Targets are printed next to the measurements with ✓/✗; they are never asserted.
The only failure (exit 1) is a correctness one: a reply delivered before the
entry it announces was committed, or an entry or reply missing.
See bench/README.md for what each scenario means.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import math
import os
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warroom.core.app import Warroom
from warroom.core.config import load_config
from warroom.core.events import InboundEvent, MessageReceived
from warroom.core.messages import Message
from warroom.core.refs import ConversationRef, MessageRef, UserRef
from warroom.core.testing import FakeAdapter

TARGETS = {
    "throughput_per_s": (">=", 36_000.0),
    "p50_us": ("<=", 50.0),
    "p99_us": ("<=", 150.0),
    "brief_p50_ms": ("<=", 10.0),
    "brief_p99_ms": ("<=", 10.0),
    "status_p50_ms": ("<=", 10.0),
    "status_p99_ms": ("<=", 10.0),
    "flat_ratio": ("<=", 1.25),
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
    "verify": 2_000,
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
    "verify": 300,
}

PLATFORM = "bench"


# The adapter ------------------------------------------------------------------------------------------------------


@dataclass
class BenchAdapter(FakeAdapter):
    """A platform that counts deliveries instead of keeping them (so RSS measures Warroom, not the fake).

    ``check``, when set, is called with every delivered message before it counts
    as delivered; the commit-before-reply check uses it.
    """

    platform: str = PLATFORM
    delivered: int = 0
    check: Callable[[ConversationRef, Message], None] | None = None

    async def send(self, conversation: ConversationRef, message: Message, *, key: str) -> MessageRef:
        if self.check is not None:
            self.check(conversation, message)
        self.delivered += 1
        return MessageRef(conversation, key)


SETTINGS: dict[str, Any] = {"tuned_gc": False, "synchronous": "normal"}  # from the command line


def tune_gc() -> None:
    """What a process could do after startup: stop re-scanning long-lived objects, collect less often.

    Not something Warroom does today; ``--tuned-gc`` measures what it would give.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def untune_gc() -> None:
    gc.unfreeze()
    gc.set_threshold(*DEFAULT_GC_THRESHOLD)


DEFAULT_GC_THRESHOLD = gc.get_threshold()


class Bench:
    """One Warroom on its own SQLite file, with the bench adapter and some simulated users."""

    def __init__(self, directory: Path, name: str, *, users: int) -> None:
        self.path = directory / f"{name}.sqlite3"
        config_file = directory / f"{name}.yaml"
        config_file.write_text(f"database:\n  synchronous: {SETTINGS['synchronous']}\n")
        config = load_config(config_file, environ={"WARROOM_DATABASE_URL": f"sqlite:///{self.path}"})
        self.app = Warroom(config)  # the system clock, as in production
        self.adapter = BenchAdapter()
        self.app.add_adapter(self.adapter)
        self.lobby = ConversationRef(PLATFORM, "lobby", "lobby")
        self.users = [UserRef(PLATFORM, f"u{i}", f"Responder {i}") for i in range(max(1, users))]
        self._ids = itertools.count(1)
        self._name = name
        if SETTINGS["tuned_gc"]:
            tune_gc()

    def event(self, text: str, channel: ConversationRef, user: int = 0) -> MessageReceived:
        return MessageReceived(
            event_id=f"{self._name}-{next(self._ids)}",
            conversation=channel,
            user=self.users[user % len(self.users)],
            at=datetime.now(UTC),
            text=text,
        )

    async def say(self, text: str, channel: ConversationRef, user: int = 0) -> None:
        await self.app.inbound(self.event(text, channel, user))

    async def declare(self, title: str, user: int = 0) -> ConversationRef:
        """Declare an incident from the lobby and return the channel Warroom opened for it."""
        before = len(self.adapter.opened)
        await self.say(f"/incident declare {title}", self.lobby, user)
        await self.app.engine.settle()
        assert len(self.adapter.opened) == before + 1, "declaring did not open a channel"
        return ConversationRef(PLATFORM, f"c-{self.adapter.opened[-1].name}", self.adapter.opened[-1].name)

    def count(self, sql: str, *params: Any) -> int:
        """Read through an independent connection: only committed rows are visible."""
        with sqlite3.connect(self.path) as connection:
            return int(connection.execute(sql, params).fetchone()[0])

    async def close(self) -> None:
        await self.app.close()
        if SETTINGS["tuned_gc"]:
            untune_gc()


# Measuring helpers -----------------------------------------------------------------------------------------------


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted ``samples``."""
    if not samples:
        return 0.0
    return samples[max(0, min(len(samples) - 1, math.ceil(q * len(samples)) - 1))]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


async def run_sequential(bench: Bench, events: Iterable[InboundEvent]) -> list[int]:
    """Submit one event at a time; nanoseconds from submit until its reply was delivered."""
    inbound = bench.app.inbound
    clock = time.perf_counter_ns
    samples = []
    for event in events:
        started = clock()
        await inbound(event)
        samples.append(clock() - started)
    return samples


async def run_concurrent(bench: Bench, events: Sequence[InboundEvent]) -> tuple[int, list[int]]:
    """Submit all events at once; (wall ns until every reply was delivered, per-event latencies)."""
    inbound = bench.app.inbound
    clock = time.perf_counter_ns
    samples: list[int] = []

    async def one(event: InboundEvent) -> None:
        started = clock()
        await inbound(event)
        samples.append(clock() - started)

    started = clock()
    await asyncio.gather(*(one(event) for event in events))
    return clock() - started, samples


def count_commits(bench: Bench) -> Callable[[], int]:
    """Count the engine's commits (one per group of jobs) without changing what it does."""
    db = bench.app.db
    commit = db.commit
    commits = [0]

    def counted() -> None:
        commit()
        commits[0] += 1

    db.commit = counted  # type: ignore[method-assign]
    return lambda: commits[0]


def logs(bench: Bench, channel: ConversationRef, n: int, users: int, tag: str) -> list[MessageReceived]:
    return [
        bench.event(f"/incident log {tag} {i}: restarted api-{i % 7}, error rate unchanged", channel, i % users)
        for i in range(n)
    ]


# Scenarios ------------------------------------------------------------------------------------------------------


async def verify_commit_before_reply(directory: Path, sizes: dict[str, int]) -> dict[str, Any]:
    """Every "Logged #n" reply must find entry #n through a second connection (which sees only commits)."""
    bench = Bench(directory, "verify", users=sizes["users"])
    channel = await bench.declare("svc0 verification run")
    reader = sqlite3.connect(bench.path)
    checked, violations = [0], []

    def check(conversation: ConversationRef, message: Message) -> None:
        text = message.plain_text()
        if not text.startswith("📝 Logged #"):
            return
        seq = int(text.removeprefix("📝 Logged #").rstrip("."))
        found = reader.execute("SELECT count(*) FROM timeline_entry WHERE incident_id = 1 AND seq = ?", (seq,))
        checked[0] += 1
        if found.fetchone()[0] != 1:
            violations.append(seq)

    bench.adapter.check = check
    n = sizes["verify"]
    await run_concurrent(bench, logs(bench, channel, n, sizes["users"], "verify"))
    await run_sequential(bench, logs(bench, channel, max(1, n // 10), sizes["users"], "verify-seq"))
    bench.adapter.check = None
    reader.close()
    await bench.close()
    return {"commit_before_reply_checked": checked[0], "commit_before_reply_violations": len(violations)}


async def concurrent_throughput(directory: Path, sizes: dict[str, int]) -> dict[str, Any]:
    bench = Bench(directory, "concurrent", users=sizes["users"])
    channel = await bench.declare("svc0 throughput run")
    users = sizes["users"]
    # Warm up: every simulated user has spoken once (people and memberships exist), statements are compiled.
    await run_concurrent(bench, logs(bench, channel, max(users, 500), users, "warmup"))
    n = sizes["concurrent"]
    events = logs(bench, channel, n, users, "burst")
    commits = count_commits(bench)
    delivered = bench.adapter.delivered
    gc.collect()
    wall_ns, samples = await run_concurrent(bench, events)
    delivered = bench.adapter.delivered - delivered
    batches = commits()
    await bench.close()
    stored = bench.count("SELECT count(*) FROM timeline_entry WHERE source_event LIKE ?", f"{PLATFORM}:concurrent-%")
    samples.sort()
    return {
        "concurrent_commands": n,
        "concurrent_users": users,
        "concurrent_wall_s": wall_ns / 1e9,
        "throughput_per_s": n / (wall_ns / 1e9),
        "concurrent_replies": delivered,
        "concurrent_commits": batches,
        "concurrent_jobs_per_commit": n / batches if batches else 0.0,
        "concurrent_p50_ms": percentile(samples, 0.50) / 1e6,
        "concurrent_p99_ms": percentile(samples, 0.99) / 1e6,
        "_stored": stored,
        "_expected_stored": n + max(users, 500) + 1,  # + warm-up logs + the declaration
    }


async def sequential_latency(directory: Path, sizes: dict[str, int], name: str = "sequential") -> dict[str, Any]:
    bench = Bench(directory, name, users=sizes["users"])
    channel = await bench.declare("svc0 latency run")
    users = sizes["users"]
    await run_sequential(bench, logs(bench, channel, sizes["warmup"], users, "warmup"))
    events = logs(bench, channel, sizes["sequential"], users, "seq")
    delivered = bench.adapter.delivered
    gc.collect()
    samples = await run_sequential(bench, events)
    delivered = bench.adapter.delivered - delivered
    await bench.close()
    samples.sort()
    return {
        "sequential_commands": len(samples),
        "sequential_replies": delivered,
        "p50_us": percentile(samples, 0.50) / 1e3,
        "p99_us": percentile(samples, 0.99) / 1e3,
        "p999_us": percentile(samples, 0.999) / 1e3,
        "max_us": samples[-1] / 1e3,
        "sequential_over_1ms": sum(1 for sample in samples if sample > 1_000_000),
        "mean_us": sum(samples) / len(samples) / 1e3,
        "sequential_per_s": len(samples) / (sum(samples) / 1e9),
    }


async def big_incident_views(directory: Path, sizes: dict[str, int]) -> dict[str, Any]:
    bench = Bench(directory, "views", users=sizes["users"])
    channel = await bench.declare("svc0 long running incident")
    users = sizes["users"]
    for text, user in [
        ("/incident role take commander", 0),
        ("/incident role take communicator", 1),
        ('/incident impact --who "EU card customers" --count 1200 --where checkout', 0),
        ("/incident summary Card payments fail for EU customers since 14:02", 1),
        ("/incident affected add api db", 0),
        ("/incident task add Scale down the export queue", 0),
        ("/incident task add Page the database on-call", 0),
        ('/incident update "Payments recovering; EU customers may see retries" --next 30m', 1),
    ]:
        await bench.say(text, channel, user)

    # The timeline: chat messages (captured as entries) in big concurrent batches, a decision now and then.
    target, batch = sizes["entries"], sizes["chat_batch"]
    decisions = max(1, target // 2_000)
    started = time.perf_counter_ns()
    pushed = 0
    while pushed < target:
        size = min(batch, target - pushed)
        events = [
            bench.event(
                f"/incident decide Roll back api to v{i}"
                if i % (target // decisions) == 0
                else f"seeing 502s from api-{i % 7} again, p99 at {i % 900} ms",
                channel,
                i % users,
            )
            for i in range(pushed, pushed + size)
        ]
        await asyncio.gather(*(bench.app.inbound(event) for event in events))
        pushed += size
    build_ns = time.perf_counter_ns() - started
    entries = bench.count("SELECT count(*) FROM timeline_entry WHERE incident_id = 1")

    result: dict[str, Any] = {
        "timeline_entries": entries,
        "timeline_build_s": build_ns / 1e9,
        "timeline_build_per_s": target / (build_ns / 1e9),
    }
    for command in ("brief", "status"):
        await run_sequential(bench, [bench.event(f"/incident {command}", channel) for _ in range(10)])
        gc.collect()
        samples = sorted(
            await run_sequential(bench, [bench.event(f"/incident {command}", channel) for _ in range(sizes["views"])])
        )
        result[f"{command}_p50_ms"] = percentile(samples, 0.50) / 1e6
        result[f"{command}_p99_ms"] = percentile(samples, 0.99) / 1e6
    await bench.close()
    return result


async def many_incidents(directory: Path, sizes: dict[str, int], one_incident_p50_us: float) -> dict[str, Any]:
    """Sequential log latency with ``incidents`` open, compared with the one-incident case."""
    bench = Bench(directory, "many", users=sizes["users"])
    channel = await bench.declare("svc0 measured incident")
    others = sizes["incidents"] - 1
    started = time.perf_counter_ns()
    for first in range(0, others, 2_000):  # concurrent declarations, in chunks
        events = [
            bench.event(f"/incident declare svc{i} is down", bench.lobby, i)
            for i in range(first + 1, min(others, first + 2_000) + 1)
        ]
        await asyncio.gather(*(bench.app.inbound(event) for event in events))
    await bench.app.engine.settle()
    declare_ns = time.perf_counter_ns() - started
    open_incidents = bench.count("SELECT count(*) FROM incident WHERE status != 'resolved'")
    users = sizes["users"]
    await run_sequential(bench, logs(bench, channel, sizes["warmup"], users, "warmup"))
    gc.collect()
    samples = sorted(await run_sequential(bench, logs(bench, channel, sizes["flat_sequential"], users, "many")))
    await bench.close()
    p50 = percentile(samples, 0.50) / 1e3
    return {
        "incidents_open": open_incidents,
        "incidents_declare_s": declare_ns / 1e9,
        "incidents_declare_per_s": others / (declare_ns / 1e9),
        "log_p50_us_1_incident": one_incident_p50_us,
        "log_p50_us_many_incidents": p50,
        "log_p99_us_many_incidents": percentile(samples, 0.99) / 1e3,
        "flat_ratio": p50 / one_incident_p50_us if one_incident_p50_us else 0.0,
    }


# Running and reporting ------------------------------------------------------------------------------------------


def met(name: str, value: float) -> bool:
    op, target = TARGETS[name]
    return value >= target if op == ">=" else value <= target


async def main_async(sizes: dict[str, int], progress: Callable[[str], None]) -> dict[str, Any]:
    results: dict[str, Any] = {
        "sizes": dict(sizes),
        "tuned_gc": SETTINGS["tuned_gc"],
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
    return found


def report(results: dict[str, Any]) -> str:
    def mark(name: str) -> str:
        target = results["targets"][name]
        return f"{'✓' if target['met'] else '✗'} target {target['target']}"

    r = results
    lines = [
        f"Warroom end-to-end benchmark (real SQLite file, WAL, synchronous={r['synchronous'].upper()};"
        " reply only after commit)",
        f"Python {r['python']}, SQLite {r['sqlite']}, {r['cpus']} CPUs" + (", tuned GC" if r["tuned_gc"] else ""),
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
    "verify": "concurrent commands whose replies are checked against the database",
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
        "--tuned-gc",
        action="store_true",
        help="gc.freeze() after startup and a gen-0 threshold of 10,000 (not Warroom's default)",
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
    SETTINGS["tuned_gc"] = args.tuned_gc
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
