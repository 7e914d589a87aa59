"""The core confirmation mechanism, driven by a bare plugin that only asks: no policy of its own."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from warroom.core.config.loader import load_config
from warroom.core.plugin import (
    Call,
    ConfirmationDecided,
    ConfirmationRequested,
    DomainEvent,
    Plugin,
    TextArg,
    command,
    hook,
)
from warroom.core.testing import Harness, Sent
from warroom.core.testing.pytest_plugin import HarnessFactory

EXPIRED = "⌛ Confirmation 1 expired: nobody decided on “restart db-1”. @alice, ask again if it is still needed."


class Asker(Plugin):
    """Asks exactly what it is told and remembers the confirmation events it saw."""

    async def setup(self) -> None:
        self.seen: list[DomainEvent] = []

    @command("ask", examples=["/incident ask restart db-1 --roles commander,communicator"])
    def ask(self, call: Call, what: TextArg, *, roles: str = "commander") -> None:
        """Ask for a confirmation (test plugin)."""
        call.confirm(what, approver_roles=tuple(roles.split(",")), expires_in=timedelta(minutes=15))

    @hook(ConfirmationRequested, ConfirmationDecided)
    async def on_confirmation(self, event: DomainEvent) -> None:
        self.seen.append(event)


async def started(warroom: HarnessFactory, **options: Any) -> Harness:
    """INC-1 declared by alice, carol its commander."""
    h = warroom(plugins={"asker": Asker}, **options)
    await h.say('/incident declare "Checkout is down"', user="alice")
    await h.say("/incident role take commander", user="carol", channel=h.channel("INC-1"))
    return h


def prompts(h: Harness) -> list[Sent]:
    return [s for s in h.adapter.sent if "wants to:" in s.text]


async def test_asked_from_elsewhere_the_prompt_is_also_in_the_incident_channel_and_both_copies_work(
    warroom: HarnessFactory,
) -> None:
    h = await started(warroom)
    await h.say("/incident ask restart db-1 --incident INC-1", user="alice")
    lobby, channel = prompts(h)
    assert (lobby.conversation, channel.conversation) == (h.lobby, h.channel("INC-1"))
    assert await h.react(lobby, "✅", user="carol") == ["✅ Approved by carol: restart db-1 — @alice, go ahead."] * 2
    assert await h.react(channel, "✅", user="carol") == ["Confirmation 1 was already approved."]


async def test_the_outcome_is_said_once_per_place(warroom: HarnessFactory) -> None:
    h = await started(warroom)
    channel = h.channel("INC-1")
    await h.say("/incident ask restart db-1", user="alice", channel=channel)
    assert await h.say("/incident approve 1", user="carol", channel=channel) == [
        "✅ Approved by carol: restart db-1 — @alice, go ahead."
    ]
    await h.say("/incident ask restart db-2", user="alice", channel=channel)
    assert (
        await h.say("/incident reject 2 wait for the backup", user="carol")
        == ["❌ Rejected by carol: restart db-2 — wait for the backup — @alice, hold off."] * 2
    )
    assert [s.conversation for s in h.adapter.sent[-2:]] == [h.lobby, channel]


async def test_expiry_mentions_the_requester_and_events_name_the_plugin(warroom: HarnessFactory) -> None:
    h = await started(warroom)
    await h.say("/incident ask restart db-1", user="alice", channel=h.channel("INC-1"))
    assert await h.elapse(timedelta(minutes=15)) == [EXPIRED]
    assert h.adapter.sent[-1].message.pings == (h.user("alice"),)
    asker = h.plugin("asker")
    assert isinstance(asker, Asker)
    seen = asker.seen
    assert [type(e).__name__ for e in seen] == ["ConfirmationRequested", "ConfirmationDecided"]
    assert (seen[1].state, seen[1].decided_by, seen[1].plugin) == ("expired", None, "asker")


async def test_a_decision_after_the_deadline_is_refused_even_before_the_expiry_job_ran(warroom: HarnessFactory) -> None:
    h = await started(warroom)
    await h.say("/incident ask restart db-1", user="alice", channel=h.channel("INC-1"))
    h.advance(timedelta(minutes=16))  # the job is due but has not run yet when the click is handled
    replies = await h.click("confirm:1:approve", user="carol", channel=h.channel("INC-1"))
    assert replies == ["Confirmation 1 expired at 00:15 UTC; ask again.", EXPIRED]


async def test_any_holder_of_the_approver_roles_decides_and_an_admin_always_may(
    warroom: HarnessFactory, tmp_path: Path
) -> None:
    path = tmp_path / "warroom.yaml"
    path.write_text("permissions:\n  admins: ['fake:root']\n", encoding="utf-8")
    config = load_config(path, environ={"WARROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"})
    h = await started(warroom, config=config)
    channel = h.channel("INC-1")
    await h.say("/incident role take communicator", user="bob", channel=channel)
    await h.say("/incident ask restart db-1 --roles commander,communicator", user="alice", channel=channel)
    assert "Decision by commander (carol) or communicator (bob)" in prompts(h)[0].text
    assert (await h.click("confirm:1:approve", user="bob", channel=channel))[0].startswith("✅ Approved by bob")
    await h.say("/incident ask restart db-2", user="root", channel=channel)
    assert (await h.click("confirm:2:reject", user="root", channel=channel))[0].startswith("❌ Rejected by root")


async def test_other_buttons_emoji_and_messages_are_not_decisions(warroom: HarnessFactory) -> None:
    h = await started(warroom)
    channel = h.channel("INC-1")
    await h.say("/incident ask restart db-1", user="alice", channel=channel)
    prompt = prompts(h)[0]
    assert await h.click("confirm:1:maybe", user="carol", channel=channel) == []
    assert await h.click("snooze:food", user="carol", channel=channel) == []
    assert await h.react(prompt, "🎉", user="carol") == []
    other = next(s for s in h.adapter.sent if s.conversation == channel and s is not prompt)
    assert await h.react(other, "✅", user="carol") == []
    stranger = Sent(channel, prompt.message, "k", "not-posted-by-warroom")
    assert await h.react(stranger, "✅", user="carol") == []
    assert await h.say("/incident approve 7", user="carol", channel=channel) == ["There is no confirmation 7."]


async def test_an_unknown_approver_role_is_refused_before_anything_is_asked(warroom: HarnessFactory) -> None:
    h = await started(warroom)
    replies = await h.say("/incident ask restart db-1 --roles sre", user="alice", channel=h.channel("INC-1"))
    assert replies == ["Approver roles must be some of: commander, communicator."]
    assert prompts(h) == []


async def test_a_decided_prompt_is_edited_to_show_the_outcome_without_buttons(warroom: HarnessFactory) -> None:
    h = await started(warroom)
    channel = h.channel("INC-1")
    await h.say("/incident ask restart db-1", channel=channel)
    prompt = prompts(h)[-1]
    await h.click(prompt.actions[0], user="carol", channel=channel)
    assert [(ref, message.plain_text(), message.buttons) for ref, message in h.adapter.edits] == [
        (prompt.ref, "✅ Approved: restart db-1 (by carol)", ())
    ]
