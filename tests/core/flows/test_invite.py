"""Bringing people into an incident: a role or ``invite`` lets them into its channel, and into a private one."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from warroom.core.adapter.protocol import Capabilities
from warroom.core.adapter.refs import ConversationRef, UserRef
from warroom.core.config.loader import load_config
from warroom.core.incident.state import load_incident
from warroom.core.storage import queries
from warroom.core.testing import FULL, FakeAdapter, Harness

BRIEF = "/incident brief --incident INC-1"


async def private(h: Harness) -> ConversationRef:
    await h.say("/incident declare Card data exposed --private", user="alice")
    return h.channel("INC-1")


def invited(h: Harness) -> list[tuple[str, str]]:
    return [(conversation.id, user.id) for conversation, user in h.adapter.invites]


def members(h: Harness) -> set[int]:
    incident = load_incident(h.app.db, 1)
    assert incident is not None
    return incident.members


# --- roles ---------------------------------------------------------------------------------------


async def test_a_role_on_a_private_incident_invites_its_holder_to_the_channel(harness: Harness) -> None:
    h = harness
    channel = await private(h)
    (reply,) = await h.say("/incident role communicator @bob", channel=channel, user="alice")
    assert reply.startswith("bob is now the communicator of INC-1 (#3).")
    assert reply.endswith(f"I invited them to #{channel.name}.")
    assert invited(h) == [(channel.id, "bob")]
    assert h.adapter.invites[0][1] == UserRef("fake", "bob")


async def test_taking_a_role_in_the_channel_invites_nobody_and_from_elsewhere_invites_the_taker(
    harness: Harness,
) -> None:
    h = harness
    channel = await private(h)
    await h.say("/incident role take commander", channel=channel, user="alice")
    assert invited(h) == []  # she typed it in the channel: she is in it
    await h.say("/incident role take communicator --incident INC-1", user="alice")
    assert invited(h) == [(channel.id, "alice")]


async def test_a_role_on_a_public_incident_invites_too_but_says_nothing_of_it(declared: Harness) -> None:
    h = declared
    channel = h.channel("INC-1")
    (reply,) = await h.say("/incident role communicator @bob", channel=channel, user="alice")
    assert "invited" not in reply  # anyone may join a public channel; the platform still sends the invitation
    assert invited(h) == [(channel.id, "bob")]


async def test_a_task_owner_is_invited_like_a_role_holder(harness: Harness) -> None:
    h = harness
    channel = await private(h)
    await h.say("/incident task add Rotate keys --owner @erin", channel=channel, user="alice")
    await h.say("/incident task assign 1 @frank", channel=channel, user="alice")
    assert invited(h) == [(channel.id, "erin"), (channel.id, "frank")]


async def test_nothing_is_invited_where_the_platform_cannot(tmp_path: Path) -> None:
    adapter = FakeAdapter(capabilities=Capabilities(create_channel=True, private_channel=True))
    h = Harness(tmp_path / "w.db", adapter=adapter)
    try:
        channel = await private(h)
        (reply,) = await h.say("/incident invite @bob", channel=channel, user="alice")
        assert reply == "Invited bob (#3) to INC-1. They can now see it."
        (reply,) = await h.say("/incident role communicator @bob", channel=channel, user="alice")
        assert "invited" not in reply
        assert adapter.invites == []
    finally:
        await h.close()


# --- /incident invite ----------------------------------------------------------------------------


async def test_invite_makes_people_members_who_can_then_see_the_private_incident(harness: Harness) -> None:
    h = harness
    channel = await private(h)
    assert await h.say(BRIEF, user="bob") == ["There is no incident INC-1."]
    (reply,) = await h.say("/incident invite @bob @carol", channel=channel, user="alice")
    assert (
        reply
        == f"Invited bob (#3) and carol (#4) to INC-1. They can now see it. I sent the invitation to #{channel.name}."
    )
    assert invited(h) == [(channel.id, "bob"), (channel.id, "carol")]
    for who in ("bob", "carol"):
        assert (await h.say(BRIEF, user=who))[0].startswith("Brief: INC-1")
    assert await h.say(BRIEF, user="mallory") == ["There is no incident INC-1."]
    entries = [(e.kind, e.author, e.text, e.data) for e in queries.timeline(h.app.db, 1) if e.kind == "invite"]
    bob, carol = sorted(members(h) - {1})
    assert entries == [
        ("invite", "alice", "bob invited by alice", {"person_id": bob}),
        ("invite", "alice", "carol invited by alice", {"person_id": carol}),
    ]


async def test_invite_from_the_lobby_names_the_incident_and_its_first_entry_keeps_the_source(
    harness: Harness,
) -> None:
    h = harness
    channel = await private(h)
    event = h.event("/incident invite @bob @carol --incident INC-1", user="alice")
    replies = await h.feed(event)
    assert replies[0].startswith("Invited bob (#3) and carol (#4) to INC-1.")
    assert h.adapter.sent[-1].conversation == h.lobby
    assert invited(h) == [(channel.id, "bob"), (channel.id, "carol")]
    sources = [e.source_event for e in queries.timeline(h.app.db, 1) if e.kind == "invite"]
    assert sources == [f"fake:{event.event_id}", None]


async def test_inviting_members_says_so_without_an_error_and_records_nothing(harness: Harness) -> None:
    h = harness
    channel = await private(h)
    await h.say("/incident invite @bob", channel=channel, user="alice")
    before = list(queries.timeline(h.app.db, 1))
    (reply,) = await h.say("/incident invite @bob @alice @bob", channel=channel, user="alice")
    already = "bob and alice are already members of INC-1."
    assert reply == f"{already} Whoever of them is not in #{channel.name} is invited to it again."
    assert list(queries.timeline(h.app.db, 1)) == before
    assert invited(h) == [(channel.id, "bob"), (channel.id, "bob")]  # alice typed it in the channel
    (reply,) = await h.say("/incident invite @bob @dave", channel=channel, user="alice")
    assert reply == (
        f"Invited dave (#4) to INC-1. They can now see it. bob is already a member of INC-1. "
        f"I sent the invitation to #{channel.name}."
    )


async def test_inviting_yourself_from_elsewhere_sends_the_invitation_again(harness: Harness) -> None:
    h = harness
    channel = await private(h)
    (reply,) = await h.say("/incident invite @alice --incident INC-1", user="alice")
    assert (
        reply
        == f"alice is already a member of INC-1. Whoever of them is not in #{channel.name} is invited to it again."
    )
    assert invited(h) == [(channel.id, "alice")]


async def test_only_members_may_invite(declared: Harness) -> None:
    h = declared
    channel = h.channel("INC-1")
    (reply,) = await h.say("/incident invite @bob --incident INC-1", user="mallory")
    assert reply == "Only people working on INC-1 can invite people; join its channel or ask its commander."
    assert invited(h) == []
    # Whoever is in the channel is working on it: typing there is enough.
    (reply,) = await h.say("/incident invite @bob", channel=channel, user="mallory")
    assert reply.startswith("Invited bob (#3) to INC-1.") and "They can now see it" not in reply


async def test_a_private_incident_stays_hidden_from_outsiders_who_try_to_invite(harness: Harness) -> None:
    h = harness
    await private(h)
    before = list(queries.timeline(h.app.db, 1))
    assert await h.say("/incident invite @mallory --incident INC-1", user="mallory") == ["There is no incident INC-1."]
    assert await h.say("/incident invite @bob --incident INC-7", user="alice") == ["There is no incident INC-7."]
    assert list(queries.timeline(h.app.db, 1)) == before
    assert invited(h) == []


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/incident invite", "“invite” needs person: who to bring in."),
        ("/incident invite bob", "person must be a mention like @alex, not “bob”."),
        ("/incident invite @bob carol", "“carol” is not a mention; name each person as @name."),
    ],
)
async def test_invite_explains_bad_input(harness: Harness, command: str, answer: str) -> None:
    h = harness
    channel = await private(h)
    (reply,) = await h.say(command, channel=channel, user="alice")
    assert reply.startswith(answer)
    assert invited(h) == []


async def test_invite_outside_an_incident_channel_asks_which(harness: Harness) -> None:
    (reply,) = await harness.say("/incident invite @bob", user="alice")
    assert reply.startswith("This isn't an incident channel.")


async def test_an_admin_may_invite_to_an_incident_they_are_not_in(tmp_path: Path) -> None:
    path = tmp_path / "warroom.yaml"
    path.write_text('permissions:\n  admins: ["fake:root"]\n', encoding="utf-8")
    database = tmp_path / "w.db"
    h = Harness(database, config=load_config(path, environ={"WARROOM_DATABASE_URL": f"sqlite:///{database}"}))
    try:
        channel = await private(h)
        (reply,) = await h.say("/incident invite @bob --incident INC-1", user="root")
        assert reply.startswith("Invited bob (#3) to INC-1.")
        assert invited(h) == [(channel.id, "bob")]
    finally:
        await h.close()


async def test_a_failed_invitation_is_logged_and_stops_nothing(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    channel = await private(h)

    async def refuse(conversation: ConversationRef, user: UserRef) -> None:
        raise PermissionError("missing Manage Roles")

    h.adapter.invite = refuse  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="warroom.core.engine.outbox"):
        replies = await h.say("/incident invite @bob", channel=channel, user="alice")
    assert replies[0].startswith("Invited bob (#3) to INC-1.")
    assert "inviting fake:bob to" in caplog.text
    assert (await h.say(BRIEF, user="bob"))[0].startswith("Brief: INC-1")


async def test_invitations_go_out_in_order_with_the_replies(harness: Harness) -> None:
    """An invitation is queued in the outbox like a reply: after commit, in the order the job asked."""
    h = harness
    channel = await private(h)
    order: list[str] = []
    adapter = h.adapter
    send, invite = adapter.send, adapter.invite

    async def sending(*args: object, **kwargs: object) -> object:
        order.append("send")
        return await send(*args, **kwargs)  # type: ignore[arg-type]

    async def inviting(conversation: ConversationRef, user: UserRef) -> None:
        order.append(f"invite {user.id}")
        await invite(conversation, user)

    adapter.send, adapter.invite = sending, inviting  # type: ignore[method-assign]
    await h.say("/incident invite @bob @carol", channel=channel, user="alice")
    assert order == ["invite bob", "invite carol", "send"]


def test_the_fake_platform_can_invite() -> None:
    assert FULL.invite and not Capabilities().invite
