"""Confirmations: a destructive action waits for an allowed approver before anyone runs it.

The core keeps the durable record (what, who asked, who may decide, until
when, single use) and asks with the best means the platform has: buttons,
else reactions, else a typed ``approve <id>``. Plugins decide when to ask.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from warroom.core.adapter.messages import Button, Command, Mention, Message, Paragraph, Text, Tone
from warroom.core.adapter.refs import ConversationRef, MessageRef, UserRef
from warroom.core.engine.transaction import Transaction
from warroom.core.errors import Denied, Invalid, NotFound
from warroom.core.incident.events import ConfirmationDecided, ConfirmationRequested
from warroom.core.incident.people import Actor
from warroom.core.incident.state import IncidentState
from warroom.core.storage import queries
from warroom.core.storage.tables import CONFIRMATIONS, POSTED

APPROVE, REJECT = "✅", "❌"
PENDING = "pending"
_COLUMNS = [c for c in CONFIRMATIONS.c]
_BY_ID = select(*_COLUMNS).where(CONFIRMATIONS.c.id == bindparam("id"))
_MARKS = {"approved": "✅", "rejected": "❌", "expired": "⌛"}
_PROMPTS = select(POSTED.c.platform, POSTED.c.conversation_id, POSTED.c.message_id).where(
    POSTED.c.key == bindparam("key")
)
_BY_MESSAGE = select(POSTED.c.key).where(
    POSTED.c.platform == bindparam("platform"),
    POSTED.c.conversation_id == bindparam("conversation"),
    POSTED.c.message_id == bindparam("message"),
)


@dataclass(frozen=True, slots=True)
class ConfirmationView:
    id: int
    incident_id: int
    action: str
    requested_by: int
    requested_at: datetime
    approver_roles: tuple[str, ...]
    allow_self: bool
    expires_at: datetime
    state: str
    decided_by: int | None
    decided_at: datetime | None
    reason: str
    plugin: str


def get(tx: Transaction, confirmation_id: int) -> ConfirmationView:
    rows = tx.service.db.select(_BY_ID, {"id": confirmation_id})
    if not rows:
        raise NotFound(f"There is no confirmation {confirmation_id}.")
    values = dict(zip((c.name for c in _COLUMNS), rows[0], strict=True))
    values["approver_roles"] = tuple(json.loads(values["approver_roles"]))
    return ConfirmationView(**values)


def request(
    tx: Transaction,
    incident: IncidentState,
    requester: Actor,
    action: str,
    *,
    where: ConversationRef,
    approver_roles: tuple[str, ...],
    expires_in: timedelta,
    allow_self: bool,
    plugin: str,
) -> int:
    """Record a pending confirmation, put it on the timeline and ask for a decision (see :func:`places`)."""
    roles = tx.service.config.role_descriptions()
    unknown = [role for role in approver_roles if role not in roles]
    if unknown or not approver_roles:
        raise Invalid(f"Approver roles must be some of: {', '.join(roles)}.")
    service = tx.service
    expires_at = tx.at + expires_in
    confirmation_id = service.db.insert(
        CONFIRMATIONS,
        {
            "incident_id": incident.id,
            "action": action,
            "requested_by": requester.person_id,
            "requested_at": tx.at,
            "approver_roles": json.dumps(list(approver_roles)),
            "allow_self": allow_self,
            "expires_at": expires_at,
            "state": PENDING,
            "reason": "",
            "plugin": plugin,
        },
    )
    data = {
        "confirmation": confirmation_id,
        "state": "requested",
        "action": action,
        "approvers": list(approver_roles),
        "expires_at": expires_at.isoformat(),
    }
    service.record(incident, "confirmation", requester, f"Asked to: {action}", tx.at, data, key=True)
    service.events.append(
        ConfirmationRequested(
            incident.id, incident.reference, tx.at, confirmation_id, action, requester.person_id, plugin, expires_at
        )
    )
    for place in places(tx, incident.id, where):
        tx.reply(
            place,
            _prompt(tx, incident, confirmation_id, requester, action, approver_roles, expires_at, place),
            remember=f"confirmation:{confirmation_id}",
        )
    return confirmation_id


def places(tx: Transaction, incident_id: int, where: ConversationRef | None = None) -> list[ConversationRef]:
    """Where a confirmation is asked and answered: ``where`` and every channel of the incident, once each.

    The approvers work in the incident's channels, so a request or decision made
    elsewhere (``--incident`` from another room, a DM) must still be seen there.
    """
    found = [where] if where is not None else []
    found.extend(channel for channel in queries.channels(tx.service.db, incident_id) if channel != where)
    return found


def requester_ping(tx: Transaction, confirmation: ConfirmationView, platform: str) -> tuple[UserRef, ...]:
    """The requester's identity on ``platform`` (empty when they have none there), to mention them."""
    return tuple(ref for ref in tx.service.people.refs(confirmation.requested_by) if ref.platform == platform)[:1]


def _prompt(
    tx: Transaction,
    incident: IncidentState,
    confirmation_id: int,
    requester: Actor,
    action: str,
    approver_roles: tuple[str, ...],
    expires_at: datetime,
    where: ConversationRef,
) -> Message:
    holders = [
        f"{role} ({tx.service.people.name(incident.roles[role])})"
        if role in incident.roles
        else f"{role} (vacant — someone take it first)"
        for role in approver_roles
    ]
    head = Paragraph((Text(f"⚠️ {requester.name} wants to: "), Text(action, bold=True)))
    who = Paragraph((Text(f"Decision by {' or '.join(holders)}, before {expires_at:%H:%M} UTC."),))
    capabilities = tx.capabilities(where.platform)
    approve, reject = Command(f"approve {confirmation_id}"), Command(f"reject {confirmation_id}")
    if capabilities.buttons:
        how = Paragraph.of("Use the buttons, or type “", approve, "” / “", reject, "”.")
        buttons = (
            Button(f"confirm:{confirmation_id}:approve", "Approve"),
            Button(f"confirm:{confirmation_id}:reject", "Reject", danger=True),
        )
        return Message(blocks=(head, who, how), buttons=buttons, tone=Tone.WARNING)
    if capabilities.reactions:
        how = Paragraph.of(f"React {APPROVE} to approve or {REJECT} to reject, or type “", approve, "”.")
    else:
        how = Paragraph.of("Type “", approve, "” or “", Command(f"reject {confirmation_id} <reason>"), "”.")
    return Message(blocks=(head, who, how), tone=Tone.WARNING)


def decide(tx: Transaction, actor: Actor, confirmation_id: int, approve: bool, reason: str = "") -> ConfirmationView:
    """Apply an approver's answer; only a pending, unexpired confirmation and an allowed approver count."""
    found = get(tx, confirmation_id)
    incident = tx.service.visible(actor, found.incident_id)
    if found.state != PENDING:
        raise Invalid(f"Confirmation {confirmation_id} was already {found.state}.")
    if tx.at >= found.expires_at:  # the expiry job closes it; refusing is all that is left to do here
        raise Invalid(f"Confirmation {confirmation_id} expired at {found.expires_at:%H:%M} UTC; ask again.")
    holders = {incident.roles[role] for role in found.approver_roles if role in incident.roles}
    if actor.person_id == found.requested_by and not found.allow_self and not actor.admin:
        raise Denied(f"You can't approve or reject your own request; ask the {' or '.join(found.approver_roles)}.")
    if actor.person_id not in holders and not actor.admin:
        who = " or ".join(found.approver_roles)
        only = f"Only the {who} can decide confirmation {confirmation_id}."
        if holders:
            raise Denied(only)
        take = Command(f"role take {found.approver_roles[0]}")
        raise Denied(Message.of(only, f" Nobody is {who} yet: “", take, "”."))
    state = "approved" if approve else "rejected"
    return _close(tx, incident, found, state, actor, reason)


def expire(tx: Transaction, confirmation_id: int) -> ConfirmationView | None:
    """Close a confirmation nobody decided in time; None when it was already closed."""
    found = get(tx, confirmation_id)
    if found.state != PENDING:
        return None
    return _close(tx, tx.service.get(found.incident_id), found, "expired", None, "")


def _close(
    tx: Transaction, incident: IncidentState, found: ConfirmationView, state: str, actor: Actor | None, reason: str
) -> ConfirmationView:
    service = tx.service
    service.db.update(
        CONFIRMATIONS,
        {"id": found.id},
        {
            "state": state,
            "decided_by": actor.person_id if actor else None,
            "decided_at": tx.at,
            "reason": reason,
        },
    )
    verb = {"approved": "Approved", "rejected": "Rejected", "expired": "Expired, nobody decided"}[state]
    text = f"{verb}: {found.action}" + (f" — {reason}" if reason else "")
    data = {
        "confirmation": found.id,
        "state": state,
        "action": found.action,
        "reason": reason,
        "decided_by": actor.person_id if actor else None,
    }
    service.record(incident, "confirmation", actor, text, tx.at, data, key=True)
    decided = Message.plain(
        f"{_MARKS[state]} {text}" + (f" (by {actor.name})" if actor else ""),
        tone=Tone.SUCCESS if state == "approved" else Tone.WARNING,
    )
    for platform, conversation, message_id in service.db.select(_PROMPTS, {"key": f"confirmation:{found.id}"}):
        tx.edit(MessageRef(ConversationRef(platform, conversation), message_id), decided)  # buttons go away
    service.events.append(
        ConfirmationDecided(
            incident.id,
            incident.reference,
            tx.at,
            found.id,
            found.action,
            found.requested_by,
            state,
            actor.person_id if actor else None,
            found.plugin,
        )
    )
    return get(tx, found.id)


def expire_and_tell(tx: Transaction, confirmation_id: int) -> None:
    """The expiry job: close the confirmation if still pending and say so where the incident is worked."""
    closed = expire(tx, confirmation_id)
    if closed is None:
        return
    text = f"⌛ Confirmation {closed.id} expired: nobody decided on “{closed.action}”. "
    for place in places(tx, closed.incident_id):
        ping = requester_ping(tx, closed, place.platform)
        again: tuple[Text | Mention, ...] = (Text("Ask again if it is still needed."),)
        if ping:
            again = (Mention(ping[0]), Text(", ask again if it is still needed."))
        tx.reply(place, Message(blocks=(Paragraph((Text(text), *again)),), tone=Tone.WARNING, pings=ping))


def for_message(tx: Transaction, message: MessageRef) -> int | None:
    """The confirmation a posted prompt belongs to, for reactions on it."""
    rows = tx.service.db.select(
        _BY_MESSAGE,
        {"platform": message.conversation.platform, "conversation": message.conversation.id, "message": message.id},
    )
    if rows and str(rows[0][0]).startswith("confirmation:"):
        return int(str(rows[0][0]).removeprefix("confirmation:"))
    return None


def parse_button(action: str) -> tuple[int, bool] | None:
    """``confirm:<id>:approve|reject`` from a button, or None for other buttons."""
    parts = action.split(":")
    if len(parts) == 3 and parts[0] == "confirm" and parts[1].isdigit() and parts[2] in ("approve", "reject"):
        return int(parts[1]), parts[2] == "approve"
    return None
