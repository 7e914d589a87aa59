"""Restarts and redeliveries: what was said while the bot was down is handled once, nothing twice."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import select
from warroom.core.adapter.messages import Message
from warroom.core.adapter.refs import ConversationRef
from warroom.core.app import Warroom
from warroom.core.storage import queries
from warroom.core.storage.tables import INCIDENTS

from tests.adapters.matrix.driver import MatrixDriver
from tests.adapters.matrix.synapse_server import Synapse
from tests.contract.scenario import make_app

_TITLES = select(INCIDENTS.c.title).order_by(INCIDENTS.c.id)


def _sources(app: Warroom) -> Counter[str]:
    return Counter(entry.source_event for entry in queries.timeline(app.db, 1) if entry.source_event)


def _texts(app: Warroom, kind: str) -> list[str]:
    return [entry.text for entry in queries.timeline(app.db, 1) if entry.kind == kind]


async def _incident(driver: MatrixDriver, app: Warroom) -> str:
    await driver.start(app)
    await driver.post("alice", '/incident declare "Queue backlog" -s 2')
    await driver.settle()
    room = driver.channel_of("INC-1")
    await driver.post("alice", "/incident role take commander", channel=room)
    await driver.post("carol", "before the restart", channel=room)
    await driver.settle()
    return room


async def _restart(driver: MatrixDriver, old: Warroom, tmp_path: Path) -> Warroom:
    await driver.stop_bot()
    await old.close()
    return make_app(tmp_path)  # the same database file


async def test_messages_sent_while_the_bot_was_down_are_handled_once(synapse: Synapse, tmp_path: Path) -> None:
    # A short timeline per sync, so catching up also has to backfill the gap.
    driver = MatrixDriver(synapse, timeline_limit=3)
    app = make_app(tmp_path)
    try:
        room = await _incident(driver, app)
        assert driver.adapter is not None
        device = driver.adapter.client.device_id
        conversation = ConversationRef("matrix", room, "")
        first = await driver.adapter.send(
            conversation, Message.plain("said once"), key="test:resend:0", in_reply_to=None
        )
        app = await _restart(driver, app, tmp_path)

        offline = [await driver.say("carol", f"while down {n}", channel=room) for n in range(6)]
        offline.append(await driver.say("alice", "!incident status identified", channel=room))
        offline.append(await driver.say("bob", "last one", channel=room))

        await driver.start(app)
        assert driver.adapter is not None and driver.adapter.client.device_id == device
        # The same device, so a reply resent after the restart with the same key is the same event.
        again = await driver.adapter.send(
            conversation, Message.plain("said once"), key="test:resend:0", in_reply_to=None
        )
        assert again.id == first.id
        driver.posted.extend(offline)
        await driver.settle()
        assert driver.bot_texts(room).count("said once") == 1

        messages = _texts(app, "message")
        assert messages == ["before the restart", *(f"while down {n}" for n in range(6)), "last one"]
        assert _texts(app, "status") == ["Status investigating → identified"]
        sources = _sources(app)
        assert all(count == 1 for count in sources.values()), sources
        assert all(sources[f"matrix:{event_id}"] == 1 for event_id in offline)
        answers = [text for text in driver.bot_texts(room) if "is now identified" in text]
        assert len(answers) == 1, driver.bot_texts(room)
        health = driver.adapter.health().report()
        assert health["ok"] is True and health["backfilled_events"] >= 5, health
    finally:
        await driver.stop()
        await app.close()


async def test_a_replayed_sync_is_recognised_and_not_handled_again(synapse: Synapse, tmp_path: Path) -> None:
    driver = MatrixDriver(synapse)
    app = make_app(tmp_path)
    try:
        room = await _incident(driver, app)
        earlier = app.adapter_state("matrix").get("sync")
        await driver.post("carol", "handled before the replay", channel=room)
        await driver.post("alice", "/incident log checked the consumers", channel=room)
        await driver.settle()
        answers_before = driver.bot_texts(room)

        await driver.stop_bot()
        await app.adapter_state("matrix").set("sync", earlier)  # as if the bot had crashed before storing it
        app = await _restart(driver, app, tmp_path)
        await driver.start(app)
        replay = await driver.say("carol", "new after the replay", channel=room)
        driver.posted.append(replay)
        await driver.settle()

        assert _texts(app, "message") == ["before the restart", "handled before the replay", "new after the replay"]
        assert _texts(app, "note") == ["checked the consumers"]
        assert all(count == 1 for count in _sources(app).values()), _sources(app)
        assert driver.bot_texts(room) == answers_before  # nothing answered twice
    finally:
        await driver.stop()
        await app.close()


async def test_a_new_bot_does_not_act_on_history_it_finds(synapse: Synapse, tmp_path: Path) -> None:
    driver = MatrixDriver(synapse)
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
    app = make_app(tmp_path / "first")
    try:
        await driver.start(app)
        await driver.post("alice", '/incident declare "Handled by the first bot"')
        await driver.settle()
        await driver.stop_bot()
        await app.close()
        await driver.say("alice", '!incident declare "Said before the new bot ever synced"')

        app = make_app(tmp_path / "second")  # a fresh database: no sync position, no session
        await driver.start(app)
        fresh = await driver.say("alice", '!incident declare "Said to the new bot"')
        driver.posted.append(fresh)
        await driver.settle()
        assert [title for (title,) in app.db.select(_TITLES)] == ["Said to the new bot"]
    finally:
        await driver.stop()
        await app.close()
