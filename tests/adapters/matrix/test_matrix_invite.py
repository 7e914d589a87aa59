"""Bringing people into incident rooms on a real Synapse: ``invite`` and roles send Matrix invitations."""

from __future__ import annotations

from typing import Any

import pytest
from nio import JoinError, RoomGetStateEventResponse, SyncResponse
from warroom.core.app import Warroom
from warroom.core.storage import queries

from tests.adapters.matrix.driver import MatrixDriver, user_id


async def _membership(driver: MatrixDriver, room: str, name: str) -> str | None:
    response = await driver.reader.room_get_state_event(room, "m.room.member", user_id(name))
    if not isinstance(response, RoomGetStateEventResponse):
        return None
    content: dict[str, Any] = dict(response.content)
    return str(content.get("membership"))


async def test_invite_lets_people_into_a_private_room(driver: MatrixDriver, app: Warroom) -> None:
    await driver.start(app)
    await driver.post("alice", '/incident declare "Leaked signing key" --private')
    await driver.settle()
    room = driver.channel_of("INC-1")
    bob = await driver.person("bob")
    assert isinstance(await bob.client.join(room), JoinError)  # invite-only

    await driver.post("alice", "/incident invite @bob @carol", channel=room)
    await driver.settle()
    assert await _membership(driver, room, "bob") == "invite"
    assert await _membership(driver, room, "carol") == "invite"
    synced = await bob.client.sync(timeout=0)
    assert isinstance(synced, SyncResponse) and room in synced.rooms.invite  # bob's client shows the invitation
    reply = next(text for text in driver.bot_texts(room) if text.startswith("Invited"))
    assert reply.startswith("Invited bob (#3) and carol (#4) to INC-1. They can now see it.")

    await driver.post("bob", "here to help", channel=room)  # joins (driver.say enters the room first)
    await driver.settle()
    assert await _membership(driver, room, "bob") == "join"
    entries = [(e.kind, e.author, e.text) for e in queries.timeline(app.db, 1) if e.kind in ("invite", "message")]
    assert entries == [
        ("invite", "alice", "bob invited by alice"),
        ("invite", "alice", "carol invited by alice"),
        ("message", "bob", "here to help"),
    ]

    # Inviting someone already in the room is quietly nothing, and the bot keeps answering.
    await driver.post("alice", "/incident invite @bob", channel=room)
    await driver.settle()
    assert await _membership(driver, room, "bob") == "join"
    assert any(text.startswith("bob is already a member of INC-1.") for text in driver.bot_texts(room))


@pytest.mark.parametrize("private", [True, False])
async def test_a_role_holder_is_invited_to_the_room(driver: MatrixDriver, app: Warroom, private: bool) -> None:
    await driver.start(app)
    flag = " --private" if private else ""
    await driver.post("alice", f'/incident declare "Checkout is down"{flag}')
    await driver.settle()
    room = driver.channel_of("INC-1")
    await driver.post("alice", "/incident role communicator @dave", channel=room)
    await driver.settle()
    assert await _membership(driver, room, "dave") == "invite"
    dave = await driver.person("dave")
    await dave.enter(room)  # the invitation is what lets dave into the private room
    assert await _membership(driver, room, "dave") == "join"
