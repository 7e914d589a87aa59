"""The database going away: the writer answers what it could not save, keeps serving, and reconnects.

The PostgreSQL scenario runs on a cluster of its own (it is stopped and started again, which the
session's shared cluster must not be), and skips like the other PostgreSQL tests without the binaries.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from warroom.core.config.loader import load_config
from warroom.core.storage import queries
from warroom.core.storage.database import FIRST_RETRY_S, MAX_RETRY_S
from warroom.core.testing import Harness

from tests.postgres import Cluster, throwaway_cluster

UNAVAILABLE = "I could not save that: the database is unavailable. Nothing from it was recorded"
LOGGED = "📝 Logged #"


@pytest.fixture
def own_postgres() -> Iterator[Cluster]:
    with throwaway_cluster() as cluster:
        yield cluster


async def declare(h: Harness) -> None:
    replies = await h.say("/incident declare Checkout is down --severity 2", event_id="declare-1")
    assert any("INC-1" in reply for reply in replies), replies


def stored_sources(h: Harness) -> set[str]:
    return {entry.source_event for entry in queries.timeline(h.app.db, 1) if entry.source_event}


async def until(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


# --- in process, on SQLite ---------------------------------------------------------------------


async def test_a_rollback_that_fails_too_does_not_kill_the_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite keeps its connection: the batch is answered as not saved, and the next command works."""
    h = Harness(tmp_path / "w.db")
    try:
        await declare(h)
        channel = h.channel("INC-1")
        db = h.app.db
        real_commit, real_rollback = db.commit, db.rollback
        failures = {
            "commit": [sqlite3.OperationalError("disk I/O error")],
            "rollback": [sqlite3.OperationalError("no")],
        }

        def commit() -> None:
            if failures["commit"]:
                raise failures["commit"].pop()
            real_commit()

        def rollback() -> None:
            if failures["rollback"]:
                raise failures["rollback"].pop()
            real_rollback()

        monkeypatch.setattr(db, "commit", commit)
        monkeypatch.setattr(db, "rollback", rollback)
        replies = await h.say("/incident log lost note", channel=channel, event_id="lost-1")
        assert not failures["commit"] and not failures["rollback"], "the failure paths were not taken"
        assert len(replies) == 1 and "could not save" in replies[0] and "refused the write" in replies[0], replies
        assert h.app.writer._runner is not None and not h.app.writer._runner.done()
        assert db.outage is None and h.app.health()["database"] == {"ok": True}

        after = await h.say("/incident log after the failure", channel=channel, event_id="after-1")
        assert len(after) == 1 and after[0].startswith(LOGGED), after
        assert "fake:lost-1" not in stored_sources(h) and "fake:after-1" in stored_sources(h)
    finally:
        await h.close()


class Refusing:
    """An engine whose server is down: every new connection is refused."""

    def __init__(self, real: Engine) -> None:
        self.url = real.url
        self.tries: list[float] = []

    def raw_connection(self) -> None:
        self.tries.append(time.monotonic())
        raise ConnectionRefusedError("connection refused")


async def test_a_lost_connection_is_discarded_reported_and_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With reconnecting on (as on PostgreSQL), a failed rollback discards the connection; ``/health`` shows
    the outage, and once the server is back the next command takes a new connection."""
    h = Harness(tmp_path / "w.db")
    try:
        await declare(h)
        channel = h.channel("INC-1")
        db = h.app.db
        db.reconnects = True
        lost, real_engine = db._connection, db.engine

        def commit() -> None:
            raise sqlite3.OperationalError("server closed the connection unexpectedly")

        def rollback() -> None:
            raise sqlite3.OperationalError("the connection is closed")

        monkeypatch.setattr(db, "commit", commit)
        monkeypatch.setattr(db, "rollback", rollback)
        monkeypatch.setattr(db, "engine", Refusing(real_engine))
        replies = await h.say("/incident log lost note", channel=channel, event_id="lost-1")
        assert len(replies) == 1 and UNAVAILABLE in replies[0], replies
        assert db._connection is None and not db.in_transaction
        assert h.app.writer._runner is not None and not h.app.writer._runner.done()

        health = h.app.health()
        assert health["ok"] is False and health["database"]["ok"] is False
        assert health["database"]["error"] and health["database"]["since"]
        outage = db.outage
        assert outage is not None

        monkeypatch.undo()  # the server is back: the real engine, commit and rollback
        outage.retry_at = 0
        after = await h.say("/incident log after the reconnect", channel=channel, event_id="after-1")
        assert len(after) == 1 and after[0].startswith(LOGGED), after
        assert db._connection is not None and db._connection is not lost
        assert h.app.health()["database"] == {"ok": True} and h.app.health()["ok"] is True
        assert "fake:lost-1" not in stored_sources(h) and "fake:after-1" in stored_sources(h)
    finally:
        await h.close()


async def test_reconnecting_backs_off_and_answers_at_once_meanwhile(tmp_path: Path) -> None:
    h = Harness(tmp_path / "w.db")
    try:
        await declare(h)
        channel = h.channel("INC-1")
        db = h.app.db
        db.reconnects = True
        assert db.recover(RuntimeError("a job's own error")) and db.outage is None  # not broken: kept
        real_engine = db.engine
        refusing = Refusing(real_engine)
        db.engine = refusing  # type: ignore[assignment]
        db._lose(RuntimeError("gone"))

        first = await h.say("/incident log during 0", channel=channel, event_id="during-0")
        assert len(first) == 1 and UNAVAILABLE in first[0], first
        assert len(refusing.tries) >= 1
        outage = db.outage
        assert outage is not None and outage.delay >= FIRST_RETRY_S * 2
        outage.retry_at = time.monotonic() + 60
        tries = len(refusing.tries)
        answers = [await h.say(f"/incident log during {n}", channel=channel, event_id=f"during-{n}") for n in (1, 2)]
        assert all(len(a) == 1 and UNAVAILABLE in a[0] for a in answers), answers
        assert len(refusing.tries) == tries, "commands within the backoff are answered without another try"
        for _ in range(10):
            outage.retry_at = 0
            db.reconnect()
        assert outage.delay == MAX_RETRY_S and "connection refused" in db.status()["error"]

        db.engine = real_engine
        outage.retry_at = 0
        after = await h.say("/incident log back", channel=channel, event_id="back-1")
        assert len(after) == 1 and after[0].startswith(LOGGED), after
        assert db.outage is None
        assert not {f"fake:during-{n}" for n in range(3)} & stored_sources(h)
    finally:
        await h.close()


# --- a real PostgreSQL, stopped and started again ----------------------------------------------


async def test_commands_survive_postgres_restarts(own_postgres: Cluster, tmp_path: Path) -> None:
    cluster = own_postgres
    config = load_config(None, environ={"WARROOM_DATABASE_URL": cluster.url})
    h = Harness(tmp_path / "unused.db", config=config)
    outcomes: dict[str, str] = {}  # event id -> the one reply
    during_outage: set[str] = set()  # sent after the server was known to be down, before it was started
    closed = False

    async def log(event_id: str) -> str:
        replies = await h.say(f"/incident log note {event_id}", channel=channel, event_id=event_id)
        assert len(replies) == 1, (event_id, replies)
        outcomes[event_id] = replies[0]
        return replies[0]

    async def stream(label: str, stop: asyncio.Event) -> None:
        n = 0
        while not stop.is_set():
            await log(f"{label}-{n}")
            n += 1
            await asyncio.sleep(0.005)

    try:
        await declare(h)
        channel = h.channel("INC-1")
        for cycle in range(3):
            assert (await log(f"c{cycle}-first")).startswith(LOGGED)
            stop = asyncio.Event()
            streaming = asyncio.create_task(stream(f"c{cycle}-stream", stop))
            await asyncio.sleep(0.1)
            await asyncio.to_thread(cluster.stop, "immediate")  # the stream goes on while the server dies
            await asyncio.sleep(0.2)
            stop.set()
            await streaming

            for n in range(5):
                during_outage.add(f"c{cycle}-down-{n}")
                assert UNAVAILABLE in await log(f"c{cycle}-down-{n}")
            health = h.app.health()
            assert health["ok"] is False and health["database"]["ok"] is False
            assert health["database"]["error"] and health["database"]["since"]
            assert cluster.url not in json.dumps(health) and "postgresql://" not in json.dumps(health)

            started = await asyncio.to_thread(cluster.start)
            assert started.returncode == 0, started.stderr + cluster.server_log()
            await until(lambda: h.app.health()["database"]["ok"], "the database to be reported back")
            assert h.app.health()["ok"] is True
            for n in range(5):
                reply = await log(f"c{cycle}-up-{n}")
                assert reply.startswith(LOGGED), reply

        stored = stored_sources(h)
        acknowledged = {event_id for event_id, reply in outcomes.items() if reply.startswith(LOGGED)}
        refused = {event_id for event_id, reply in outcomes.items() if "could not save" in reply}
        assert acknowledged | refused == set(outcomes), "every command got one of the two answers"
        assert {f"fake:{event_id}" for event_id in acknowledged} <= stored, "acknowledged but missing"
        assert not {f"fake:{event_id}" for event_id in during_outage} & stored
        assert all(UNAVAILABLE in outcomes[event_id] for event_id in during_outage)
        assert any(event_id in refused for event_id in outcomes if "-stream-" in event_id), "no stop mid-stream"
        seqs = [entry.seq for entry in queries.timeline(h.app.db, 1)]
        assert seqs == list(range(1, len(seqs) + 1))

        # Down once more, and Warroom still shuts down.
        await asyncio.to_thread(cluster.stop, "immediate")
        assert UNAVAILABLE in await log("last-down")
        await asyncio.wait_for(h.close(), timeout=10)
        closed = True
    finally:
        if not closed:
            await h.close()


def test_a_postgres_server_that_never_answers_costs_a_bounded_wait() -> None:
    """A network cut leaves connects hanging, and they run on the event loop: the wait must end by itself."""
    import socket
    import threading

    from sqlalchemy.exc import OperationalError
    from warroom.core.storage.connect import POSTGRES_CONNECT_TIMEOUT_S, open_engine

    with socket.socket() as silent:  # accepts connections (the kernel does) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        url = f"postgresql://warroom:secret@127.0.0.1:{port}/warroom"
        engine = open_engine(load_config(None, environ={"WARROOM_DATABASE_URL": url}))
        outcome: list[BaseException] = []

        def connect() -> None:
            try:
                engine.connect().close()
            except BaseException as error:
                outcome.append(error)

        worker = threading.Thread(target=connect, daemon=True)
        worker.start()
        worker.join(timeout=POSTGRES_CONNECT_TIMEOUT_S * 6)  # without the timeout, this would wait for ever
        assert not worker.is_alive(), "the connection attempt is still hanging"
        assert outcome and isinstance(outcome[0], OperationalError), outcome
        assert "timeout" in str(outcome[0]).lower(), outcome[0]  # it was the timeout that ended it
        engine.dispose()
