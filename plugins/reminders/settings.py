"""The reminders plugin's options (``plugins.reminders`` in the config file), every one with a default."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from warroom.core.plugin import Duration


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be a duration longer than zero, like 30m or 2h")
    return value


def _meal_time(value: Any) -> Any:
    # YAML 1.1 reads an unquoted 12:00 as the sexagesimal number 720: minutes after midnight.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)
    if isinstance(value, str):
        hours, _, minutes = value.strip().partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise ValueError(f"must be a time of day like 12:00 or 18:30, not “{value}”")
        return time(int(hours), int(minutes))
    return value


Positive = Annotated[Duration, AfterValidator(_positive)]
MealTime = Annotated[time, BeforeValidator(_meal_time)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Food(_Section):
    """Order food before people are hungry: once after ``first_after``, then ahead of each meal."""

    enabled: bool = True
    first_after: Positive = timedelta(hours=2)
    meals: dict[str, MealTime] = Field(default_factory=lambda: {"lunch": time(12), "dinner": time(18)})
    lead: Positive = timedelta(minutes=30)
    # A meal reminder waits until the incident is this old, so a ten-minute incident is not told to order lunch.
    min_open: Positive = timedelta(minutes=30)
    expense_note: str = "Expense it as incident food."

    @model_validator(mode="after")
    def _lead_fits_between_meals(self) -> Food:
        times = sorted(60 * t.hour + t.minute for t in self.meals.values())
        gaps = [b - a for a, b in itertools.pairwise(times)]
        if times:
            gaps.append(times[0] + 24 * 60 - times[-1])
        if gaps and min(gaps) * 60 <= self.lead.total_seconds():
            raise ValueError("lead must be shorter than the time between two meals")
        return self


class Coffee(_Section):
    """Offer coffee, cola and snacks on a cadence."""

    enabled: bool = True
    every: Positive = timedelta(hours=3)


class Breaks(_Section):
    """Breathing when someone joins, a team break when impact stops."""

    breathe_on_join: bool = True
    breathe_seconds: int = Field(default=10, ge=1, le=120)
    # The status that means "production impact has stopped"; empty for no team break.
    after_status: str = "mitigated"
    team_break: Positive = timedelta(minutes=15)


class Procedure(_Section):
    """What ``/incident procedure`` shows before a procedure starts."""

    checklist: tuple[str, ...] = (
        "Is there a way back (a backup, a rollback) if it goes wrong?",
        "Who watches the dashboards while it runs?",
        "Does the commander know you are starting?",
    )


class Roles(_Section):
    """Nag in the channel while a role is vacant."""

    vacant_after: dict[str, Positive] = Field(
        default_factory=lambda: {"commander": timedelta(minutes=5), "communicator": timedelta(minutes=10)}
    )
    # Between nags; unset means the role's own ``vacant_after``.
    repeat_every: Positive | None = None
    max_nags: int = Field(default=3, ge=1, le=20)


class Updates(_Section):
    """Nudge the communicator when a promised stakeholder update is overdue."""

    enabled: bool = True


class RemindersSettings(_Section):
    """``plugins.reminders``: the team's time zone, and when each kind of reminder is given."""

    timezone: str = "UTC"
    quiet_on_private: bool = False
    food: Food = Food()
    coffee: Coffee = Coffee()
    breaks: Breaks = Breaks()
    procedure: Procedure = Procedure()
    roles: Roles = Roles()
    updates: Updates = Updates()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"“{value}” is not a time zone; use a name like UTC or Europe/Berlin") from None
        return value

    @property
    def zone(self) -> tzinfo:
        return UTC if self.timezone == "UTC" else ZoneInfo(self.timezone)

    def repeat_for(self, role: str) -> timedelta:
        return self.roles.repeat_every or self.roles.vacant_after[role]

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)
