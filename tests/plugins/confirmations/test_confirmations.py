"""The confirmations plugin: announced actions, who approves them, the outcome, expiry, restarts and hints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from warroom.core.adapter.protocol import Capabilities
from warroom.core.config.loader import load_config
from warroom.core.storage import queries
from warroom.core.testing import FakeAdapter, Harness, Sent
from warroom.plugins.confirmations import Confirmations

PLUGINS = {"confirmations": Confirmations}
START = datetime(2026, 1, 1, tzinfo=UTC)
HINT = (
    "💡 dave, that sounds like a destructive step — announce it with “/incident action …” so the commander can confirm."
)


class Rooms:
    """Harnesses on one database file, so a test can restart Warroom; those still open are closed at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.running: list[Harness] = []

    def start(self, settings: dict[str, Any] | None = None, **options: Any) -> Harness:
        harness = Harness(self.path, plugins=PLUGINS, plugin_config={"confirmations": settings or {}}, **options)
        self.running.append(harness)
        return harness

    async def stop(self, harness: Harness) -> None:
        await harness.close()
        self.running.remove(harness)

    async def restart(self, harness: Harness, *, at: datetime | None = None) -> Harness:
        """Stop ``harness`` as a process exit would and start a new Warroom on its database (at its time)."""
        await self.stop(harness)
        again = self.start()
        again.clock.set(at or harness.clock.now())
        await again.start()
        return again


@pytest.fixture
async def rooms(tmp_path: Path) -> AsyncIterator[Rooms]:
    made = Rooms(tmp_path / "w.db")
    yield made
    for harness in list(made.running):
        await made.stop(harness)


async def incident(h: Harness, *, commander: str | None = "carol") -> None:
    """INC-1 declared by alice; ``commander`` takes the role."""
    await h.say('/incident declare "Checkout is down"', user="alice")
    if commander:
        await h.say("/incident role take commander", user=commander, channel=h.channel("INC-1"))


def prompts(h: Harness) -> list[Sent]:
    return [s for s in h.adapter.sent if "wants to:" in s.text]


def confirmations(h: Harness) -> list[queries.Entry]:
    return queries.of_kind(h.app.db, 1, "confirmation")


async def ask(h: Harness, what: str = "restart db-1", user: str = "alice") -> list[str]:
    return await h.say(f"/incident action {what}", user=user, channel=h.channel("INC-1"))


# --- asking ------------------------------------------------------------------------------------


async def test_an_action_is_announced_with_buttons_and_the_reply_says_who_decides(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    replies = await ask(h, "roll back api to v41")
    assert replies == [
        "⚠️ alice wants to: roll back api to v41\n"
        "Decision by commander (carol), before 00:10 UTC.\n"
        "Use the buttons, or type “/incident approve 1” / “/incident reject 1”.\n"
        "[Approve]  [Reject]",
        "Confirmation 1: carol (commander) can decide until 00:10 UTC. Hold off until it is approved.",
    ]
    prompt = prompts(h)[0]
    assert prompt.conversation == h.channel("INC-1")
    assert prompt.actions == ["confirm:1:approve", "confirm:1:reject"]
    asked = confirmations(h)[0]
    assert (asked.author, asked.text, asked.at) == ("alice", "Asked to: roll back api to v41", START)
    assert asked.data["approvers"] == ["commander"]
    assert asked.data["expires_at"] == (START + timedelta(minutes=10)).isoformat()


async def test_expiry_comes_from_config_or_the_command_within_bounds(rooms: Rooms) -> None:
    h = rooms.start({"expires": "20m"})
    await incident(h)
    assert "until 00:20 UTC" in (await ask(h))[-1]
    assert "until 00:05 UTC" in (await ask(h, "restart db-2 --expires 5m"))[-1]
    assert await ask(h, "restart db-3 -e 3h") == [
        "An approval is for the situation right now: give --expires between 1m and 2h, e.g. 10m."
    ]
    assert len(confirmations(h)) == 2  # the refused one left nothing behind


async def test_asking_from_another_room_still_announces_it_in_the_incident_channel(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    replies = await h.say("/incident action restart db-1 --incident INC-1", user="alice")
    assert [p.conversation for p in prompts(h)] == [h.lobby, h.channel("INC-1")]
    assert replies[-1].startswith("Confirmation 1: carol (commander) can decide")
    assert h.adapter.sent[-1].conversation == h.lobby


async def test_a_commander_asking_is_told_nobody_else_can_decide_and_how_to_fix_that(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    replies = await ask(h, user="carol")
    assert replies[-1] == (
        "You are the commander and can't approve your own request. Confirmation 1 waits until 00:10 UTC, "
        "but nobody can decide it yet: the commander decides once you hand the commander role over "
        "(“/incident role commander @name”)."
    )
    assert await h.click("confirm:1:approve", user="carol", channel=h.channel("INC-1")) == [
        "You can't approve or reject your own request; ask the commander."
    ]
    await h.say("/incident role commander @bob", user="carol", channel=h.channel("INC-1"))
    assert await h.click("confirm:1:approve", user="bob", channel=h.channel("INC-1")) == [
        "✅ Approved by bob: restart db-1 — @carol, go ahead."
    ]


def with_deputy(tmp_path: Path) -> Any:
    path = tmp_path / "warroom.yaml"
    path.write_text('roles:\n  deputy: "Stands in for the commander."\n', encoding="utf-8")
    return load_config(path, environ={"WARROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"})


async def test_a_stand_in_decides_what_the_commander_asks_for(rooms: Rooms, tmp_path: Path) -> None:
    h = rooms.start({"stand_in_roles": ["deputy"]}, config=with_deputy(tmp_path))
    await incident(h)
    replies = await ask(h, user="carol")
    assert replies[-1] == (
        "You are the commander and can't approve your own request. Confirmation 1 waits until 00:10 UTC, "
        "but nobody can decide it yet: the commander or deputy decides once someone takes the deputy role "
        "(“/incident role take deputy”) or you hand the commander role over (“/incident role commander @name”)."
    )
    await h.say("/incident role take deputy", user="dave", channel=h.channel("INC-1"))
    replies = await ask(h, "fail over db", user="carol")
    assert replies[-1] == (
        "You are the commander and can't approve your own request. "
        "Confirmation 2: dave (deputy) can decide until 00:10 UTC. Hold off until it is approved."
    )
    assert await h.click("confirm:2:approve", user="dave", channel=h.channel("INC-1")) == [
        "✅ Approved by dave: fail over db — @carol, go ahead."
    ]
    # The stand-in is only for the commander's own requests: alice's go to the commander.
    await ask(h, "purge the cache")
    assert await h.click("confirm:3:approve", user="dave", channel=h.channel("INC-1")) == [
        "Only the commander can decide confirmation 3."
    ]


async def test_self_approval_when_the_config_allows_it(rooms: Rooms) -> None:
    h = rooms.start({"allow_self": True})
    await incident(h)
    assert (await ask(h, user="carol"))[-1] == (
        "Confirmation 1: you (commander) can decide until 00:10 UTC. Hold off until it is approved."
    )
    assert await h.click("confirm:1:approve", user="carol", channel=h.channel("INC-1")) == [
        "✅ Approved by carol: restart db-1 — @carol, go ahead."
    ]


async def test_with_no_commander_the_reply_says_someone_must_take_the_role(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h, commander=None)
    assert (await ask(h))[-1] == (
        "Confirmation 1 waits until 00:10 UTC, but nobody can decide it yet: the commander decides once "
        "someone takes the commander role (“/incident role take commander”)."
    )
    await h.say("/incident role take commander", user="carol", channel=h.channel("INC-1"))
    assert await h.click("confirm:1:approve", user="carol", channel=h.channel("INC-1")) == [
        "✅ Approved by carol: restart db-1 — @alice, go ahead."
    ]


# --- deciding ----------------------------------------------------------------------------------


async def test_the_commander_approves_with_the_button_and_the_timeline_records_it(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    await ask(h)
    h.advance(timedelta(minutes=3))
    replies = await h.click("confirm:1:approve", user="carol", channel=h.channel("INC-1"))
    assert replies == ["✅ Approved by carol: restart db-1 — @alice, go ahead."]  # once: the plugin adds nothing
    assert h.adapter.sent[-1].conversation == h.channel("INC-1")
    asked, decided = confirmations(h)
    assert (asked.author, asked.at) == ("alice", START)
    assert (decided.author, decided.text) == ("carol", "Approved: restart db-1")
    assert decided.at == START + timedelta(minutes=3)
    assert decided.data["state"] == "approved" and decided.data["decided_by"] is not None
    assert await h.elapse(timedelta(minutes=30)) == []  # decided: the expiry job is gone


async def test_a_rejection_with_a_reason_is_told_and_recorded(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    await ask(h)
    replies = await h.say("/incident reject 1 not while the failover runs", user="carol", channel=h.channel("INC-1"))
    assert replies == ["❌ Rejected by carol: restart db-1 — not while the failover runs — @alice, hold off."]
    decided = confirmations(h)[-1]
    assert decided.text == "Rejected: restart db-1 — not while the failover runs"
    assert decided.data["reason"] == "not while the failover runs"


async def test_the_requester_cannot_approve_their_own_request(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    await ask(h)
    assert await h.click("confirm:1:approve", user="alice", channel=h.channel("INC-1")) == [
        "You can't approve or reject your own request; ask the commander."
    ]
    assert [e.data["state"] for e in confirmations(h)] == ["requested"]


async def test_someone_who_is_not_an_approver_is_told_who_decides(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    await ask(h)
    assert await h.click("confirm:1:approve", user="bob", channel=h.channel("INC-1")) == [
        "Only the commander can decide confirmation 1."
    ]
    assert await h.say("/incident reject 1", user="bob", channel=h.channel("INC-1")) == [
        "Only the commander can decide confirmation 1."
    ]
    assert [e.data["state"] for e in confirmations(h)] == ["requested"]


async def test_a_confirmation_is_decided_once(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    await ask(h)
    channel = h.channel("INC-1")
    assert (await h.click("confirm:1:approve", user="carol", channel=channel))[0].startswith("✅ Approved")
    assert await h.click("confirm:1:approve", user="carol", channel=channel) == ["Confirmation 1 was already approved."]
    assert await h.click("confirm:1:reject", user="carol", channel=channel) == ["Confirmation 1 was already approved."]
    assert [e.data["state"] for e in confirmations(h)] == ["requested", "approved"]


async def test_a_decision_made_elsewhere_is_told_there_and_in_the_incident_channel(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    await ask(h)
    replies = await h.say("/incident approve 1", user="carol")  # from the lobby
    assert replies == ["✅ Approved by carol: restart db-1 — @alice, go ahead."] * 2
    assert [s.conversation for s in h.adapter.sent[-2:]] == [h.lobby, h.channel("INC-1")]
    assert h.adapter.sent[-1].message.pings == (h.user("alice"),)


async def test_reactions_decide_where_there_are_no_buttons(rooms: Rooms) -> None:
    h = rooms.start(adapter=FakeAdapter(capabilities=Capabilities(create_channel=True, reactions=True)))
    await incident(h)
    await ask(h)
    prompt = prompts(h)[0]
    assert prompt.actions == []
    assert "React ✅ to approve or ❌ to reject, or type “/incident approve 1”." in prompt.text
    assert await h.react(prompt, "✅", user="bob") == ["Only the commander can decide confirmation 1."]
    assert await h.react(prompt, "👍", user="carol") == []  # not a decision
    assert await h.react(prompt, "✅", user="carol") == ["✅ Approved by carol: restart db-1 — @alice, go ahead."]
    assert await h.react(prompt, "❌", user="carol") == ["Confirmation 1 was already approved."]
    assert [e.data["state"] for e in confirmations(h)] == ["requested", "approved"]


async def test_typed_answers_where_there_are_neither_buttons_nor_reactions(rooms: Rooms) -> None:
    h = rooms.start(adapter=FakeAdapter(capabilities=Capabilities(create_channel=True)))
    await incident(h)
    await ask(h)
    assert "Type “/incident approve 1” or “/incident reject 1 <reason>”." in prompts(h)[0].text
    assert await h.say("/incident approve 1", user="carol", channel=h.channel("INC-1")) == [
        "✅ Approved by carol: restart db-1 — @alice, go ahead."
    ]


# --- expiry and restarts -----------------------------------------------------------------------


async def test_nobody_deciding_in_time_expires_it_once(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    await ask(h)
    assert await h.elapse(timedelta(minutes=9)) == []
    assert await h.elapse(timedelta(minutes=1)) == [
        "⌛ Confirmation 1 expired: nobody decided on “restart db-1”. @alice, ask again if it is still needed."
    ]
    expired = confirmations(h)[-1]
    assert (expired.author, expired.text) == ("Warroom", "Expired, nobody decided: restart db-1")
    assert expired.at == START + timedelta(minutes=10)
    assert await h.click("confirm:1:approve", user="carol", channel=h.channel("INC-1")) == [
        "Confirmation 1 was already expired."
    ]
    assert await h.elapse(timedelta(hours=1)) == []
    assert [e.data["state"] for e in confirmations(h)] == ["requested", "expired"]


async def test_after_a_restart_the_button_works_once_and_nothing_expires_later(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    await ask(h)
    h.advance(timedelta(minutes=4))
    h2 = await rooms.restart(h)
    channel = h2.channel("INC-1")
    assert await h2.click("confirm:1:approve", user="carol", channel=channel) == [
        "✅ Approved by carol: restart db-1 — @alice, go ahead."
    ]
    again = await h2.click("confirm:1:approve", user="carol", channel=channel)
    assert again == ["Confirmation 1 was already approved."]
    assert await h2.elapse(timedelta(minutes=30)) == []
    decided = confirmations(h2)[-1]
    assert (decided.author, decided.at) == ("carol", START + timedelta(minutes=4))


async def test_the_expiry_survives_restarts_and_fires_once(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    await ask(h)
    h.advance(timedelta(minutes=4))
    h2 = await rooms.restart(h)
    assert await h2.elapse(timedelta(minutes=5)) == []
    assert await h2.elapse(timedelta(minutes=1)) == [
        "⌛ Confirmation 1 expired: nobody decided on “restart db-1”. @alice, ask again if it is still needed."
    ]
    h3 = await rooms.restart(h2)
    assert await h3.elapse(timedelta(hours=1)) == []
    assert [e.data["state"] for e in confirmations(h3)] == ["requested", "expired"]


async def test_an_expiry_missed_while_down_fires_once_on_start(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    await ask(h)
    h2 = await rooms.restart(h, at=START + timedelta(hours=1))
    assert await h2.elapse(timedelta(0)) == [
        "⌛ Confirmation 1 expired: nobody decided on “restart db-1”. @alice, ask again if it is still needed."
    ]
    assert await h2.elapse(timedelta(hours=1)) == []


# --- listing -----------------------------------------------------------------------------------


async def test_actions_lists_waiting_requests_first_then_the_latest_decisions(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    channel = h.channel("INC-1")
    assert await h.say("/incident actions", channel=channel) == [
        "No actions have been announced on INC-1. "
        "Before a destructive step, announce it: “/incident action restart db-1”."
    ]
    await ask(h, "restart db-1")
    await ask(h, "drop the export queue", user="bob")
    h.advance(timedelta(minutes=2))
    await h.say("/incident reject 2 we still need it", user="carol", channel=channel)
    await h.elapse(timedelta(minutes=9))
    await ask(h, "purge the cache")
    await h.click("confirm:3:approve", user="carol", channel=channel)
    await ask(h, "scale down workers")
    assert await h.say("/incident actions", channel=channel) == [
        "Actions on INC-1: 1 waiting, 3 closed.\n"
        "4. scale down workers — ⏳ waiting for the commander until 00:21 UTC (asked by alice at 00:11 UTC)\n"
        "3. purge the cache — ✅ approved by carol at 00:11 UTC (asked by alice at 00:11 UTC)\n"
        "2. drop the export queue — ❌ rejected by carol at 00:02 UTC: we still need it (asked by bob at 00:00 UTC)\n"
        "1. restart db-1 — ⌛ expired at 00:10 UTC, nobody decided (asked by alice at 00:00 UTC)"
    ]
    assert "--incident" in (await h.say("/incident actions"))[0]  # from the lobby: which incident?
    assert (await h.say("/incident actions --incident INC-1"))[0].startswith("Actions on INC-1: 1 waiting")


# --- hints -------------------------------------------------------------------------------------


async def test_destructive_chat_gets_one_hint_per_person_per_window(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    channel = h.channel("INC-1")
    assert await h.say("I'm restarting db-1 now", user="dave", channel=channel) == [HINT]
    assert await h.say("and then I'll roll back the api", user="dave", channel=channel) == []
    assert await h.say("rm -rf /var/cache/app too", user="erin", channel=channel) == [HINT.replace("dave", "erin")]
    assert await h.elapse(timedelta(minutes=9)) == []
    assert await h.say("kill the stuck workers", user="dave", channel=channel) == []
    await h.elapse(timedelta(minutes=1))
    assert await h.say("Failover of db-1 in a minute", user="dave", channel=channel) == [HINT]
    assert [e.text for e in queries.timeline(h.app.db, 1) if "💡" in e.text] == []  # coaching, not a fact
    assert h.adapter.sent[-1].conversation == channel


async def test_no_hint_for_commands_approvers_past_events_or_someone_who_just_announced(rooms: Rooms) -> None:
    h = rooms.start()
    await incident(h)
    channel = h.channel("INC-1")
    assert await h.say("/incident log restarting db-1", user="dave", channel=channel) == ["📝 Logged #4."]
    assert (await h.say("/incident action restart db-1", user="dave", channel=channel))[-1].startswith("Confirmation 1")
    assert await h.say("restarting db-1 once approved", user="dave", channel=channel) == []  # they just announced it
    assert await h.say("let's roll back api", user="carol", channel=channel) == []  # the commander directs
    assert await h.say("db-2 restarted by itself, error rate dropped", user="erin", channel=channel) == []
    assert await h.say("restart db-2 in the lobby", user="erin") == []  # not an incident channel
    await h.say("/incident resolve", user="carol", channel=channel)
    assert await h.say("restart the build agent", user="erin", channel=channel) == []


async def test_hint_patterns_are_configurable_and_an_empty_list_turns_hints_off(rooms: Rooms) -> None:
    h = rooms.start({"hint_patterns": [r"\bdeploy\b"]})
    await incident(h)
    assert await h.say("restart db-1", user="dave", channel=h.channel("INC-1")) == []
    assert await h.say("deploy the hotfix", user="dave", channel=h.channel("INC-1")) == [HINT]
    await rooms.stop(h)
    h2 = rooms.start({"hint_patterns": []})
    assert await h2.say("deploy the hotfix and restart db-1", user="erin", channel=h2.channel("INC-1")) == []


# --- config and help ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"hint_patterns": ["(restart"]}, "hint_patterns"),
        ({"expires": "3h"}, "must be between 1m and 2h"),
        ({"approver_roles": []}, "approver_roles"),
        ({"approver_roles": ["Commander"]}, "lowercase"),
        ({"approvers": ["commander"]}, "approvers"),
    ],
)
async def test_bad_config_keeps_the_plugin_out_with_the_reason(
    rooms: Rooms, settings: dict[str, Any], problem: str
) -> None:
    h = rooms.start(settings)
    await h.start()
    status = h.app.plugins.statuses["confirmations"]
    assert status.state == "failed" and problem in status.reason


async def test_every_help_example_parses(rooms: Rooms) -> None:
    h = rooms.start()
    await h.start()
    h.plugin("confirmations")
    assert h.example_problems() == []
    help_text = (await h.say("/incident help action"))[0]
    assert "--expires" in help_text and "/incident action roll back api to v41 --expires 5m" in help_text
