"""Who may do what: the commander steers, the communicator speaks, admins may always act, private stays private."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from warroom.core.config.loader import load_config
from warroom.core.incident.state import load_incident
from warroom.core.storage import queries
from warroom.core.testing import Harness


def snapshot(h: Harness) -> tuple[Any, ...]:
    return load_incident(h.app.db, 1), list(queries.timeline(h.app.db, 1))


async def in_channel(h: Harness, command: str, user: str) -> list[str]:
    return await h.say(command, channel=h.channel("INC-1"), user=user)


@pytest.fixture
async def admin(tmp_path: Path) -> AsyncIterator[Harness]:
    """A Warroom where fake:root is an admin, with INC-1 declared by alice and led by carol."""
    path = tmp_path / "warroom.yaml"
    path.write_text('permissions:\n  admins: ["fake:root"]\n', encoding="utf-8")
    database = tmp_path / "w.db"
    h = Harness(database, config=load_config(path, environ={"WARROOM_DATABASE_URL": f"sqlite:///{database}"}))
    await h.say("/incident declare Checkout is down -s 2 --private", user="alice")
    await h.say("/incident role commander @carol --incident INC-1", user="alice")
    yield h
    await h.close()


# --- the commander steers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "state"),
    [
        ("/incident status identified", ("identified", 1)),
        ("/incident severity 2", ("investigating", 2)),
        ("/incident resolve", ("resolved", 1)),
    ],
)
async def test_anyone_steers_until_there_is_a_commander(
    declared: Harness, command: str, state: tuple[str, int]
) -> None:
    h = declared
    (reply,) = await in_channel(h, command, "bob")
    assert "Only the incident commander" not in reply
    incident = load_incident(h.app.db, 1)
    assert incident is not None and (incident.status, incident.severity) == state


@pytest.mark.parametrize(
    ("command", "what"),
    [
        ("/incident status identified", "change the status"),
        ("/incident severity 2", "change the severity"),
        ("/incident resolve It went away", "change the status"),
    ],
)
async def test_only_the_commander_steers_once_there_is_one(declared: Harness, command: str, what: str) -> None:
    h = declared
    await in_channel(h, "/incident role take commander", "carol")
    before = snapshot(h)
    for user in ("bob", "alice"):  # alice declared it, but carol leads
        assert await in_channel(h, command, user) == [
            f"Only the incident commander can {what} on INC-1; ask them in the channel."
        ]
        assert snapshot(h) == before
    assert await h.say(f"{command} --incident INC-1", user="bob") == [
        f"Only the incident commander can {what} on INC-1; ask them in the channel."
    ]
    (reply,) = await in_channel(h, command, "carol")
    assert "Only the incident commander" not in reply
    assert snapshot(h) != before


async def test_everyone_may_still_record(declared: Harness) -> None:
    h = declared
    await in_channel(h, "/incident role take commander", "carol")
    assert await in_channel(h, "/incident log I restarted api-3", "bob") == ["📝 Logged #4."]
    assert (await in_channel(h, "/incident task add Drain queue", "bob"))[0].startswith("☑️ Task 1 added")
    assert (await in_channel(h, "/incident impact -n 10", "bob"))[0].startswith("Impact: 10")


# --- roles are handed over by their holder or the commander ---------------------------------------------


async def test_role_handover_rules(declared: Harness) -> None:
    h = declared
    held = "The {} role on INC-1 is held; only its holder or the commander can hand it over."
    # vacant: anyone may fill it, for themselves or someone else
    assert (await in_channel(h, "/incident role communicator @dave", "bob"))[0].startswith("dave is now")
    assert (await in_channel(h, "/incident role take commander", "carol"))[0].startswith("carol is now")
    before = snapshot(h)
    assert await in_channel(h, "/incident role communicator @erin", "bob") == [held.format("communicator")]
    assert await in_channel(h, "/incident role take communicator", "erin") == [held.format("communicator")]
    assert await in_channel(h, "/incident role take commander", "dave") == [held.format("commander")]
    assert snapshot(h) == before
    # the holder hands over
    assert (await in_channel(h, "/incident role communicator @erin", "dave"))[0].startswith("erin is now")
    # the commander reassigns any role
    assert (await in_channel(h, "/incident role communicator @frank", "carol"))[0].startswith("frank is now")
    # the commander hands over command; afterwards the old commander is just a member
    assert (await in_channel(h, "/incident role commander @bob", "carol"))[0].startswith("bob is now")
    assert await in_channel(h, "/incident role communicator @carol", "carol") == [held.format("communicator")]
    roles = load_incident(h.app.db, 1).roles  # type: ignore[union-attr]
    people = h.app.people
    assert roles == {
        "commander": people.person_id(h.user("bob"), h.clock.now()),
        "communicator": people.person_id(h.user("frank"), h.clock.now()),
    }


# --- the communicator speaks ---------------------------------------------------------------------------


async def test_anyone_updates_until_someone_holds_a_role(declared: Harness) -> None:
    h = declared
    assert await in_channel(h, "/incident update Looking into it", "bob") == ["📣 Update #3 posted."]
    assert await in_channel(h, "/incident summary Checkout fails", "bob") == ["Summary updated (#4)."]


@pytest.mark.parametrize("role", ["commander", "communicator"])
async def test_updates_and_summary_belong_to_communicator_or_commander(declared: Harness, role: str) -> None:
    h = declared
    await in_channel(h, f"/incident role take {role}", "carol")
    before = snapshot(h)
    assert await in_channel(h, "/incident update Fixed soon", "bob") == [
        "Only the communicator or the commander can post a stakeholder update on INC-1."
    ]
    assert await in_channel(h, "/incident summary Checkout fails", "bob") == [
        "Only the communicator or the commander can change the summary on INC-1."
    ]
    assert snapshot(h) == before
    assert await in_channel(h, "/incident summary", "bob") == ["Summary of INC-1: (none yet)"]  # reading is free
    assert await in_channel(h, "/incident update Fixed soon", "carol") == ["📣 Update #4 posted."]
    assert await in_channel(h, "/incident summary Checkout fails", "carol") == ["Summary updated (#5)."]


async def test_commander_may_update_when_a_communicator_exists(declared: Harness) -> None:
    h = declared
    await in_channel(h, "/incident role take commander", "carol")
    await in_channel(h, "/incident role take communicator", "dave")
    assert await in_channel(h, "/incident update From the commander", "carol") == ["📣 Update #5 posted."]
    assert await in_channel(h, "/incident update From the communicator", "dave") == ["📣 Update #6 posted."]
    assert (await in_channel(h, "/incident update From bob", "bob"))[0].startswith("Only the communicator")


# --- admins --------------------------------------------------------------------------------------------


async def test_admins_may_do_anything(admin: Harness) -> None:
    h = admin
    root = "root"  # neither a member of the private INC-1 nor its commander (carol is)
    assert await h.say("/incident brief --incident INC-1", user="bob") == ["There is no incident INC-1."]
    assert (await h.say("/incident brief --incident INC-1", user=root))[0].startswith("Brief: INC-1")
    assert "INC-1 · Checkout is down" in (await h.say("/incident list", user=root))[0]
    replies = await h.say("/incident status identified --incident INC-1", user=root)
    assert replies == ["INC-1 is now identified (#4)."]
    assert (await h.say("/incident severity 1 --incident INC-1", user=root))[0].endswith("(#5)")
    await h.say("/incident role communicator @dave --incident INC-1", user="carol")
    assert (await h.say("/incident role communicator @erin --incident INC-1", user=root))[0].startswith("erin is")
    assert (await h.say("/incident role commander @frank --incident INC-1", user=root))[0].startswith("frank is")
    assert (await h.say("/incident update Recovering --incident INC-1", user=root))[0].startswith("📣 Update")
    assert (await h.say("/incident summary Root did it --incident INC-1", user=root))[0].startswith("Summary updated")
    assert (await h.say("/incident resolve --incident INC-1", user=root))[0].startswith("✅ INC-1 resolved")
    state = load_incident(h.app.db, 1)
    assert state is not None
    assert (state.status, state.severity, state.summary) == ("resolved", 1, "Root did it")
    people = h.app.people
    assert state.roles == {
        "commander": people.person_id(h.user("frank"), h.clock.now()),
        "communicator": people.person_id(h.user("erin"), h.clock.now()),
    }


# --- private incidents ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "/incident status",
        "/incident brief",
        "/incident doc",
        "/incident roles",
        "/incident tasks",
        "/incident log sneaky",
        "/incident role take commander",
        "/incident key 1",
    ],
)
async def test_private_incidents_look_missing_to_outsiders(harness: Harness, command: str) -> None:
    h = harness
    await h.say("/incident declare Card data exposed -k security --private", user="alice")
    before = snapshot(h)
    missing = await h.say(f"{command} --incident INC-99", user="mallory")
    assert missing == ["There is no incident INC-99."]
    assert await h.say(f"{command} --incident INC-1", user="mallory") == ["There is no incident INC-1."]
    assert snapshot(h) == before


async def test_private_incidents_are_left_out_of_lists_and_similar(harness: Harness) -> None:
    h = harness
    await h.say("/incident declare Card data exposed -a vault --private", user="alice")
    assert await h.say("/incident list", user="mallory") == ["No open incidents. 🎉"]
    assert await h.say("/incident list --all", user="mallory") == ["No incidents yet."]
    assert "Card data exposed" in (await h.say("/incident list", user="alice"))[0]
    replies = await h.say("/incident declare Card data leaked -a vault", user="mallory")
    assert not any("Card data exposed" in reply for reply in replies)


async def test_members_of_a_private_incident_can_see_it(harness: Harness) -> None:
    h = harness
    await h.say("/incident declare Card data exposed --private", user="alice")
    channel = h.channel("INC-1")
    brief = "/incident brief --incident INC-1"
    assert (await h.say(brief, user="alice"))[0].startswith("Brief: INC-1")  # the declarer
    assert await h.say(brief, user="carol") == ["There is no incident INC-1."]
    await h.say("/incident role commander @carol", channel=channel, user="alice")
    assert (await h.say(brief, user="carol"))[0].startswith("Brief: INC-1")  # a role holder
    assert await h.say(brief, user="dave") == ["There is no incident INC-1."]
    await h.say("joining to help with the vault", channel=channel, user="dave")
    assert (await h.say(brief, user="dave"))[0].startswith("Brief: INC-1")  # someone who spoke in the channel
    await h.say("/incident task add Rotate keys --owner @erin", channel=channel, user="dave")
    assert (await h.say(brief, user="erin"))[0].startswith("Brief: INC-1")  # a task owner
    assert await h.say(brief, user="mallory") == ["There is no incident INC-1."]


async def test_someone_in_the_private_channel_can_use_commands_there(harness: Harness) -> None:
    h = harness
    await h.say("/incident declare Card data exposed --private", user="alice")
    channel = h.channel("INC-1")
    # Invited to the private channel on the platform, their first message there is a command.
    assert await h.say("/incident role take commander", channel=channel, user="bob") == [
        "bob is now the commander of INC-1 (#3). Leads the response: sets priorities, assigns work and decides "
        "when the incident is over."
    ]
    assert (await h.say("/incident roles", channel=channel, user="carol"))[0].startswith("commander — bob")
    assert (await h.say("/incident brief --incident INC-1", user="carol"))[0].startswith("Brief: INC-1")
