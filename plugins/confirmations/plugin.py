"""The policy on top of the core's confirmations: who approves which announced action, and nudges to announce.

The core owns the mechanism (durable record, prompt, decisions, expiry, the
outcome said where it was decided and in the incident's channels with the
requester mentioned). This plugin decides what to ask and of whom, explains
the answer to the person asking, lists what was asked, and hints when chat
sounds like someone is about to do something destructive unannounced.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import partial

from warroom.core.plugin import (
    Call,
    Command,
    ConfirmationRequested,
    IncidentView,
    Message,
    Plugin,
    TextArg,
    TimelineEntryAdded,
    command,
    hook,
)
from warroom.plugins.confirmations.listing import fold, render
from warroom.plugins.confirmations.settings import MAX_EXPIRY, MIN_EXPIRY, ConfirmationsSettings


class Confirmations(Plugin[ConfirmationsSettings]):
    """Announce destructive steps; the commander (by default) approves or rejects them in time."""

    async def setup(self) -> None:
        # Compiled one by one: joined into one, a pattern's inline flags or group names could clash.
        self._destructive = tuple(re.compile(pattern, re.IGNORECASE) for pattern in self.context.config.hint_patterns)

    @command(
        "action",
        examples=["/incident action restart db-1", "/incident action roll back api to v41 --expires 5m"],
        help={"what": "the step you want to take", "expires": "how long the approvers have, e.g. 5m"},
        short={"expires": "e"},
    )
    def action(self, call: Call, what: TextArg, *, expires: timedelta | None = None) -> None:
        """Announce a destructive step and ask the commander to approve it before anyone runs it.

        Nobody starts the step until it is approved; a request nobody decides in time expires.
        """
        settings = self.context.config
        expires_in = expires or settings.expires
        if not MIN_EXPIRY <= expires_in <= MAX_EXPIRY:
            call.fail("An approval is for the situation right now: give --expires between 1m and 2h, e.g. 10m.")
        actor = call.actor
        assert actor is not None  # a command always has someone running it
        incident = call.incident
        # Approver roles the requester holds but may not use on their own request; stand-ins cover for them.
        own = [] if settings.allow_self else [r for r in settings.approver_roles if _holder(incident, r) == actor.id]
        roles = settings.approver_roles
        if own:
            roles += tuple(role for role in settings.stand_in_roles if role not in roles)
        number = call.confirm(what, approver_roles=roles, expires_in=expires_in, allow_self=settings.allow_self)
        call.reply(_who_decides(incident, actor.id, number, roles, own, f"{call.at + expires_in:%H:%M} UTC"))

    @command("actions", examples=["/incident actions"])
    def actions(self, call: Call) -> None:
        """List the actions announced on this incident: waiting for a decision, approved, rejected or expired."""
        incident = call.incident
        asked = fold(self.context.timeline(incident.id, kinds=("confirmation",)))
        call.reply(render(incident.reference, asked, call.at))

    @hook(TimelineEntryAdded)
    async def on_entry(self, event: TimelineEntryAdded) -> None:
        """Hint at ``/incident action`` when someone's chat sounds destructive.

        Only captured chat counts: commands never become ``message`` entries, so a
        command is never hinted at. Approvers are not hinted at either: when the
        commander says "roll back api", they are directing the work they would approve.
        """
        if event.kind != "message" or event.author_id is None:
            return
        if not any(pattern.search(event.text) for pattern in self._destructive):
            return
        incident, approvers = self.context.incident(event.incident_id), self.context.config.approver_roles
        if incident.resolved or any(_holder(incident, r) == event.author_id for r in approvers):
            return
        name = next((p.name for p in self.context.members(incident.id) if p.id == event.author_id), "")
        await self.context.run(partial(self._hint, incident, event.author_id, name))

    @hook(ConfirmationRequested)
    async def on_requested(self, event: ConfirmationRequested) -> None:
        """Someone who just announced an action knows the practice: no hint for them for a while.

        Without this, "restarting db-1 now" right after the approval would earn a hint.
        """
        key = _hint_key(event.incident_id, event.requested_by)
        await self.context.run(lambda call: call.save(key, call.at.isoformat()))

    def _hint(self, incident: IncidentView, person_id: int, name: str, call: Call) -> None:
        """Post the hint, at most once per ``hint_every`` per person and incident.

        The hint is posted, not announced: it is coaching, not a fact about the
        incident, so it stays off the timeline (and out of the post-mortem).
        """
        key = _hint_key(incident.id, person_id)
        last = call.load(key)
        if last is not None and call.at < datetime.fromisoformat(last) + self.context.config.hint_every:
            return
        call.save(key, call.at.isoformat())
        who = " or ".join(self.context.config.approver_roles)
        lead = f"{name}, that sounds" if name else "Sounds"
        call.post(
            incident.id,
            Message.of(
                f"💡 {lead} like a destructive step — announce it with “",
                Command("action …"),
                f"” so the {who} can confirm.",
            ),
        )


def _holder(incident: IncidentView, role: str) -> int | None:
    person = incident.roles.get(role)
    return person.id if person else None


def _hint_key(incident_id: int, person_id: int) -> str:
    return f"hinted:{incident_id}:{person_id}"


def _who_decides(
    incident: IncidentView, me: int, number: int, roles: tuple[str, ...], own: list[str], until: str
) -> Message | str:
    """The reply to the requester: who can decide, and what to do when nobody can yet.

    ``own`` holds the approver roles the requester has and cannot use on their own request.
    """
    deciders = [
        f"{'you' if person.id == me else person.name} ({role})"
        for role in roles
        if (person := incident.roles.get(role)) and not (person.id == me and own)
    ]
    head = f"You are the {own[0]} and can't approve your own request. " if own else ""
    if deciders:
        who = " or ".join(deciders)
        return f"{head}Confirmation {number}: {who} can decide until {until}. Hold off until it is approved."
    vacant = [role for role in roles if role not in incident.roles]
    ways = [(f"someone takes the {role} role (“", Command(f"role take {role}"), "”)") for role in vacant]
    if own:
        ways.append((f"you hand the {own[0]} role over (“", Command(f"role {own[0]} @name"), "”)"))
    parts: list[str | Command] = [
        f"{head}Confirmation {number} waits until {until}, but nobody can decide it yet: "
        f"the {' or '.join(roles)} decides once "
    ]
    for i, way in enumerate(ways):
        parts.extend((" or ", *way) if i else way)
    return Message.of(*parts, ".")
