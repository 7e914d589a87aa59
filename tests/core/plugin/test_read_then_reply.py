"""``call.read_then_reply``: a long read runs after the command is committed, off the writer, and then answers."""

from __future__ import annotations

from typing import Any

from warroom.core.plugin import Call, Plugin, command
from warroom.core.storage import queries
from warroom.core.testing import Harness


class Reader(Plugin):
    """Reads the record after its commands commit."""

    @command("count", examples=["/incident count"])
    def count(self, call: Call) -> None:
        """Count the timeline, counting the entry this command adds."""
        incident_id = call.incident.id
        call.record("note", "counting")
        call.read_then_reply(lambda: f"{len(self.context.timeline(incident_id))} entries")

    @command("broken", examples=["/incident broken"])
    def broken(self, call: Call) -> None:
        """A read that fails."""
        call.incident  # noqa: B018 - the incident must exist

        def read() -> str:
            raise RuntimeError("the read broke")

        call.read_then_reply(read)

    @command("refuse", examples=["/incident refuse"])
    def refuse(self, call: Call) -> None:
        """A read that refuses with a message of its own."""
        call.incident  # noqa: B018 - the incident must exist

        def read() -> str:
            call.fail("Nothing to show yet.")

        call.read_then_reply(read)


async def declared(warroom: Any) -> Harness:
    h: Harness = warroom(plugins={"reader": Reader})
    await h.say("/incident declare sev2 Checkout is down")
    return h


def entries(h: Harness) -> int:
    incident_id = h.app.service.incident_in(h.channel("INC-1"))
    assert incident_id is not None
    return len(list(queries.timeline(h.app.db, incident_id)))


async def test_the_read_sees_the_commands_own_committed_changes(warroom: Any) -> None:
    h = await declared(warroom)
    before = entries(h)

    replies = await h.say("/incident count", channel=h.channel("INC-1"))

    assert replies == [f"{before + 1} entries"]


async def test_a_failing_read_answers_with_an_apology_and_records_nothing(warroom: Any) -> None:
    h = await declared(warroom)
    before = entries(h)

    replies = await h.say("/incident broken", channel=h.channel("INC-1"))

    assert len(replies) == 1
    assert replies[0].startswith("Sorry — something went wrong on my side"), replies
    assert "Traceback" not in replies[0] and "the read broke" not in replies[0]
    assert entries(h) == before


async def test_a_read_that_fails_with_a_message_answers_it(warroom: Any) -> None:
    h = await declared(warroom)

    assert await h.say("/incident refuse", channel=h.channel("INC-1")) == ["Nothing to show yet."]
