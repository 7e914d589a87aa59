"""What every benchmark scenario uses: a Warroom on its own SQLite file, an in-process adapter, timers.

Kept apart from the scenarios (``scenarios.py``) and the command line (``run.py``);
``profiling.py`` uses it too.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import math
import resource
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warroom.core.adapter.events import InboundEvent, MessageReceived
from warroom.core.adapter.messages import Message
from warroom.core.adapter.refs import ConversationRef, MessageRef, UserRef
from warroom.core.app import Warroom
from warroom.core.cli import tune_gc
from warroom.core.config.loader import load_config
from warroom.core.testing.harness import FakeAdapter

PLATFORM = "bench"

# From the command line. "gc": "tuned" is what `warroom run` does once started (warroom.core.cli.tune_gc);
# "default" keeps Python's own settings.
SETTINGS: dict[str, Any] = {"gc": "tuned", "synchronous": "normal"}

DEFAULT_GC_THRESHOLD = gc.get_threshold()


@dataclass
class BenchAdapter(FakeAdapter):
    """A platform that counts deliveries instead of keeping them (so RSS measures Warroom, not the fake).

    ``check``, when set, is called with every delivered message before it counts
    as delivered; the commit-before-reply check uses it.
    """

    platform: str = PLATFORM
    delivered: int = 0
    check: Callable[[ConversationRef, Message], None] | None = None

    async def send(
        self, conversation: ConversationRef, message: Message, *, key: str, in_reply_to: MessageRef | None
    ) -> MessageRef:
        if self.check is not None:
            self.check(conversation, message)
        self.delivered += 1
        return MessageRef(conversation, key)


def untune_gc() -> None:
    """Back to Python's settings, so the next scenario starts as a fresh process would."""
    gc.unfreeze()
    gc.set_threshold(*DEFAULT_GC_THRESHOLD)


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
        if SETTINGS["gc"] == "tuned":
            tune_gc()  # as `warroom run` does once the app is built

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
        await self.app.writer.settle()
        assert len(self.adapter.opened) == before + 1, "declaring did not open a channel"
        return ConversationRef(PLATFORM, f"c-{self.adapter.opened[-1].name}", self.adapter.opened[-1].name)

    async def declare_many(self, titles: Sequence[str], chunk: int = 2_000) -> None:
        """Declare incidents concurrently, ``chunk`` at a time; each opens its channel."""
        for first in range(0, len(titles), chunk):
            events = [
                self.event(f"/incident declare {title}", self.lobby, i)
                for i, title in enumerate(titles[first : first + chunk], first)
            ]
            await asyncio.gather(*(self.app.inbound(event) for event in events))
        await self.app.writer.settle()

    def count(self, sql: str, *params: Any) -> int:
        """Read through an independent connection: only committed rows are visible."""
        with sqlite3.connect(self.path) as connection:
            return int(connection.execute(sql, params).fetchone()[0])

    async def close(self) -> None:
        await self.app.close()
        if SETTINGS["gc"] == "tuned":
            untune_gc()


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
