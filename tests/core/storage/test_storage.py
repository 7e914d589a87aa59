"""Storage: SQLite settings, restarts, deduplication, group commit and failed commits.

The restart and deduplication scenarios also run against PostgreSQL when one is
available: ``WARROOM_TEST_POSTGRES_URL``, or a throwaway cluster started from the
``initdb``/``pg_ctl`` binaries found on this machine. Otherwise they are skipped.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from warroom.core.config.loader import Config, load_config
from warroom.core.engine.transaction import Transaction
from warroom.core.storage import queries
from warroom.core.storage.tables import ENTRIES
from warroom.core.testing import Harness

from tests.postgres import drop_everything

SAVE_FAILED = "could not save"

HarnessFactory = Callable[[], Harness]


def sqlite_config(path: Path, **database: object) -> Config:
    """A config for the SQLite file ``path``, with extra ``database:`` options written as YAML."""
    lines = "".join(f"  {name}: {value}\n" for name, value in database.items())
    config_file = path.with_suffix(".yaml")
    config_file.write_text(f"database:\n  url: sqlite:///{path}\n{lines}", encoding="utf-8")
    return load_config(config_file, environ={})


def timeline(h: Harness, incident_id: int = 1) -> list[dict[str, Any]]:
    return [entry.export() for entry in queries.timeline(h.app.db, incident_id)]


def raw_rows(path: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Read with a separate sqlite3 connection: only what was committed is visible."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


async def declare(h: Harness, title: str = "Checkout is down") -> None:
    replies = await h.say(f"/incident declare {title} --severity 2", event_id="declare-1")
    assert any("INC-1" in reply for reply in replies), replies


# --- SQLite connection settings ----------------------------------------------------------------


def connection_pragmas(h: Harness) -> dict[str, Any]:
    names = ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
    with h.app.sql_engine.connect() as connection:
        return {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in names}


async def test_sqlite_defaults_are_wal_foreign_keys_normal(tmp_path: Path) -> None:
    h = Harness(tmp_path / "w.db")
    try:
        pragmas = connection_pragmas(h)
        assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000, "synchronous": 1}
        # WAL is a property of the file: any other connection sees it too.
        assert raw_rows(tmp_path / "w.db", "PRAGMA journal_mode") == [("wal",)]
    finally:
        await h.close()


async def test_sqlite_synchronous_full_and_busy_timeout_from_config(tmp_path: Path) -> None:
    config = sqlite_config(tmp_path / "w.db", synchronous="full", busy_timeout_ms=1234)
    h = Harness(tmp_path / "w.db", config=config)
    try:
        pragmas = connection_pragmas(h)
        assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 1234, "synchronous": 2}
    finally:
        await h.close()


async def test_the_writers_own_connection_enforces_foreign_keys(tmp_path: Path) -> None:
    h = Harness(tmp_path / "w.db")
    db = h.app.db
    try:
        db.begin()
        row = {
            "incident_id": 999,
            "seq": 1,
            "at": h.clock.now(),
            "kind": "note",
            "author_name": "x",
            "text": "x",
            "data": "{}",
            "key": False,
            "source_event": None,
        }
        with pytest.raises(db.integrity_error):
            db.insert(ENTRIES, row)
        db.rollback()
    finally:
        await h.close()


# --- restart and deduplication, on every available backend -------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def make_harness(request: pytest.FixtureRequest, tmp_path: Path) -> HarnessFactory:
    """A way to open a Harness again and again on the same database (a fresh one per test)."""
    if request.param == "sqlite":
        path = tmp_path / "w.db"
        return lambda: Harness(path)
    url = request.getfixturevalue("postgres_url")
    drop_everything(url)
    config = load_config(None, environ={"WARROOM_DATABASE_URL": url})
    return lambda: Harness(tmp_path / "unused.db", config=config)


async def test_restart_keeps_incident_roles_tasks_timeline_and_channel(make_harness: HarnessFactory) -> None:
    # Every event gets its own id: each Harness numbers events from e1, so a restarted
    # Harness would otherwise replay the first one's ids and be (rightly) deduplicated.
    h = make_harness()
    try:
        await declare(h)
        channel = h.channel("INC-1")
        await h.say("/incident role take commander", channel=channel, event_id="c1")
        await h.say("/incident role communicator @bob", channel=channel, event_id="c2")
        await h.say("/incident task add Roll back api --owner @carol", channel=channel, event_id="c3")
        await h.say("/incident task add Page the DBA", channel=channel, event_id="c4")
        await h.say("/incident task done 2", channel=channel, event_id="c5")
        await h.say("/incident status identified", channel=channel, event_id="c6")
        await h.say("error rate is 40% on EU", channel=channel, user="bob", event_id="m1")
        before = timeline(h)
        assert [e["seq"] for e in before] == list(range(1, len(before) + 1))
    finally:
        await h.close()

    h = make_harness()
    try:
        assert h.channel("INC-1") == channel
        assert timeline(h) == before
        incident = h.app.service.get(1)
        assert (incident.title, incident.severity, incident.status) == ("Checkout is down", 2, "identified")
        names = h.app.people.name
        assert {role: names(person) for role, person in incident.roles.items()} == {
            "commander": "alice",
            "communicator": "bob",
        }
        tasks = [
            (t.number, t.title, names(t.owner_id) if t.owner_id else None, t.state) for t in queries.tasks(h.app.db, 1)
        ]
        assert tasks == [(1, "Roll back api", "carol", "open"), (2, "Page the DBA", None, "done")]

        # The old channel is still the incident's: chat there is captured, numbering goes on.
        assert await h.say("still failing after restart", channel=channel, user="carol", event_id="m2") == []
        replies = await h.say("/incident log restarted api-3", channel=channel, event_id="c7")
        assert replies == [f"📝 Logged #{len(before) + 2}."]
        # Permissions survived too: bob is not the commander, alice still is.
        denied = await h.say("/incident status mitigated", channel=channel, user="bob", event_id="c8")
        assert len(denied) == 1 and "Only the incident commander" in denied[0]
        assert "mitigated" in (await h.say("/incident status mitigated", channel=channel, event_id="c9"))[0]
        after = timeline(h)
        assert after[: len(before)] == before
        assert [e["seq"] for e in after] == list(range(1, len(after) + 1))
        assert [(e["kind"], e["text"]) for e in after[len(before) :]] == [
            ("message", "still failing after restart"),
            ("note", "restarted api-3"),
            ("status", "Status identified → mitigated"),
        ]
    finally:
        await h.close()


async def test_redelivered_events_after_restart_are_recorded_once(make_harness: HarnessFactory) -> None:
    h = make_harness()
    try:
        await declare(h)
        channel = h.channel("INC-1")
        assert await h.say("first sighting", channel=channel, event_id="chat-1") == []
        assert await h.say("/incident log rolled back", channel=channel, event_id="cmd-1") == ["📝 Logged #4."]
        before = timeline(h)
    finally:
        await h.close()

    h = make_harness()
    try:
        # Same platform events again (a gateway resume replays them): nothing happens, nothing is said.
        assert await h.say("first sighting", channel=channel, event_id="chat-1") == []
        assert await h.say("/incident log rolled back", channel=channel, event_id="cmd-1") == []
        assert await h.say("/incident declare Checkout is down --severity 2", event_id="declare-1") == []
        assert timeline(h) == before
        assert queries.incident_ids(h.app.db) == [1]
        # A new event with the same text is new, though.
        assert await h.say("first sighting", channel=channel, event_id="chat-2") == []
        assert [e["text"] for e in timeline(h)][-2:] == ["rolled back", "first sighting"]
    finally:
        await h.close()


async def test_a_key_is_claimed_once_and_the_transaction_goes_on(make_harness: HarnessFactory) -> None:
    """A second claim is refused without a database error, so PostgreSQL does not abort the transaction."""
    h = make_harness()
    try:
        await h.start()

        def job(tx: Transaction) -> tuple[bool, bool, bool]:
            return tx.service.claim("k", tx.at), tx.service.claim("k", tx.at), tx.service.claim("l", tx.at)

        assert await h.app.writer.submit(job, key="claims") == (True, False, True)
        assert await h.app.writer.submit(lambda tx: tx.service.claim("l", tx.at), key="again") is False
    finally:
        await h.close()


async def test_an_event_delivered_twice_in_one_batch_is_recorded_once(make_harness: HarnessFactory) -> None:
    h = make_harness()
    try:
        await declare(h)
        channel = h.channel("INC-1")
        before = len(timeline(h))
        twice = [h.event("seen twice", user="bob", channel=channel, event_id="dup-1") for _ in range(2)]
        others = [h.event(f"chat {n}", user="bob", channel=channel) for n in range(3)]
        await asyncio.gather(*(h.app.inbound(event) for event in [others[0], *twice, *others[1:]]))
        await h.settle()
        texts = [e["text"] for e in timeline(h)[before:]]
        assert texts == ["chat 0", "seen twice", "chat 1", "chat 2"]
    finally:
        await h.close()


# --- group commit and failed commits (SQLite) ----------------------------------------------------


def count_commits(h: Harness, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Wrap the writer's commit; the returned list's only item counts the COMMITs."""
    counter = [0]
    real = h.app.db.commit

    def commit() -> None:
        counter[0] += 1
        real()

    monkeypatch.setattr(h.app.db, "commit", commit)
    return counter


async def test_a_burst_of_chat_is_stored_in_order_with_fewer_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.db"
    h = Harness(path)
    try:
        await declare(h)
        channel = h.channel("INC-1")
        first_seq = len(timeline(h)) + 1
        commits = count_commits(h, monkeypatch)
        events = [h.event(f"line {i}", user=f"user{i % 7}", channel=channel, event_id=f"burst-{i}") for i in range(500)]

        await asyncio.gather(*(h.app.inbound(event) for event in events))

        assert 1 <= commits[0] < 500
        stored = [(e["seq"], e["text"]) for e in timeline(h) if e["kind"] == "message"]
        assert stored == [(first_seq + i, f"line {i}") for i in range(500)]
        # Acknowledged means committed: another connection sees all of them already.
        count = raw_rows(path, "SELECT count(*) FROM timeline_entry WHERE source_event LIKE 'fake:burst-%'")
        assert count == [(500,)]
    finally:
        await h.close()


async def test_an_acknowledged_entry_is_visible_to_another_connection(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    h = Harness(path)
    try:
        await declare(h)
        channel = h.channel("INC-1")
        await h.app.inbound(h.event("durable line", channel=channel, user="bob", event_id="durable-1"))
        rows = raw_rows(path, "SELECT kind, text FROM timeline_entry WHERE source_event = ?", "fake:durable-1")
        assert rows == [("message", "durable line")]
        await h.app.inbound(h.event("/incident log durable note", user="alice", channel=channel, event_id="durable-2"))
        rows = raw_rows(path, "SELECT kind, text FROM timeline_entry WHERE source_event = ?", "fake:durable-2")
        assert rows == [("note", "durable note")]
    finally:
        await h.close()


async def test_a_failed_commit_answers_every_job_and_stores_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.db"
    h = Harness(path)
    try:
        await declare(h)
        channel = h.channel("INC-1")
        before = timeline(h)
        real = h.app.db.commit
        failures = [sqlite3.OperationalError("disk I/O error")]

        def commit() -> None:
            if failures:
                raise failures.pop()
            real()

        monkeypatch.setattr(h.app.db, "commit", commit)
        sent_before = len(h.adapter.sent)
        events = [h.event(f"lost {i}", channel=channel, user="bob", event_id=f"lost-{i}") for i in range(5)]
        events.append(h.event("/incident log lost note", user="alice", channel=channel, event_id="lost-cmd"))

        await asyncio.gather(*(h.app.inbound(event) for event in events))
        await h.app.writer.settle()

        assert not failures, "the commit was never attempted"
        answers = h.adapter.sent[sent_before:]
        assert len(answers) == len(events)
        assert all(SAVE_FAILED in a.text and a.conversation == channel for a in answers), [a.text for a in answers]
        assert timeline(h) == before
        assert raw_rows(path, "SELECT count(*) FROM timeline_entry WHERE source_event LIKE 'fake:lost-%'") == [(0,)]
        assert raw_rows(path, "SELECT count(*) FROM processed_event WHERE event_key LIKE 'fake:lost-%'") == [(0,)]

        # The next message works, numbering has no gap, and a retried lost event is not taken for a duplicate.
        assert await h.say("/incident log after the failure", channel=channel, event_id="after-1") == [
            f"📝 Logged #{len(before) + 1}."
        ]
        assert await h.feed(events[0]) == []
        tail = [(e["seq"], e["text"]) for e in timeline(h)[len(before) :]]
        assert tail == [(len(before) + 1, "after the failure"), (len(before) + 2, "lost 0")]
    finally:
        await h.close()


async def test_a_long_read_sees_one_committed_state_while_the_writer_goes_on(make_harness: HarnessFactory) -> None:
    """The reader that post-mortems and documents render from keeps one snapshot, on both databases."""
    h = make_harness()
    try:
        await declare(h)
        channel = h.channel("INC-1")
        await h.say("/incident log first", channel=channel, event_id="r1")
        with h.app.service.reader() as reader:
            before = [entry.text for entry in queries.timeline(reader.db, 1)]
            await h.say("/incident log second", channel=channel, event_id="r2")  # committed by the writer meanwhile
            again = [entry.text for entry in queries.timeline(reader.db, 1)]
        assert "first" in before and again == before
        assert "second" in [entry.text for entry in queries.timeline(h.app.db, 1)]
    finally:
        await h.close()
