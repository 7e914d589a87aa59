"""The reminders plugin's food and coffee: when they come, once per meal window, in the team's time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from warroom.core.config.loader import load_config
from warroom.core.testing import Harness
from warroom.plugins.reminders import Reminders
from warroom.plugins.reminders.settings import RemindersSettings

from tests.plugins.reminders.test_reminders import declare, make, only, reminders, walk

Factory = Callable[..., Harness]


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, 1, hour, minute, tzinfo=UTC)


def food(**options: Any) -> dict[str, Any]:
    return only(food={"enabled": True, **options})


async def test_food_after_two_hours_then_ahead_of_each_meal(warroom: Factory) -> None:
    h = make(warroom, food())
    channel = await declare(h)
    await h.say("looking at the payment logs", channel=channel, user="bob")
    said = await walk(h, timedelta(hours=24), step=timedelta(minutes=15))
    assert said == [
        (
            "02:00",
            "🍕 INC-1 has been going for 2h. Order food now, before people get hungry — for alice and bob. "
            "Expense it as incident food.",
        ),
        (
            "11:30",
            "🍕 Lunch is at 12:00 UTC and INC-1 is still open: order food now so it is here in time — for alice and "
            "bob. Expense it as incident food.",
        ),
        ("17:30", said[2][1].replace("Lunch is at 12:00", "Dinner is at 18:00")),
    ]
    assert said[2][1].startswith("🍕 Dinner is at 18:00 UTC")
    entries = reminders(h, "food")
    assert [(e.at.strftime("%H:%M"), e.kind, e.author, e.text) for e in entries] == [
        (when, "reminder", "Warroom", text) for when, text in said
    ]


async def test_one_food_reminder_per_meal_window(warroom: Factory) -> None:
    h = make(warroom, food(expense_note="Use the team card."))
    h.clock.set(at(10))
    await declare(h)
    # 12:00 (two hours in) is in lunch's window, which 11:30 already covered.
    said = await walk(h, timedelta(hours=10), step=timedelta(minutes=15))
    assert [when for when, _text in said] == ["11:30", "17:30"]
    assert said[0][1].endswith("for alice. Use the team card.")
    assert len(reminders(h, "food")) == 2


async def test_a_fresh_incident_is_not_told_to_order_lunch(warroom: Factory) -> None:
    h = make(warroom, food())
    h.clock.set(at(11, 45))
    await declare(h)
    # Lunch's reminder would come when the incident is 30 minutes old, after noon: skipped; two hours in, it is due.
    said = await walk(h, timedelta(hours=7), step=timedelta(minutes=15))
    assert [when for when, _text in said] == ["13:45", "17:30"]
    assert said[0][1].startswith("🍕 INC-1 has been going for 2h.")


async def test_a_meal_reminder_waits_until_the_incident_is_old_enough(warroom: Factory) -> None:
    h = make(warroom, food(min_open="20m"))
    h.clock.set(at(11, 20))
    await declare(h)
    said = await walk(h, timedelta(hours=2), step=timedelta(minutes=5))
    assert [when for when, _text in said] == ["11:40"]


async def test_meal_times_are_in_the_teams_time_zone(warroom: Factory) -> None:
    h = make(warroom, {**food(first_after="8h", meals={"lunch": "12:00"}), "timezone": "Europe/Berlin"})
    channel = await declare(h)
    assert "• food (before the next meal): 11:30 CET" in (await h.say("/incident reminders", channel=channel))[0]
    said = await walk(h, timedelta(hours=12), step=timedelta(minutes=15))
    assert [when for when, _text in said] == ["08:00", "10:30"]  # UTC: 09:00 and 11:30 in Berlin
    assert said[1][1].startswith("🍕 Lunch is at 12:00 CET")


async def test_food_snooze_suppresses_then_expires(warroom: Factory) -> None:
    h = make(warroom, food())
    channel = await declare(h)
    await h.say("/incident snooze food 3h", channel=channel)
    said = await walk(h, timedelta(hours=12), step=timedelta(minutes=15))
    assert [when for when, _text in said] == ["11:30"]


async def test_coffee_on_a_cadence_and_snoozable(warroom: Factory) -> None:
    h = make(warroom, only(coffee={"every": "3h"}))
    channel = await declare(h)
    await h.say("I'll take the API side", channel=channel, user="bob")
    await h.say("/incident snooze coffee 4h", channel=channel)
    said = await walk(h, timedelta(hours=10), step=timedelta(minutes=15))
    assert said == [
        ("06:00", "☕ INC-1 has been going for 6h. Coffee, cola or snacks? Someone do a round for alice and bob."),
        ("09:00", "☕ INC-1 has been going for 9h. Coffee, cola or snacks? Someone do a round for alice and bob."),
    ]
    assert [e.text for e in reminders(h, "coffee")] == [text for _when, text in said]


async def test_after_a_long_outage_only_reminders_still_worth_giving_come(tmp_path: Path) -> None:
    config = {"reminders": only(food={"enabled": True}, coffee={"every": "3h"})}
    h = Harness(tmp_path / "w.db", plugins={"reminders": Reminders}, plugin_config=config)
    await declare(h)
    await h.elapse(timedelta(hours=1))
    await h.close()
    again = Harness(tmp_path / "w.db", plugins={"reminders": Reminders}, plugin_config=config)
    again.clock.set(at(12))
    # Down from 01:00 to 12:00: the two-hour food reminder and three coffee rounds are stale; lunch is still ahead.
    await again.settle()
    assert [s.text.split(" is at")[0] for s in again.adapter.sent] == ["🍕 Lunch"]
    said = await walk(again, timedelta(hours=6), step=timedelta(minutes=15))
    assert [(when, text[:1]) for when, text in said] == [("15:00", "☕"), ("17:30", "🍕"), ("18:00", "☕")]
    assert [e.at.strftime("%H:%M") for e in reminders(again)] == ["12:00", "15:00", "17:30", "18:00"]
    await again.close()


# Config


def test_meal_times_read_from_yaml_and_validated() -> None:
    # Unquoted 12:00 in YAML 1.1 arrives as the number 720 (minutes).
    config = RemindersSettings.model_validate({"food": {"meals": {"lunch": 720, "dinner": "18:30"}, "lead": "45m"}})
    assert config.food.meals == {"lunch": time(12), "dinner": time(18, 30)}
    assert config.food.lead == timedelta(minutes=45)
    with pytest.raises(ValidationError, match="must be a time of day like 12:00 or 18:30, not “noon”"):
        RemindersSettings.model_validate({"food": {"meals": {"lunch": "noon"}}})
    with pytest.raises(ValidationError, match="lead must be shorter than the time between two meals"):
        RemindersSettings.model_validate({"food": {"meals": {"brunch": "11:00", "lunch": "11:20"}}})


async def test_loads_from_the_config_file_through_its_entry_point(tmp_path: Path) -> None:
    path = tmp_path / "warroom.yaml"
    path.write_text(
        f"database:\n  url: sqlite:///{tmp_path / 'w.db'}\n"
        "plugins:\n  reminders:\n    timezone: Europe/Berlin\n    food:\n      meals:\n        lunch: 12:00\n"
        "    roles:\n      vacant_after: {commander: 15m}\n      max_nags: 1\n",
        encoding="utf-8",
    )
    h = Harness(tmp_path / "w.db", config=load_config(path, environ={}))
    await h.start()
    await h.app.plugins.load_all()
    assert h.app.plugins.statuses["reminders"].state == "loaded"
    plugin = h.plugin("reminders")
    assert isinstance(plugin, Reminders)
    assert plugin.context.config.food.meals == {"lunch": time(12)}
    channel = await declare(h)
    assert (await h.say("/incident reminders", channel=channel))[0].splitlines()[1:3] == [
        "• nag if no commander: 01:15 CET",
        "• food (2h in): 03:00 CET",
    ]
    await h.close()
