"""The reminders plugin: breaks, role nags, overdue updates, snoozes, quiet incidents, restarts and config.

Food and coffee timing is in test_plugin_reminders_food.py. Every test moves the
virtual clock and checks both what was said in the channel and what the timeline holds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from warroom.core.adapter.refs import ConversationRef
from warroom.core.plugin import Entry
from warroom.core.testing import Harness
from warroom.plugins.reminders import Reminders

Factory = Callable[..., Harness]

# Everything off; each test turns on what it is about.
SILENT: dict[str, Any] = {
    "food": {"enabled": False},
    "coffee": {"enabled": False},
    "breaks": {"breathe_on_join": False, "after_status": ""},
    "roles": {"vacant_after": {}},
    "updates": {"enabled": False},
}


def only(**sections: Any) -> dict[str, Any]:
    """The silent config with some sections (or top-level options) replaced."""
    return {**SILENT, **sections}


def make(warroom: Factory, config: dict[str, Any] | None = None) -> Harness:
    return warroom(plugins={"reminders": Reminders}, plugin_config={"reminders": config or {}})


async def declare(h: Harness, flags: str = "", user: str = "alice") -> ConversationRef:
    await h.say(f'/incident declare "Checkout is down" {flags}', user=user)
    return h.channel("INC-1")


def reminders(h: Harness, what: str | None = None) -> list[Entry]:
    """The reminder entries on INC-1's timeline (of one kind of reminder, if given)."""
    entries = h.plugin("reminders").context.timeline(1, kinds=("reminder",))
    return [e for e in entries if what is None or e.data.get("reminder") == what]


async def walk(h: Harness, span: timedelta, step: timedelta = timedelta(minutes=5)) -> list[tuple[str, str]]:
    """Move time on in steps; each message posted, with the time (HH:MM) it was posted at."""
    said: list[tuple[str, str]] = []
    end = h.clock.now() + span
    while h.clock.now() < end:
        texts = await h.elapse(step)
        said.extend((f"{h.clock.now():%H:%M}", text) for text in texts)
    return said


# Breaks


async def test_breathing_reminder_once_per_person_including_the_declarer(warroom: Factory) -> None:
    h = make(warroom, only(breaks={"breathe_on_join": True, "breathe_seconds": 10}))
    await h.say('/incident declare "Checkout is down"', user="alice")
    channel = h.channel("INC-1")
    welcome = [s.text for s in h.adapter.sent if s.conversation == channel and "breathe" in s.text]
    assert welcome == [
        "🫁 Welcome to INC-1, alice. Take 10 seconds to breathe before you dive in: "
        "read the channel, then ask the commander where to help."
    ]
    assert (await h.say("on it, looking at the db", channel=channel, user="bob"))[0].startswith(
        "🫁 Welcome to INC-1, bob. Take 10 seconds to breathe"
    )
    assert await h.say("db-1 CPU is at 100%", channel=channel, user="bob") == []
    await h.say("/incident role take commander", channel=channel, user="bob")
    replies = await h.say("/incident role communicator @carol", channel=channel, user="bob")
    assert any(text.startswith("🫁 Welcome to INC-1, carol") for text in replies)
    assert [e.text.split(".")[0] for e in reminders(h, "breaks")] == [
        "🫁 Welcome to INC-1, alice",
        "🫁 Welcome to INC-1, bob",
        "🫁 Welcome to INC-1, carol",
    ]
    assert all(e.author == "Warroom" for e in reminders(h))


async def test_team_break_when_impact_stops(warroom: Factory) -> None:
    h = make(warroom, only(breaks={"breathe_on_join": False, "team_break": "20m"}))
    channel = await declare(h)
    await h.say("/incident role take commander", channel=channel)
    await h.elapse(timedelta(minutes=42))
    said = await h.say("/incident status mitigated", channel=channel)
    assert (
        "🧘 INC-1 is mitigated: production impact has stopped. Everyone take a break of at least 20m "
        "(until 01:02 UTC) before the follow-up work."
    ) in said
    [entry] = reminders(h, "breaks")
    assert entry.text.startswith("🧘 INC-1 is mitigated")
    assert await h.say("/incident status investigating", channel=channel) == ["INC-1 is now investigating (#6)."]
    assert reminders(h, "breaks") == [entry]


async def test_procedure_records_it_and_asks_for_a_pause_first(warroom: Factory) -> None:
    h = make(warroom, only(procedure={"checklist": ["Backup verified?"]}))
    channel = await declare(h)
    [said] = await h.say("/incident procedure restore the orders DB   from backup", channel=channel, user="bob")
    assert said == (
        "⏸️ bob is about to start a procedure (#3): restore the orders DB from backup\n"
        "Before the first step: pause, take 10 seconds to breathe, and say in the channel what you are about to do. "
        "Nobody rushes this.\n"
        "For a destructive step, use “/incident action …” so someone confirms it first.\n"
        "☐ Backup verified?"
    )
    timeline = h.plugin("reminders").context.timeline(1, kinds=("procedure", "reminder"))
    assert [(e.seq, e.kind, e.author, e.key) for e in timeline] == [
        (3, "procedure", "bob", True),
        (4, "reminder", "bob", False),
    ]
    assert timeline[0].text == "restore the orders DB from backup"
    assert timeline[0].data["checklist"] == ["Backup verified?"]
    assert timeline[1].text == said
    assert (await h.say("/incident procedure", channel=channel))[0].startswith("“procedure” needs what")


# Roles


async def test_role_nags_repeat_up_to_the_cap_and_stop_once_the_role_is_taken(warroom: Factory) -> None:
    roles = {"vacant_after": {"commander": "5m", "communicator": "10m"}, "max_nags": 3}
    h = make(warroom, only(roles=roles))
    channel = await declare(h)
    said = await walk(h, timedelta(minutes=25))
    commander = [at for at, text in said if "no commander" in text]
    communicator = [at for at, text in said if "no communicator" in text]
    assert commander == ["00:05", "00:10", "00:15"]
    assert communicator == ["00:10", "00:20"]
    assert said[0][1] == (
        "👤 INC-1 has had no commander for 5m. Someone take it with “/incident role take commander”, "
        "or hand it over with “/incident role commander @name”."
    )
    assert said[-2][1].endswith("(last reminder)")
    await h.say("/incident role take communicator", channel=channel, user="dana")
    assert await walk(h, timedelta(hours=1)) == []
    assert [e.at.strftime("%H:%M") for e in reminders(h, "roles")] == ["00:05", "00:10", "00:10", "00:15", "00:20"]
    assert all(e.kind == "reminder" for e in reminders(h, "roles"))


async def test_a_role_taken_before_the_check_is_never_nagged(warroom: Factory) -> None:
    h = make(warroom, only(roles={"vacant_after": {"commander": "5m"}}))
    channel = await declare(h)
    await h.elapse(timedelta(minutes=4))
    await h.say("/incident role take commander", channel=channel)
    assert await walk(h, timedelta(minutes=30)) == []
    assert reminders(h) == []
    assert (await h.say("/incident reminders", channel=channel))[0] == (
        "Reminders for INC-1:\n• nothing scheduled\nNothing is snoozed."
    )


# Stakeholder updates


async def test_update_nudge_only_when_the_promised_update_is_overdue(warroom: Factory) -> None:
    h = make(warroom, only(updates={"enabled": True}))
    channel = await declare(h)
    await h.say("/incident role take communicator", channel=channel, user="dana")
    await h.say('/incident update "Investigating checkout errors" --next 30m', channel=channel, user="dana")
    assert await walk(h, timedelta(minutes=20)) == []
    # A fresh update before the promise was due moves it: the old promise is not nagged about.
    await h.say('/incident update "Rolling back api" --next 15m', channel=channel, user="dana")
    said = await walk(h, timedelta(minutes=30))
    assert said == [
        (
            "00:35",
            "📣 dana, the next stakeholder update for INC-1 was promised for 00:35 UTC. Post one now, even if "
            "nothing changed: “/incident update <what we know> --next 30m”.",
        )
    ]
    [entry] = reminders(h, "updates")
    assert entry.text == said[0][1]
    # An update that promises nothing next is not followed up.
    await h.say('/incident update "Checkout recovered"', channel=channel, user="dana")
    assert await walk(h, timedelta(hours=2)) == []


async def test_update_nudge_without_a_communicator_asks_someone_to_take_it(warroom: Factory) -> None:
    h = make(warroom, only(updates={"enabled": True}))
    channel = await declare(h)
    await h.say("/incident role take communicator", channel=channel, user="dana")
    await h.say('/incident update "Investigating" --next 10m', channel=channel, user="dana")
    await h.say("/incident role communicator @erin", channel=channel, user="dana")
    said = await walk(h, timedelta(minutes=10))
    assert said[0][1].startswith("📣 erin, the next stakeholder update")


# Snoozing


async def test_snooze_silences_a_kind_until_it_expires(warroom: Factory) -> None:
    h = make(warroom, only(roles={"vacant_after": {"commander": "5m"}, "max_nags": 2}))
    channel = await declare(h)
    assert await h.say("/incident snooze roles 12m", channel=channel) == [
        "😴 Roles reminders are snoozed on INC-1 for 12m (until 00:12 UTC). "
        "“/incident snooze roles --off” ends it early."
    ]
    assert await h.say("/incident snooze", channel=channel) == ["Snoozed on INC-1: roles until 00:12 UTC."]
    said = await walk(h, timedelta(minutes=30))
    # Silent while snoozed; the nag comes when the snooze ends, then repeats as usual.
    assert [at for at, _text in said] == ["00:15", "00:20"]
    assert await h.say("/incident snooze", channel=channel) == ["Nothing is snoozed on INC-1."]
    [snoozed] = h.plugin("reminders").context.timeline(1, kinds=("snooze",))
    assert (snoozed.text, snoozed.author, snoozed.data) == (
        "Roles reminders snoozed until 00:12 UTC",
        "alice",
        {"what": "roles", "until": "2026-01-01T00:12:00+00:00", "plugin": "reminders"},
    )


async def test_snooze_all_and_ending_a_snooze_early(warroom: Factory) -> None:
    h = make(warroom, only(roles={"vacant_after": {"commander": "5m"}, "max_nags": 1}, updates={"enabled": True}))
    channel = await declare(h)
    await h.say("/incident snooze all 2h", channel=channel)
    assert await walk(h, timedelta(minutes=30)) == []
    # Ending it early brings the put-off nag forward to now; it is not said twice when the snooze would have ended.
    assert await h.say("/incident snooze all --off", channel=channel) == [
        "🔔 All reminders are back on for INC-1.",
        "👤 INC-1 has had no commander for 30m. Someone take it with “/incident role take commander”, or hand it "
        "over with “/incident role commander @name”. (last reminder)",
    ]
    assert await walk(h, timedelta(hours=2)) == []
    assert [e.data for e in reminders(h)] == [{"reminder": "roles", "role": "commander", "plugin": "reminders"}]


async def test_snooze_mistakes_get_friendly_answers(warroom: Factory) -> None:
    h = make(warroom, only())
    channel = await declare(h)
    assert await h.say("/incident snooze lunch 1h", channel=channel) == [
        "I can't snooze “lunch”. Snooze one of: food, coffee, breaks, roles, updates or all."
    ]
    assert await h.say("/incident snooze food", channel=channel) == [
        "For how long? For example “/incident snooze food 1h”."
    ]
    assert await h.say("/incident snooze food --off", channel=channel) == ["Food reminders aren't snoozed on INC-1."]
    assert await h.say("/incident snooze food 1h --off", channel=channel) == ["Give a duration or --off, not both."]
    await h.say("/incident snooze all 1h", channel=channel)
    assert await h.say("/incident snooze food --off", channel=channel) == [
        "Food reminders aren't snoozed on INC-1 (all are: end that with “/incident snooze all --off”)."
    ]
    assert (await h.say("/incident snooze food soon", channel=channel))[0].startswith("duration must be a duration")
    assert [e.text for e in h.plugin("reminders").context.timeline(1, kinds=("snooze",))] == [
        "All reminders snoozed until 01:00 UTC"
    ]


# Private incidents and resolution


async def test_private_incidents_stay_quiet_when_configured(warroom: Factory) -> None:
    config = {"quiet_on_private": True, "roles": {"vacant_after": {"commander": "5m"}}, "coffee": {"every": "1h"}}
    h = make(warroom, config)
    channel = await declare(h, "--private")
    assert await h.say("hi", channel=channel, user="bob") == []
    await h.say("/incident role take communicator", channel=channel, user="dana")
    await h.say('/incident update "Investigating" --next 10m', channel=channel, user="dana")
    assert await walk(h, timedelta(hours=3), step=timedelta(minutes=15)) == []
    assert reminders(h) == []
    assert "reminders stay quiet (quiet_on_private)" in (await h.say("/incident reminders", channel=channel))[0]


async def test_private_incidents_get_reminders_by_default(warroom: Factory) -> None:
    h = make(warroom, only(roles={"vacant_after": {"commander": "5m"}, "max_nags": 1}))
    await declare(h, "--private")
    assert [at for at, _text in await walk(h, timedelta(minutes=10))] == ["00:05"]


async def test_resolving_stops_every_reminder(warroom: Factory) -> None:
    h = make(warroom, {"roles": {"vacant_after": {"commander": "30m"}}})
    channel = await declare(h)
    await h.say("/incident role take communicator", channel=channel, user="dana")
    await h.say('/incident update "Investigating" --next 1h', channel=channel, user="dana")
    jobs = [job.removeprefix("reminders:") for job in h.app.scheduler.job_ids() if job.startswith("reminders:")]
    assert jobs == ["coffee:1", "food:1", "meal:1", "role:1:commander", "update:1"]
    await h.say("/incident resolve Rolled back", channel=channel, user="dana")
    assert [job for job in h.app.scheduler.job_ids() if job.startswith("reminders:")] == []
    assert await walk(h, timedelta(hours=20), step=timedelta(minutes=30)) == []
    assert await h.say("/incident reminders --incident INC-1") == ["INC-1 is resolved: no more reminders."]


async def test_reminders_lists_what_is_scheduled_and_snoozed(warroom: Factory) -> None:
    h = make(warroom, {"breaks": {"breathe_on_join": False}})
    channel = await declare(h)
    await h.say("/incident snooze coffee 4h", channel=channel)
    assert await h.say("/incident reminders", channel=channel) == [
        "Reminders for INC-1:\n"
        "• nag if no commander: 00:05 UTC\n"
        "• nag if no communicator: 00:10 UTC\n"
        "• food (2h in): 02:00 UTC\n"
        "• coffee and snacks: 03:00 UTC\n"
        "• food (before the next meal): 11:30 UTC\n"
        "Snoozed on INC-1: coffee until 04:00 UTC."
    ]


# Restarts, retries, config


async def test_a_reminder_due_during_a_restart_fires_once_after_it(tmp_path: Path) -> None:
    config = {"reminders": only(roles={"vacant_after": {"commander": "5m"}, "max_nags": 2})}
    h = Harness(tmp_path / "w.db", plugins={"reminders": Reminders}, plugin_config=config)
    await declare(h)
    await h.elapse(timedelta(minutes=2))
    await h.close()
    again = Harness(tmp_path / "w.db", plugins={"reminders": Reminders}, plugin_config=config)
    again.clock.set(h.clock.now() + timedelta(minutes=6))  # 00:08: the 00:05 nag is overdue
    await again.settle()
    assert [s.text.split(" for ")[0] for s in again.adapter.sent] == ["👤 INC-1 has had no commander"]
    assert [e.at.strftime("%H:%M") for e in reminders(again)] == ["00:08"]
    # The next nag keeps its own time; the overdue one is not said again.
    assert [at for at, _text in await walk(again, timedelta(minutes=30))] == ["00:13"]
    await again.close()
    third = Harness(tmp_path / "w.db", plugins={"reminders": Reminders}, plugin_config=config)
    third.clock.set(again.clock.now() + timedelta(hours=1))
    await third.settle()
    assert third.adapter.sent == []
    assert len(reminders(third)) == 2
    await third.close()


async def test_a_retried_job_never_repeats_its_reminder(warroom: Factory) -> None:
    h = make(warroom, only(roles={"vacant_after": {"commander": "5m"}, "max_nags": 1}))
    await declare(h)
    assert len(await h.elapse(timedelta(minutes=5))) == 1
    plugin = h.plugin("reminders")
    assert isinstance(plugin, Reminders)
    await plugin.role_check(1, "commander", 1)  # as if the job ran again after a crash
    await h.settle()
    assert len(reminders(h, "roles")) == 1
    assert len(h.adapter.sent) == 3  # the declaration (lobby and channel) and the one nag


async def test_a_config_mistake_leaves_the_plugin_out_with_the_reason(warroom: Factory) -> None:
    h = make(warroom, {"coffee": {"every": -30}, "timezone": "Mars/Olympus"})
    replies = await h.say('/incident declare "Checkout is down"')
    assert replies[0].startswith("🚨 INC-1")
    status = h.app.plugins.statuses["reminders"]
    assert status.state == "failed"
    assert status.reason == (
        "invalid config: plugins.reminders.timezone: “Mars/Olympus” is not a time zone; use a name like UTC or "
        "Europe/Berlin; plugins.reminders.coffee.every: must be a duration longer than zero, like 30m or 2h"
    )
    assert (await h.say("/incident snooze food 1h", channel=h.channel("INC-1")))[0].startswith("I don't know")


async def test_help_examples_parse(warroom: Factory) -> None:
    h = make(warroom)
    await h.start()
    assert h.app.plugins.statuses["reminders"].state == "loaded"
    assert h.example_problems() == []
