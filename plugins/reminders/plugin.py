"""Reminders for the people working an incident: food, coffee, breaks, vacant roles and overdue updates.

Everything is driven by durable jobs that re-check the incident when they fire
(the world changes while they wait: a role gets taken, an update gets posted,
the incident ends), and every reminder is announced under a key derived from
its trigger, so a job that runs again after a restart never says it twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from warroom.core.plugin import (
    Call,
    Command,
    IncidentDeclared,
    IncidentResolved,
    IncidentView,
    Message,
    PersonJoined,
    Plugin,
    PluginContext,
    RoleAssigned,
    StatusChanged,
    TextArg,
    TimelineEntryAdded,
    Tone,
    command,
    duration,
    hook,
    job,
)
from warroom.plugins.reminders import messages
from warroom.plugins.reminders.messages import KINDS
from warroom.plugins.reminders.settings import RemindersSettings
from warroom.plugins.reminders.timing import Meal, MealPlan


def _snooze_key(incident_id: int) -> str:
    return f"snooze:{incident_id}"


def _active(snoozes: dict[str, str], now: datetime) -> dict[str, datetime]:
    return {what: until for what, raw in snoozes.items() if (until := datetime.fromisoformat(raw)) > now}


class Reminders(Plugin[RemindersSettings]):
    """Reminds the people on an incident to eat, drink, breathe and take breaks, and of vacant roles and updates."""

    def __init__(self, context: PluginContext[RemindersSettings]) -> None:
        super().__init__(context)
        self.meals = MealPlan(context.config)

    async def setup(self) -> None:
        """Plan incidents that have no reminders yet (declared while the plugin was off, or just before a crash)."""
        for incident in self.context.open_incidents():
            self._plan(incident)

    # Commands
    @command(
        "snooze",
        examples=[
            "/incident snooze",
            "/incident snooze food 1h",
            "/incident snooze all 30m",
            "/incident snooze roles --off",
        ],
        help={
            "what": "food, coffee, breaks, roles, updates or all",
            "duration": "for how long, e.g. 45m",
            "off": "end the snooze now",
        },
    )
    def snooze(
        self, call: Call, what: str | None = None, duration: timedelta | None = None, *, off: bool = False
    ) -> None:
        """Silence one kind of reminder for this incident for a while; alone, list what is snoozed."""
        incident = call.incident
        snoozes = _active(call.load(_snooze_key(incident.id), {}), call.at)
        if what is None:
            call.reply(self._snooze_lines(incident, snoozes, call.at) or f"Nothing is snoozed on {incident.reference}.")
            return
        what = what.lower()
        if what not in (*KINDS, "all"):
            call.fail(f"I can't snooze “{what}”. Snooze one of: {', '.join(KINDS)} or all.")
        if off:
            if duration is not None:
                call.fail("Give a duration or --off, not both.")
            self._snooze_off(call, incident, what, snoozes)
        elif duration is None:
            call.fail(Message.of("For how long? For example “", Command(f"snooze {what} 1h"), "”."))
        else:
            self._snooze_for(call, incident, what, duration, snoozes)

    def _snooze_for(
        self, call: Call, incident: IncidentView, what: str, length: timedelta, snoozes: dict[str, datetime]
    ) -> None:
        until = call.at + length
        snoozes[what] = until
        self._save_snoozes(call, incident.id, snoozes)
        shown = messages.clock(self.context.config, until, call.at)
        label = "All" if what == "all" else what.capitalize()
        call.record("snooze", f"{label} reminders snoozed until {shown}", {"what": what, "until": until.isoformat()})
        call.reply(
            Message.of(
                f"😴 {label} reminders are snoozed on {incident.reference} for {duration(length)} (until {shown}). “",
                Command(f"snooze {what} --off"),
                "” ends it early.",
            )
        )

    def _snooze_off(self, call: Call, incident: IncidentView, what: str, snoozes: dict[str, datetime]) -> None:
        ended = list(snoozes) if what == "all" else [what] if what in snoozes else []
        if not ended:
            hint = (" (all are: end that with “", Command("snooze all --off"), "”)") if "all" in snoozes else ()
            call.fail(Message.of(f"{what.capitalize()} reminders aren't snoozed on {incident.reference}", *hint, "."))
        untils = [snoozes.pop(kind) for kind in ended]
        self._save_snoozes(call, incident.id, snoozes)
        call.record("snooze", f"Reminders back on: {', '.join(ended)}", {"ended": ended})
        call.reply(f"🔔 {', '.join(ended).capitalize()} reminders are back on for {incident.reference}.")
        call.after_commit(lambda: self._resume(incident.id, untils))

    @command("reminders", examples=["/incident reminders", "/incident reminders --incident INC-3"])
    def reminders(self, call: Call) -> None:
        """Show which reminders are scheduled for this incident, and what is snoozed."""
        incident = call.incident
        if incident.resolved:
            call.reply(f"{incident.reference} is resolved: no more reminders.")
            return
        lines = [f"Reminders for {incident.reference}:"]
        upcoming = sorted(
            (when, label)
            for label, job_id in self._jobs(incident.id)
            if (when := self.context.next_run(job_id)) is not None
        )
        lines.extend(f"• {label}: {messages.clock(self.context.config, when, call.at)}" for when, label in upcoming)
        if not upcoming:
            lines.append("• nothing scheduled")
        if incident.private and self.context.config.quiet_on_private:
            lines.append("This incident is private, so reminders stay quiet (quiet_on_private).")
        snoozes = _active(call.load(_snooze_key(incident.id), {}), call.at)
        lines.append(self._snooze_lines(incident, snoozes, call.at) or "Nothing is snoozed.")
        call.reply("\n".join(lines))

    @command(
        "procedure",
        examples=["/incident procedure restore the orders DB from backup"],
        help={"what": "the procedure, in a few words"},
    )
    def procedure(self, call: Call, what: TextArg) -> None:
        """Record that a procedure is starting, with a pause to breathe and announce it first."""
        text = " ".join(what.split())
        seq = call.record("procedure", text, {"checklist": list(self.context.config.procedure.checklist)}, key=True)
        who = call.actor.name if call.actor else "Someone"
        pause = messages.procedure(self.context.config, seq, who, text)
        call.record("reminder", pause.plain_text(), {"reminder": "procedure", "procedure": seq})
        call.reply(pause)

    # Hooks
    @hook(IncidentDeclared)
    async def on_declared(self, event: IncidentDeclared) -> None:
        self._plan(self.context.incident(event.incident_id))

    @hook(PersonJoined)
    async def on_joined(self, event: PersonJoined) -> None:
        # The declarer joins before the incident's channel exists; they are greeted when it opens.
        if self.context.channels(event.incident_id):
            await self._breathe(event.incident_id, event.person_id)

    @hook(TimelineEntryAdded)
    async def on_entry(self, event: TimelineEntryAdded) -> None:
        if event.kind == "channel":
            for person in self.context.members(event.incident_id):
                await self._breathe(event.incident_id, person.id)
        elif event.kind == "update":
            self._plan_update(self.context.incident(event.incident_id), replace=True)

    @hook(StatusChanged)
    async def on_status(self, event: StatusChanged) -> None:
        if event.old == "resolved":
            self._plan(self.context.incident(event.incident_id))
        if event.new != self.context.config.breaks.after_status:
            return
        incident = self._live(event.incident_id)
        if incident is None or self._snoozed_until(incident.id, "breaks"):
            return
        until = event.at + self.context.config.breaks.team_break
        key = f"break:{incident.id}:{event.at.isoformat()}"
        await self._say(incident.id, "breaks", messages.team_break(self.context.config, incident, until), key)

    @hook(RoleAssigned)
    async def on_role(self, event: RoleAssigned) -> None:
        self.context.cancel(f"role:{event.incident_id}:{event.role}")

    @hook(IncidentResolved)
    async def on_resolved(self, event: IncidentResolved) -> None:
        for _label, job_id in self._jobs(event.incident_id):
            self.context.cancel(job_id)

    # Jobs: each re-checks the incident, since it was planned when the world was different
    @job()
    async def food_first(self, incident_id: int) -> None:
        incident = self._live(incident_id)
        if incident is None or not self.context.config.food.enabled or self._snoozed_until(incident_id, "food"):
            return
        at = incident.declared_at + self.context.config.food.first_after
        window = self.meals.window_of(at)
        if window is not None and self.context.clock.now() >= self.meals.window_end(window):
            return  # fired so late that its meal window is over; the next meal's reminder covers it
        text = messages.food_first(self.context.config, incident, self.context.members(incident_id))
        await self._say(incident_id, "food", text, self.meals.food_key(incident_id, at))

    @job()
    async def food_meal(self, incident_id: int, name: str, at: str) -> None:
        incident = self._live(incident_id)
        if incident is None or not self.context.config.food.enabled or not self.context.config.food.meals:
            return
        meal, now = Meal(name, datetime.fromisoformat(at)), self.context.clock.now()
        following, when = self.meals.next_meal(incident.declared_at, now, after=meal.at)
        self.context.schedule_at(
            f"meal:{incident_id}", when, self.food_meal, incident_id, following.name, following.at.isoformat()
        )
        if now < self.meals.window_end(meal) and not self._snoozed_until(incident_id, "food"):
            text = messages.food_meal(self.context.config, incident, meal, self.context.members(incident_id))
            await self._say(incident_id, "food", text, f"food:{incident_id}:{meal.key}")

    @job()
    async def coffee(self, incident_id: int, round_: int) -> None:
        incident = self._live(incident_id)
        if incident is None or not self.context.config.coffee.enabled:
            return
        every, declared, now = self.context.config.coffee.every, incident.declared_at, self.context.clock.now()
        due = (now - declared) // every  # the round that is due now: more than round_ if this fired late
        self.context.schedule_at(
            f"coffee:{incident_id}", declared + (due + 1) * every, self.coffee, incident_id, due + 1
        )
        if due == round_ and not self._snoozed_until(incident_id, "coffee"):
            text = messages.coffee(incident, round_ * every, self.context.members(incident_id))
            await self._say(incident_id, "coffee", text, f"coffee:{incident_id}:{round_}")

    @job()
    async def role_check(self, incident_id: int, role: str, nag: int) -> None:
        incident = self._live(incident_id)
        roles = self.context.config.roles
        if incident is None or role in incident.roles or role not in roles.vacant_after:
            return
        job_id = f"role:{incident_id}:{role}"
        snoozed = self._snoozed_until(incident_id, "roles")
        if snoozed is not None:
            self.context.schedule_at(job_id, snoozed, self.role_check, incident_id, role, nag)
            return
        if nag < roles.max_nags:
            again = self.context.config.repeat_for(role)
            self.context.schedule_in(job_id, again, self.role_check, incident_id, role, nag + 1)
        age = self.context.clock.now() - incident.declared_at
        text = messages.role_nag(incident, role, age, nag, roles.max_nags)
        key = f"nag:{incident_id}:{role}:{nag}"
        await self._say(incident_id, "roles", text, key, role=role)

    @job()
    async def update_due(self, incident_id: int, due: str) -> None:
        incident, promised = self._live(incident_id), datetime.fromisoformat(due)
        if incident is None or not self.context.config.updates.enabled or incident.next_update_at != promised:
            return  # a newer update moved (or dropped) the promise: this one is not overdue
        snoozed = self._snoozed_until(incident_id, "updates")
        if snoozed is not None:
            self.context.schedule_at(f"update:{incident_id}", snoozed, self.update_due, incident_id, due)
            return
        text = messages.update_due(self.context.config, incident, promised, self.context.clock.now())
        await self._say(incident_id, "updates", text, f"update:{incident_id}:{due}")

    # Planning
    def _plan(self, incident: IncidentView) -> None:
        """Schedule what is still ahead for an open incident and not scheduled yet (planning twice changes nothing)."""
        if incident.resolved:
            return
        context, now = self.context, self.context.clock.now()
        declared, food, coffee = incident.declared_at, self.context.config.food, self.context.config.coffee
        if food.enabled:
            first = declared + food.first_after
            if first > now and self._idle(f"food:{incident.id}"):
                context.schedule_at(f"food:{incident.id}", first, self.food_first, incident.id)
            if food.meals and self._idle(f"meal:{incident.id}"):
                meal, when = self.meals.next_meal(declared, now)
                args = (incident.id, meal.name, meal.at.isoformat())
                context.schedule_at(f"meal:{incident.id}", when, self.food_meal, *args)
        if coffee.enabled and self._idle(f"coffee:{incident.id}"):
            due = (now - declared) // coffee.every + 1
            context.schedule_at(f"coffee:{incident.id}", declared + due * coffee.every, self.coffee, incident.id, due)
        for role, after in self.context.config.roles.vacant_after.items():
            job_id = f"role:{incident.id}:{role}"
            if role not in incident.roles and declared + after > now and self._idle(job_id):
                context.schedule_at(job_id, declared + after, self.role_check, incident.id, role, 1)
        self._plan_update(incident, replace=False)

    def _plan_update(self, incident: IncidentView, *, replace: bool) -> None:
        job_id = f"update:{incident.id}"
        if incident.next_update_at is None or not self.context.config.updates.enabled:
            self.context.cancel(job_id)
        elif replace or (incident.next_update_at > self.context.clock.now() and self._idle(job_id)):
            due = incident.next_update_at
            self.context.schedule_at(job_id, due, self.update_due, incident.id, due.isoformat())

    async def _resume(self, incident_id: int, untils: list[datetime]) -> None:
        """Bring forward the nags and nudges that a snooze, now ended early, had put off until its end."""
        now = self.context.clock.now()

        def put_off(job_id: str) -> bool:
            when = self.context.next_run(job_id)
            return when is not None and any(abs(when - until) < timedelta(seconds=1) for until in untils)

        for role in self.context.config.roles.vacant_after:
            job_id = f"role:{incident_id}:{role}"
            if put_off(job_id):
                given = [
                    e for e in self.context.timeline(incident_id, kinds=("reminder",)) if e.data.get("role") == role
                ]
                self.context.schedule_at(job_id, now, self.role_check, incident_id, role, len(given) + 1)
        promised = self.context.incident(incident_id).next_update_at
        if promised is not None and put_off(f"update:{incident_id}"):
            self.context.schedule_at(f"update:{incident_id}", now, self.update_due, incident_id, promised.isoformat())

    def _jobs(self, incident_id: int) -> list[tuple[str, str]]:
        """Every job an incident can have, with what ``/incident reminders`` calls it."""
        roles = [(f"nag if no {role}", f"role:{incident_id}:{role}") for role in self.context.config.roles.vacant_after]
        return [
            (f"food ({duration(self.context.config.food.first_after)} in)", f"food:{incident_id}"),
            ("food (before the next meal)", f"meal:{incident_id}"),
            ("coffee and snacks", f"coffee:{incident_id}"),
            *roles,
            ("nudge for the promised update", f"update:{incident_id}"),
        ]

    def _idle(self, job_id: str) -> bool:
        return self.context.next_run(job_id) is None

    # Checks and saying
    def _live(self, incident_id: int) -> IncidentView | None:
        """The incident, if reminders may still speak in it."""
        try:
            incident = self.context.incident(incident_id)
        except LookupError:
            return None
        if incident.resolved or (incident.private and self.context.config.quiet_on_private):
            return None
        return incident

    def _snoozed_until(self, incident_id: int, kind: str) -> datetime | None:
        snoozes = _active(self.context.load(_snooze_key(incident_id), {}), self.context.clock.now())
        return max((until for what, until in snoozes.items() if what in (kind, "all")), default=None)

    def _snooze_lines(self, incident: IncidentView, snoozes: dict[str, datetime], now: datetime) -> str:
        if not snoozes:
            return ""
        clock = messages.clock
        listed = ", ".join(f"{what} until {clock(self.context.config, until, now)}" for what, until in snoozes.items())
        return f"Snoozed on {incident.reference}: {listed}."

    @staticmethod
    def _save_snoozes(call: Call, incident_id: int, snoozes: dict[str, datetime]) -> None:
        call.save(_snooze_key(incident_id), {what: until.isoformat() for what, until in snoozes.items()})

    async def _breathe(self, incident_id: int, person_id: int) -> None:
        incident = self._live(incident_id)
        breathe = self.context.config.breaks.breathe_on_join
        if incident is None or not breathe or self._snoozed_until(incident_id, "breaks"):
            return
        person = next((p for p in self.context.members(incident_id) if p.id == person_id), None)
        if person is not None:
            text = messages.breathe(self.context.config, incident, person)
            await self._say(incident_id, "breaks", text, f"breathe:{incident_id}:{person_id}")

    async def _say(
        self, incident_id: int, reminder: str, text: Message | str, key: str, *, tone: Tone = Tone.INFO, **data: str
    ) -> bool:
        data["reminder"] = reminder
        return await self.context.announce(incident_id, text, data=data, tone=tone, key=key)
