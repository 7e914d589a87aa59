"""An incident on a real Synapse: rooms, roles, capture, confirmations by reaction, escaping, threads."""

from __future__ import annotations

import asyncio
from typing import Any

from nio import (
    AsyncClient,
    JoinError,
    LoginResponse,
    RoomCreateResponse,
    RoomGetEventResponse,
    RoomGetStateEventResponse,
    RoomGetVisibilityResponse,
)
from warroom.core.app import Warroom
from warroom.core.storage import queries

from tests.adapters.matrix.driver import BOT_ID, MatrixDriver, user_id
from tests.adapters.matrix.synapse_server import PASSWORD, Synapse


async def _state(driver: MatrixDriver, room: str, event_type: str, state_key: str = "") -> dict[str, Any]:
    response = await driver.reader.room_get_state_event(room, event_type, state_key)
    assert isinstance(response, RoomGetStateEventResponse), response
    return dict(response.content)


async def _visibility(driver: MatrixDriver, room: str) -> str:
    response = await driver.reader.room_get_visibility(room)
    assert isinstance(response, RoomGetVisibilityResponse), response
    return str(response.visibility)


async def _declare(
    driver: MatrixDriver, app: Warroom, command: str = '/incident declare "Checkout is down" -s 1'
) -> str:
    await driver.start(app)
    await driver.post("alice", command)
    await driver.settle()
    return driver.channel_of("INC-1")


def _entries(app: Warroom, kind: str) -> list[queries.Entry]:
    return [entry for entry in queries.timeline(app.db, 1) if entry.kind == kind]


async def test_declaring_opens_a_public_listed_room_with_the_declarer_invited(
    driver: MatrixDriver, app: Warroom
) -> None:
    room = await _declare(driver, app)
    assert (await _state(driver, room, "m.room.name"))["name"] == "inc-1-checkout-is-down"
    assert (await _state(driver, room, "m.room.topic"))["topic"] == "INC-1: Checkout is down"
    assert (await _state(driver, room, "m.room.join_rules"))["join_rule"] == "public"
    assert await _visibility(driver, room) == "public"
    assert (await _state(driver, room, "m.room.member", user_id("alice")))["membership"] == "invite"

    intro_id, intro = driver.bot_events(room)[0]
    assert intro["msgtype"] == "m.notice" and intro["m.mentions"] == {}
    assert "INC-1" in intro["body"] and "!incident role take commander" in intro["body"]
    assert intro["format"] == "org.matrix.custom.html"
    assert intro["formatted_body"].startswith("<p><strong>🚨 INC-1")
    lobby = driver.bot_texts()
    assert any("Join inc-1-checkout-is-down to help." in text for text in lobby), lobby
    assert intro_id.startswith("$")


async def test_a_private_incident_gets_an_invite_only_room_outside_the_directory(
    driver: MatrixDriver, app: Warroom
) -> None:
    room = await _declare(driver, app, '/incident declare "Leaked signing key" --private')
    assert (await _state(driver, room, "m.room.join_rules"))["join_rule"] == "invite"
    assert await _visibility(driver, room) == "private"
    bob = await driver.person("bob")
    assert isinstance(await bob.client.join(room), JoinError)
    await driver.post("alice", "I'm in", channel=room)  # invited, so she can join
    await driver.settle()
    assert [entry.text for entry in _entries(app, "message")] == ["I'm in"]


async def test_roles_and_chat_land_on_the_timeline_once_with_matrix_ids_and_times(
    driver: MatrixDriver, app: Warroom
) -> None:
    room = await _declare(driver, app)
    await driver.post("alice", "/incident role take commander", channel=room)
    await driver.post("alice", "/incident role communicator @bob", channel=room)
    said = [await driver.say("carol", f"p99 is {n}s", channel=room) for n in (4, 7, 9)]
    driver.posted.extend(said)
    await driver.settle()

    assert [entry.text for entry in _entries(app, "role")] == ["alice is now commander", "bob is now communicator"]
    messages = _entries(app, "message")
    assert [(entry.author, entry.text) for entry in messages] == [("carol", f"p99 is {n}s") for n in (4, 7, 9)]
    assert [entry.source_event for entry in messages] == [f"matrix:{event_id}" for event_id in said]
    posted = await driver.reader.room_get_event(room, said[0])
    assert isinstance(posted, RoomGetEventResponse)
    assert messages[0].at.timestamp() * 1000 == posted.event.server_timestamp
    assert any("bob is now the communicator" in text for text in driver.bot_texts(room)), driver.bot_texts(room)


async def test_a_reaction_confirms_only_from_an_allowed_approver(driver: MatrixDriver, app: Warroom) -> None:
    room = await _declare(driver, app)
    await driver.post("alice", "/incident role take commander", channel=room)
    await driver.post("bob", "/incident action restart db-1", channel=room)
    await driver.settle()
    prompt_id, prompt = next((e, c) for e, c in reversed(driver.bot_events(room)) if "React ✅" in c["body"])
    assert prompt["m.mentions"] == {}

    for who in ("mallory", "bob"):  # neither the commander nor allowed to approve their own request
        driver.posted.append(await driver.react(who, room, prompt_id, "✅"))
    await driver.settle()
    assert [entry.text for entry in _entries(app, "confirmation")] == ["Asked to: restart db-1"]
    assert any("Only the commander" in text for text in driver.bot_texts(room)), driver.bot_texts(room)

    await driver.approve_last_confirmation("alice", room)
    await driver.settle()
    assert [entry.text for entry in _entries(app, "confirmation")][-1] == "Approved: restart db-1"
    edited = dict(driver.bot_events(room))[prompt_id]  # the prompt itself, edited in place through m.replace
    assert "Approved" in edited["body"] and "React ✅" not in edited["body"]
    outcome = next(c for _, c in driver.bot_events(room) if "go ahead" in c["body"])
    assert outcome["m.mentions"] == {"user_ids": [user_id("bob")]}
    assert f'<a href="https://matrix.to/#/{user_id("bob")}">bob</a>' in outcome["formatted_body"]


async def test_user_text_cannot_format_or_ping_through_the_bot(driver: MatrixDriver, app: Warroom) -> None:
    room = await _declare(driver, app, '/incident declare "<b>Checkout</b> @room <img src=x>" -s 2')
    echoes = [
        content for _, content in driver.bot_events(None) + driver.bot_events(room) if "Checkout" in content["body"]
    ]
    assert len(echoes) >= 2  # the notice in the lobby and the intro in the room
    for content in echoes:
        assert content["m.mentions"] == {}
        assert "@room" in content["body"] and "<b>Checkout</b>" in content["body"]
        assert "&lt;b&gt;Checkout&lt;/b&gt; @room &lt;img src=x&gt;" in content["formatted_body"]
        assert "<b>" not in content["formatted_body"] and "<img" not in content["formatted_body"]


async def test_a_command_in_a_thread_is_answered_in_that_thread(driver: MatrixDriver, app: Warroom) -> None:
    room = await _declare(driver, app)
    alice = await driver.person("alice")
    root = await driver.say("alice", "db-1 investigation", channel=room)
    command = await alice.send(
        room,
        {
            "msgtype": "m.text",
            "body": "!incident log replica lag 30s",
            "m.relates_to": {"rel_type": "m.thread", "event_id": root, "is_falling_back": True},
        },
    )
    driver.posted.extend([root, command])
    await driver.settle()
    reply = next(c for _, c in driver.bot_events(room) if "Logged" in c["body"])
    assert reply["m.relates_to"]["rel_type"] == "m.thread" and reply["m.relates_to"]["event_id"] == root
    assert reply["m.relates_to"]["m.in_reply_to"] == {"event_id": command}


async def test_the_bot_ignores_its_own_notices_and_other_message_kinds(driver: MatrixDriver, app: Warroom) -> None:
    room = await _declare(driver, app)
    carol = await driver.person("carol")
    await carol.enter(room)
    notice = await carol.send(room, {"msgtype": "m.notice", "body": "!incident resolve"})
    emote = await carol.send(room, {"msgtype": "m.emote", "body": "waves"})
    text = await driver.say("carol", "only this counts", channel=room)
    driver.posted.append(text)
    await driver.settle()
    assert [entry.text for entry in _entries(app, "message")] == ["only this counts"]
    assert not any(entry.kind == "status" for entry in queries.timeline(app.db, 1))
    assert driver.adapter is not None
    assert not any(driver.adapter.handled(event_id) for event_id in (notice, emote))
    assert not any(entry.author == "Warroom" and entry.kind == "message" for entry in queries.timeline(app.db, 1))


async def test_incident_rooms_are_filed_in_the_configured_space(synapse: Synapse, app: Warroom) -> None:
    owner = AsyncClient(synapse.url, user_id("dave"))
    assert isinstance(await owner.login(PASSWORD), LoginResponse)
    created = await owner.room_create(
        name="Incidents",
        space=True,
        invite=[BOT_ID],
        power_level_override={"users": {BOT_ID: 50}},  # the creator (v12 rooms) always has full power
    )
    await owner.close()
    assert isinstance(created, RoomCreateResponse), created
    space = str(created.room_id)
    driver = MatrixDriver(synapse, space_id=space)
    try:
        await driver.start(app)
        await until_joined(driver, space)
        await driver.post("alice", '/incident declare "Filed in the space"')
        await driver.settle()
        room = driver.channel_of("INC-1")
        assert (await _state(driver, space, "m.space.child", room))["via"] == ["localhost"]
        assert (await _state(driver, room, "m.space.parent", space))["canonical"] is True
    finally:
        await driver.stop()


async def until_joined(driver: MatrixDriver, room: str) -> None:
    """The bot accepts invites on its own; wait until it has."""
    joined: list[str] = []

    async def look() -> None:
        response = await driver.reader.joined_rooms()
        joined[:] = getattr(response, "rooms", [])

    await look()
    while room not in joined:
        await asyncio.sleep(0.05)
        await look()
