"""The benchmark's scenarios; each starts its own Warroom and returns its numbers (see README.md)."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import time
from pathlib import Path
from typing import Any

from harness import PLATFORM, Bench, count_commits, logs, percentile, run_concurrent, run_sequential
from warroom.core.adapter.messages import Message
from warroom.core.adapter.refs import ConversationRef


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
    await bench.declare_many([f"svc{i} is down" for i in range(1, others + 1)])
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


async def declare_latency(directory: Path, sizes: dict[str, int]) -> dict[str, Any]:
    """Declaring with ``incidents`` open that all share the title word "checkout".

    Declarations are timed one at a time, alternating titles with that word and titles with no
    word in common with any open incident, so the ratio isolates similar-incident detection.
    """
    bench = Bench(directory, "declare", users=sizes["users"])
    await bench.declare_many([f"checkout svc{i} errors" for i in range(sizes["incidents"])])
    shared_before = bench.count("SELECT count(*) FROM incident WHERE title LIKE 'checkout %'")
    n = sizes["declarations"]
    warm = [bench.event(f"/incident declare warmup{i} zone", bench.lobby) for i in range(20)]
    await run_sequential(bench, warm)
    events = []
    for i in range(n):
        events.append(bench.event(f"/incident declare checkout basket{i} timeouts", bench.lobby, i))
        events.append(bench.event(f"/incident declare region{i} dns{i} unreachable", bench.lobby, i))
    gc.collect()
    samples = await run_sequential(bench, events)
    await bench.app.writer.settle()
    declared = bench.count("SELECT count(*) FROM incident")
    await bench.close()
    shared, distinct = sorted(samples[0::2]), sorted(samples[1::2])
    shared_p50, distinct_p50 = percentile(shared, 0.50) / 1e3, percentile(distinct, 0.50) / 1e3
    return {
        "declare_open_sharing_word": shared_before,
        "declare_p50_us_shared": shared_p50,
        "declare_p99_us_shared": percentile(shared, 0.99) / 1e3,
        "declare_p50_us_distinct": distinct_p50,
        "declare_p99_us_distinct": percentile(distinct, 0.99) / 1e3,
        "declare_shared_ratio": shared_p50 / distinct_p50 if distinct_p50 else 0.0,
        "_declared": declared,
        "_expected_declared": sizes["incidents"] + len(warm) + 2 * n,
    }


async def postmortem_while_logging(directory: Path, sizes: dict[str, int]) -> dict[str, Any]:
    """``log`` commands one at a time while ``/incident postmortem`` renders a long incident's draft."""
    from warroom.core.engine.transaction import Transaction
    from warroom.plugins.postmortem import Postmortem

    bench = Bench(directory, "postmortem", users=sizes["users"])
    await bench.app.start(plugins=False, classes={"postmortem": (Postmortem, None)}, jobs=False)
    channel = await bench.declare("svc0 long incident to write up")
    incident_id = bench.app.service.incident_in(channel)
    assert incident_id is not None

    def fill(tx: Transaction) -> None:
        incident = tx.service.get(incident_id)
        for i in range(sizes["postmortem_entries"]):
            tx.service.record(incident, "note", None, f"seeing 502s from api-{i % 7}, p99 at {i % 900} ms", tx.at, {})

    await bench.app.writer.submit(fill, key="postmortem-fill")
    await run_sequential(bench, logs(bench, channel, 50, sizes["users"], "warmup"))
    gc.collect()
    started = time.perf_counter_ns()
    drafting = asyncio.ensure_future(bench.say("/incident postmortem", channel))
    await asyncio.sleep(0)  # the command is queued before the first log
    samples: list[int] = []
    for event in logs(bench, channel, 100_000, sizes["users"], "during"):
        if drafting.done():
            break
        samples.extend(await run_sequential(bench, [event]))
    await drafting
    render_ns = time.perf_counter_ns() - started
    await bench.close()
    samples.sort()
    return {
        "postmortem_entries": sizes["postmortem_entries"],
        "postmortem_render_ms": render_ns / 1e6,
        "postmortem_logs_during": len(samples),
        "postmortem_log_p50_ms": percentile(samples, 0.50) / 1e6,
        "postmortem_log_p99_ms": percentile(samples, 0.99) / 1e6,
        "postmortem_log_max_ms": samples[-1] / 1e6 if samples else render_ns / 1e6,
    }
