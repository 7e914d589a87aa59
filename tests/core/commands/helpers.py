"""Helpers shared by the command tests: run a command on INC-1 either way, read its timeline."""

from __future__ import annotations

import pytest
from warroom.core.storage import queries
from warroom.core.testing import Harness

VIA = pytest.mark.parametrize("via", ["channel", "flag"])


def entries(h: Harness, incident: int = 1) -> list[queries.Entry]:
    return list(queries.timeline(h.app.db, incident))


def person(h: Harness, name: str) -> int:
    return h.app.people.person_id(h.user(name), h.clock.now())


async def run(h: Harness, via: str, command: str, *, user: str = "alice", event_id: str | None = None) -> list[str]:
    """Run a command on INC-1: typed in its channel, or in the lobby with --incident."""
    if via == "channel":
        return await h.say(command, channel=h.channel("INC-1"), user=user, event_id=event_id)
    return await h.say(f"{command} --incident INC-1", user=user, event_id=event_id)
