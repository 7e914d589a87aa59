"""Reads: each column lands in the field of the same name, whichever query read it."""

from __future__ import annotations

from dataclasses import fields

from warroom.core.adapter.refs import ConversationRef
from warroom.core.storage import queries
from warroom.core.storage.queries import Entry, PersonView, TaskItem
from warroom.core.storage.tables import ENTRIES
from warroom.core.testing import Harness


def test_every_entry_field_is_a_timeline_column() -> None:
    columns = {column.name for column in ENTRIES.c}
    assert {"author" if name == "author_name" else name for name in columns} >= {f.name for f in fields(Entry)}


async def test_an_entry_reads_back_each_value_in_its_own_field(harness: Harness) -> None:
    h = harness
    await h.say("/incident declare Checkout is down")
    channel = h.channel("INC-1")
    await h.say("/incident decide Roll back api", channel=channel, user="bob", event_id="cmd-7")
    found = queries.entry_from(h.app.db, "fake:cmd-7")
    assert found is not None
    incident_id, entry = found
    assert incident_id == 1
    assert (entry.kind, entry.author, entry.text, entry.key, entry.source_event, entry.data) == (
        "decision",
        "bob",
        "Roll back api",
        True,
        "fake:cmd-7",
        {},
    )
    assert entry.at == h.clock.now()
    assert queries.entry(h.app.db, 1, entry.seq) == entry
    assert queries.last_of_kind(h.app.db, 1, "decision") == entry
    assert queries.of_kind(h.app.db, 1, "decision") == [entry]
    assert queries.key_events(h.app.db, 1)[-1] == entry
    assert list(queries.timeline(h.app.db, 1, page=2))[-1] == entry


async def test_channels_are_references(harness: Harness) -> None:
    h = harness
    await h.say("/incident declare Checkout is down")
    (channel,) = queries.channels(h.app.db, 1)
    assert isinstance(channel, ConversationRef)
    assert (channel.platform, channel.name) == ("fake", "inc-1-checkout-is-down")
    assert h.app.channels_of("INC-1", "fake") == [channel]
    assert h.app.channels_of("INC-1", "elsewhere") == []


async def test_a_task_is_read_with_its_owner_for_commands_and_plugins_alike(harness: Harness) -> None:
    h = harness
    await h.say("/incident declare Checkout is down")
    channel = h.channel("INC-1")
    await h.say("/incident task add Roll back api --owner @carol", channel=channel)
    await h.say("/incident task add Page the DBA", channel=channel)
    await h.say("/incident task done 2", channel=channel)
    carol = h.app.people.person_id(h.user("carol"), h.clock.now())
    assert queries.tasks(h.app.db, 1) == [
        TaskItem(1, "Roll back api", PersonView(carol, "carol"), "open"),
        TaskItem(2, "Page the DBA", None, "done"),
    ]
    first, second = queries.tasks(h.app.db, 1)
    assert (first.owner_id, first.done, second.owner_id, second.done) == (carol, False, None, True)
