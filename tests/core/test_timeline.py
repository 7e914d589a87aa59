"""The timeline: chat capture with platform timestamps, exactly-once delivery, gapless numbering."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from warroom.core.adapter.events import ReactionAdded
from warroom.core.adapter.refs import ConversationRef, MessageRef
from warroom.core.commands.context import CommandContext
from warroom.core.commands.records import record_entry
from warroom.core.errors import Invalid
from warroom.core.inbound import MAX_CAPTURED
from warroom.core.incident.state import load_incident
from warroom.core.storage import queries
from warroom.core.testing import Harness

CRASHED = (
    "Sorry — something went wrong on my side while handling that. Nothing from it was recorded; "
    "the details are in Warroom's log."
)


def entries(h: Harness, incident: int = 1) -> list[queries.Entry]:
    return list(queries.timeline(h.app.db, incident))


# --- capture -------------------------------------------------------------------------------------


async def test_channel_messages_are_captured_with_the_platform_time(declared: Harness) -> None:
    h = declared
    channel = h.channel("INC-1")
    sent_at = h.clock.now() + timedelta(minutes=3)
    h.advance(timedelta(minutes=3))
    event = h.event("Seeing 502s on api-3", user="bob", channel=channel, event_id="m1")
    h.advance(timedelta(minutes=2))  # delivered late: the platform's time counts, not ours
    assert await h.feed(event) == []
    entry = entries(h)[-1]
    assert (entry.seq, entry.kind, entry.text, entry.author) == (3, "message", "Seeing 502s on api-3", "bob")
    assert (entry.at, entry.source_event, entry.key, entry.data) == (sent_at, "fake:m1", False, {})
    bob = h.app.people.person_id(h.user("bob"), h.clock.now())
    assert bob in load_incident(h.app.db, 1).members  # type: ignore[union-attr]


async def test_messages_elsewhere_are_not_recorded(declared: Harness) -> None:
    h = declared
    before = entries(h)
    assert await h.say("is checkout down for anyone else?", user="bob") == []
    assert await h.say("lunch?", channel=ConversationRef("fake", "random", "random"), user="bob") == []
    assert await h.say("   ", channel=h.channel("INC-1"), user="bob") == []
    assert entries(h) == before
    await h.say("/incident declare Search is slow")
    assert [e.kind for e in entries(h, 2)] == ["declared", "channel"]


async def test_each_incident_channel_feeds_its_own_timeline(declared: Harness) -> None:
    h = declared
    await h.say("/incident declare Search is slow")
    await h.say("about checkout", channel=h.channel("INC-1"))
    await h.say("about search", channel=h.channel("INC-2"))
    assert [e.text for e in entries(h, 1) if e.kind == "message"] == ["about checkout"]
    assert [e.text for e in entries(h, 2) if e.kind == "message"] == ["about search"]


async def test_control_characters_in_chat_are_kept_visibly(declared: Harness) -> None:
    h = declared
    await h.say("tail: \x1b[31mERROR\x1b[0m\x07 done\tok\nnext", channel=h.channel("INC-1"))
    assert entries(h)[-1].text == "tail: \\x1b[31mERROR\\x1b[0m\\x07 done\tok\nnext"


async def test_a_huge_message_is_captured_truncated(declared: Harness) -> None:
    h = declared
    await h.say("z" * (MAX_CAPTURED + 10), channel=h.channel("INC-1"))
    entry = entries(h)[-1]
    assert entry.text == "z" * MAX_CAPTURED and entry.data == {"truncated_from": MAX_CAPTURED + 10}


# --- exactly once ----------------------------------------------------------------------------------


async def test_the_same_message_delivered_twice_is_recorded_once(declared: Harness) -> None:
    h = declared
    event = h.event("Restarting api-3 now", user="bob", channel=h.channel("INC-1"), event_id="dup")
    await h.feed(event)
    await h.feed(event)
    assert [e.source_event for e in entries(h) if e.kind == "message"] == ["fake:dup"]


async def test_concurrent_redeliveries_are_recorded_once(declared: Harness) -> None:
    h = declared
    channel = h.channel("INC-1")
    event = h.event("Restarting api-3 now", user="bob", channel=channel, event_id="dup")
    other = h.event("and api-4", user="bob", channel=channel, event_id="other")
    await asyncio.gather(h.feed(event), h.feed(event), h.feed(other), h.feed(event))
    messages = [(e.text, e.source_event) for e in entries(h) if e.kind == "message"]
    assert messages == [("Restarting api-3 now", "fake:dup"), ("and api-4", "fake:other")]
    assert [e.seq for e in entries(h)] == [1, 2, 3, 4]


@pytest.mark.parametrize("concurrently", [False, True])
async def test_a_redelivered_command_acts_once(declared: Harness, concurrently: bool) -> None:
    h = declared
    channel = h.channel("INC-1")
    commands = [
        h.event("/incident task add Drain the queue", user="bob", channel=channel, event_id="t1"),
        h.event("/incident log Drained", user="bob", channel=channel, event_id="l1"),
        h.event("/incident declare Search is slow", user="bob", event_id="d1"),
    ]
    for event in commands:
        if concurrently:
            await asyncio.gather(h.feed(event), h.feed(event))
        else:
            await h.feed(event)
            await h.feed(event)
    assert [t.title for t in queries.tasks(h.app.db, 1)] == ["Drain the queue"]
    assert [e.source_event for e in entries(h)[2:]] == ["fake:t1", "fake:l1"]
    assert queries.incident_ids(h.app.db) == [2, 1] and len(h.adapter.opened) == 2
    texts = h.adapter.texts()
    assert sum(text.startswith("☑️ Task 1 added") for text in texts) == 1
    assert sum(text.startswith("📝 Logged") for text in texts) == 1
    assert sum("INC-2 · Search is slow" in text for text in texts) == 2  # its channel and the lobby


# --- numbering -----------------------------------------------------------------------------------


async def test_entries_are_numbered_without_gaps_after_failures(
    declared: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = declared
    channel = h.channel("INC-1")
    handlers = h.app.commands.handlers

    def half_done_then_invalid(ctx: CommandContext) -> None:
        record_entry(ctx, "decision", "half of a decision", key=True)
        raise Invalid("That decision needs a reason.")

    def half_done_then_crash(ctx: CommandContext) -> None:
        record_entry(ctx, "assumption", "half of an assumption")
        ctx.service.get(1).summary = "leaked"
        raise RuntimeError("boom")

    monkeypatch.setitem(handlers, ("decide",), half_done_then_invalid)
    monkeypatch.setitem(handlers, ("assume",), half_done_then_crash)
    await h.say("first message", channel=channel, user="bob")
    await h.say("/incident role take commander", channel=channel, user="carol")
    assert await h.say("/incident status mitigated", channel=channel, user="bob") == [
        "Only the incident commander can change the status on INC-1; ask them in the channel."
    ]
    assert await h.say("/incident decide Roll back", channel=channel) == ["That decision needs a reason."]
    assert await h.say("/incident assume The deploy", channel=channel) == [CRASHED]
    assert await h.say("/incident task done 7", channel=channel) == [
        "There is no task 7 on INC-1; see “/incident tasks”."
    ]
    await h.say("second message", channel=channel, user="bob")
    assert await h.say("/incident log after the failures", channel=channel) == ["📝 Logged #6."]
    timeline = entries(h)
    assert [e.seq for e in timeline] == [1, 2, 3, 4, 5, 6]
    assert [e.kind for e in timeline] == ["declared", "channel", "message", "role", "message", "note"]
    assert "half of" not in " ".join(e.text for e in timeline)
    state = load_incident(h.app.db, 1)
    assert state is not None and state.summary == "" and state.next_seq == 7
    assert h.app.service.get(1).summary == ""  # the cached view was dropped with the rollback


async def test_a_crashing_handler_apologises_and_the_next_command_works(
    declared: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = declared
    channel = h.channel("INC-1")

    def crash(ctx: CommandContext) -> None:
        ctx.service.set_status(ctx.actor, ctx.incident(), "identified", ctx.tx.at, ctx.source())
        raise RuntimeError("a bug")

    monkeypatch.setitem(h.app.commands.handlers, ("status",), crash)
    before = entries(h)
    assert await h.say("/incident status identified", channel=channel, event_id="c1") == [CRASHED]
    assert entries(h) == before
    assert load_incident(h.app.db, 1).status == "investigating"  # type: ignore[union-attr]
    assert await h.say("/incident log still standing", channel=channel) == ["📝 Logged #3."]
    monkeypatch.undo()
    # the crashed event was not marked handled: a redelivery after the fix is acted on
    assert await h.say("/incident status identified", channel=channel, event_id="c1") == [
        "INC-1 is now identified (#4)."
    ]


async def test_a_failure_inside_a_batch_leaves_the_others_and_no_gap(
    declared: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = declared
    channel = h.channel("INC-1")

    def half_done_then_crash(ctx: CommandContext) -> None:
        record_entry(ctx, "decision", "half of a decision", key=True)
        raise RuntimeError("boom")

    monkeypatch.setitem(h.app.commands.handlers, ("decide",), half_done_then_crash)
    events = [
        h.event("/incident log one", user="bob", channel=channel),
        h.event("/incident decide Roll back", user="bob", channel=channel),
        h.event("chat in between", user="carol", channel=channel),
        h.event("/incident status nonsense", user="bob", channel=channel),
        h.event("/incident log two", user="bob", channel=channel),
    ]
    await asyncio.gather(*(h.feed(event) for event in events))
    timeline = entries(h)
    assert [(e.seq, e.text) for e in timeline[2:]] == [(3, "one"), (4, "chat in between"), (5, "two")]
    texts = h.adapter.texts(channel)
    assert CRASHED in texts and "📝 Logged #3." in texts and "📝 Logged #5." in texts
    assert any(text.startswith("“nonsense” is not a status") for text in texts)


async def test_a_pin_reaction_on_a_captured_message_marks_it_as_a_key_event(declared: Harness) -> None:
    h = declared
    channel = h.channel("INC-1")
    await h.say("error rate is 40% since 14:02", channel=channel, user="carol", event_id="msg-7")
    said = MessageRef(channel, "msg-7")
    await h.feed(ReactionAdded("r1", channel, h.user("bob"), h.clock.now(), said, "📌"))
    await h.feed(ReactionAdded("r2", channel, h.user("bob"), h.clock.now(), said, "📌"))  # already key: nothing
    await h.feed(ReactionAdded("r3", channel, h.user("bob"), h.clock.now(), MessageRef(channel, "nope"), "📌"))
    entries = list(queries.timeline(h.app.db, 1))
    pinned = next(e for e in entries if e.source_event == "fake:msg-7")
    assert pinned.key
    assert [(e.kind, e.author, e.text) for e in entries if e.kind == "key"] == [
        ("key", "bob", f"#{pinned.seq} marked as key event")
    ]
