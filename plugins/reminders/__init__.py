"""The reminders plugin: food, coffee, breaks, vacant roles and overdue updates, for the people on an incident."""

from warroom.plugins.reminders.plugin import Reminders

__all__ = ["Reminders"]
