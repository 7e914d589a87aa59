"""What the reminders say: short, kind, and with the command to run when there is something to do."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from warroom.core.plugin import Command, IncidentView, Message, PersonView, Tone, duration
from warroom.plugins.reminders.settings import RemindersSettings
from warroom.plugins.reminders.timing import Meal

KINDS = ("food", "coffee", "breaks", "roles", "updates")


def names(people: Sequence[PersonView]) -> str:
    listed = [person.name for person in people]
    if not listed:
        return "everyone on it"
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


def clock(config: RemindersSettings, at: datetime, now: datetime) -> str:
    """A time of day in the team's zone, with the date when it is not today."""
    local, today = config.local(at), config.local(now).date()
    shown = f"{local:%H:%M} {local.tzname()}"
    return shown if local.date() == today else f"{local:%a %d %b} {shown}"


def food_first(config: RemindersSettings, incident: IncidentView, people: Sequence[PersonView]) -> str:
    return (
        f"🍕 {incident.reference} has been going for {duration(config.food.first_after)}. Order food now, before "
        f"people get hungry — for {names(people)}. {config.food.expense_note}"
    )


def food_meal(config: RemindersSettings, incident: IncidentView, meal: Meal, people: Sequence[PersonView]) -> str:
    return (
        f"🍕 {meal.name.capitalize()} is at {clock(config, meal.at, meal.at)} and {incident.reference} is still "
        f"open: order food now so it is here in time — for {names(people)}. {config.food.expense_note}"
    )


def coffee(incident: IncidentView, age: timedelta, people: Sequence[PersonView]) -> str:
    return (
        f"☕ {incident.reference} has been going for {duration(age)}. Coffee, cola or snacks? Someone do a round "
        f"for {names(people)}."
    )


def breathe(config: RemindersSettings, incident: IncidentView, person: PersonView) -> str:
    return (
        f"🫁 Welcome to {incident.reference}, {person.name}. Take {config.breaks.breathe_seconds} seconds to "
        f"breathe before you dive in: read the channel, then ask the commander where to help."
    )


def team_break(config: RemindersSettings, incident: IncidentView, until: datetime) -> str:
    return (
        f"🧘 {incident.reference} is {incident.status}: production impact has stopped. Everyone take a break of "
        f"at least {duration(config.breaks.team_break)} (until {clock(config, until, until)}) "
        "before the follow-up work."
    )


def procedure(config: RemindersSettings, seq: int, who: str, what: str) -> Message:
    pause = (
        f"⏸️ {who} is about to start a procedure (#{seq}): {what}\n"
        f"Before the first step: pause, take {config.breaks.breathe_seconds} seconds to breathe, and say in the "
        "channel what you are about to do. Nobody rushes this.\n"
        "For a destructive step, use “"
    )
    checklist = "".join(f"\n☐ {item}" for item in config.procedure.checklist)
    return Message.of(pause, Command("action …"), "” so someone confirms it first." + checklist)


def role_nag(incident: IncidentView, role: str, age: timedelta, nag: int, most: int) -> Message:
    last = " (last reminder)" if nag == most else ""
    return Message.of(
        f"👤 {incident.reference} has had no {role} for {duration(age)}. Someone take it with “",
        Command(f"role take {role}"),
        "”, or hand it over with “",
        Command(f"role {role} @name"),
        f"”.{last}",
        tone=Tone.WARNING,
    )


def update_due(config: RemindersSettings, incident: IncidentView, due: datetime, now: datetime) -> Message:
    communicator = incident.roles.get("communicator")
    who = f"{communicator.name}, the" if communicator else "The"
    fix = () if communicator else (" Nobody is communicator: take it with “", Command("role take communicator"), "”.")
    return Message.of(
        f"📣 {who} next stakeholder update for {incident.reference} was promised for {clock(config, due, now)}."
        " Post one now, even if nothing changed: “",
        Command("update <what we know> --next 30m"),
        "”.",
        *fix,
        tone=Tone.WARNING,
    )
