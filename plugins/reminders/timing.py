"""When food reminders are due: meal windows in the team's time zone, worked out from the clock alone.

Each meal opens a window ``lead`` before it that lasts until the next meal's window
opens, so every moment belongs to exactly one window. A food reminder is keyed by its
window: whichever reminder comes first in a window is the only one given in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from warroom.plugins.reminders.settings import RemindersSettings


@dataclass(frozen=True, slots=True)
class Meal:
    name: str
    at: datetime  # UTC

    @property
    def key(self) -> str:
        return self.at.strftime("%Y-%m-%dT%H:%M")


class MealPlan:
    def __init__(self, config: RemindersSettings) -> None:
        self._config = config
        self._food = config.food

    def meals_around(self, moment: datetime, days: int = 3) -> list[Meal]:
        """Every meal from the local day before ``moment`` to ``days`` days after it, in order."""
        zone = self._config.zone
        today = moment.astimezone(zone).date()
        meals = [
            Meal(name, datetime.combine(today + timedelta(days=offset), at, tzinfo=zone).astimezone(UTC))
            for offset in range(-1, days)
            for name, at in self._food.meals.items()
        ]
        return sorted(meals, key=lambda meal: meal.at)

    def window_of(self, moment: datetime) -> Meal | None:
        """The meal whose window ``moment`` is in (None when no meals are configured)."""
        opened = [meal for meal in self.meals_around(moment) if meal.at - self._food.lead <= moment]
        return opened[-1] if opened else None

    def window_end(self, meal: Meal) -> datetime:
        later = [m for m in self.meals_around(meal.at) if m.at > meal.at]
        return later[0].at - self._food.lead

    def reminder_time(self, meal: Meal, declared_at: datetime) -> datetime | None:
        """When to remind about ``meal``: its lead, once the incident is old enough; None if that is too late."""
        at = max(meal.at - self._food.lead, declared_at + self._food.min_open)
        return at if at <= meal.at else None

    def next_meal(self, declared_at: datetime, now: datetime, after: datetime | None = None) -> tuple[Meal, datetime]:
        """The next meal (later than ``after``) whose reminder is still ahead, and when to give it."""
        days = 2 + (self._food.min_open // timedelta(days=1))
        for meal in self.meals_around(now, days):
            at = self.reminder_time(meal, declared_at)
            if (after is None or meal.at > after) and at is not None and at >= now:
                return meal, at
        raise LookupError("no meal ahead")  # unreachable with meals configured: enough days are looked at

    def food_key(self, incident_id: int, moment: datetime) -> str:
        window = self.window_of(moment)
        return f"food:{incident_id}:{window.key if window else 'first'}"
