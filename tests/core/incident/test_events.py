"""Domain events: published to subscribers once their change is committed, never for a rejected one."""

from __future__ import annotations

import asyncio

from sqlmodel import Session
from warroom.core.incident.events import (
    DomainEvent,
    IncidentDeclared,
    IncidentResolved,
    PersonJoined,
    RoleAssigned,
    StatusChanged,
    TimelineEntryAdded,
)
from warroom.core.storage.tables import TimelineEntry
from warroom.core.testing import Harness


def names(events: list[DomainEvent]) -> list[str]:
    return [type(event).__name__ for event in events]


async def test_a_declaration_and_its_course_are_published(harness: Harness) -> None:
    h = harness
    seen: list[DomainEvent] = []
    h.app.writer.subscribe(seen.append)
    await h.say('/incident declare "Checkout is down" -s 1 --private')
    assert names(seen) == ["TimelineEntryAdded", "IncidentDeclared", "PersonJoined", "TimelineEntryAdded"]
    declared = seen[1]
    assert declared == IncidentDeclared(1, "INC-1", h.clock.now(), "Checkout is down", 1, True)
    assert [(e.seq, e.kind) for e in seen if isinstance(e, TimelineEntryAdded)] == [(1, "declared"), (2, "channel")]
    channel = h.channel("INC-1")

    seen.clear()
    await h.say("/incident role commander @bob", channel=channel)
    bob = h.app.people.person_id(h.user("bob"), h.clock.now())
    assert seen[1:] == [
        RoleAssigned(1, "INC-1", h.clock.now(), "commander", bob, None),
        PersonJoined(1, "INC-1", h.clock.now(), bob),
    ]
    assert isinstance(seen[0], TimelineEntryAdded) and (seen[0].seq, seen[0].kind) == (3, "role")

    seen.clear()
    await h.say("/incident status mitigated", channel=channel, user="bob")
    assert seen[1:] == [StatusChanged(1, "INC-1", h.clock.now(), "investigating", "mitigated")]

    seen.clear()
    await h.say("/incident resolve Rolled back", channel=channel, user="bob")
    assert names(seen) == ["TimelineEntryAdded", "StatusChanged", "IncidentResolved", "TimelineEntryAdded"]
    assert seen[1] == StatusChanged(1, "INC-1", h.clock.now(), "mitigated", "resolved")
    assert seen[2] == IncidentResolved(1, "INC-1", h.clock.now())
    assert [(e.seq, e.kind) for e in seen if isinstance(e, TimelineEntryAdded)] == [(5, "status"), (6, "note")]

    seen.clear()
    await h.say("a chat line", channel=channel, user="carol")
    assert names(seen) == ["TimelineEntryAdded", "PersonJoined"] and seen[0].kind == "message"  # type: ignore[attr-defined]


async def test_events_are_published_only_after_commit(declared: Harness) -> None:
    h = declared
    visible: list[bool] = []

    def check(event: DomainEvent) -> None:
        # Another connection sees only committed rows.
        if isinstance(event, TimelineEntryAdded):
            with Session(h.app.sql_engine) as session:
                visible.append(session.get(TimelineEntry, event.entry_id) is not None)

    h.app.writer.subscribe(check)
    channel = h.channel("INC-1")
    await h.say("/incident log one", channel=channel)
    await h.say("two", channel=channel)
    await h.say("/incident role take commander", channel=channel)
    assert visible == [True, True, True]


async def test_rejected_commands_and_duplicates_publish_nothing(declared: Harness) -> None:
    h = declared
    seen: list[DomainEvent] = []
    h.app.writer.subscribe(seen.append)
    channel = h.channel("INC-1")
    await h.say("/incident role take commander", channel=channel, user="carol")
    seen.clear()
    await h.say("/incident status mitigated", channel=channel, user="bob")  # denied
    await h.say("/incident status bogus", channel=channel, user="carol")  # invalid
    await h.say("/incident declare Checkout is down -s 9")  # invalid
    await h.say("/incident log", channel=channel)  # usage error
    await h.say("/incident role commander @carol", channel=channel, user="carol")  # already holds it
    event = h.event("hello", user="bob", channel=channel, event_id="once")
    await h.feed(event)
    assert names(seen) == ["TimelineEntryAdded", "PersonJoined"]  # bob's denied command did not join him
    await h.feed(event)
    assert names(seen) == ["TimelineEntryAdded", "PersonJoined"]


async def test_a_failing_subscriber_does_not_stop_the_others(declared: Harness) -> None:
    h = declared
    seen: list[DomainEvent] = []

    def broken(event: DomainEvent) -> None:
        raise RuntimeError("plugin bug")

    async def collect(event: DomainEvent) -> None:
        seen.append(event)

    h.app.writer.subscribe(broken)
    h.app.writer.subscribe(collect)
    assert await h.say("/incident log one", channel=h.channel("INC-1")) == ["📝 Logged #3."]
    assert names(seen) == ["TimelineEntryAdded"]


async def test_say_returns_after_async_subscribers_have_finished(declared: Harness) -> None:
    h = declared
    seen: list[str] = []

    async def slow(event: DomainEvent) -> None:
        for _ in range(3):
            await asyncio.sleep(0)  # yields to the loop, as any awaiting plugin would; no real waiting
        seen.append(type(event).__name__)

    h.app.writer.subscribe(slow)
    await h.say("a chat line", channel=h.channel("INC-1"))
    assert seen == ["TimelineEntryAdded"]
