"""Typed answers to confirmations: the fallback that works on every platform."""

from __future__ import annotations

from warroom.core.adapter.messages import Mention, Message, Paragraph, Text, Tone
from warroom.core.adapter.refs import ConversationRef
from warroom.core.commands.context import CommandContext
from warroom.core.commands.declare import TextArg, command
from warroom.core.engine.transaction import Transaction
from warroom.core.flows import confirmations
from warroom.core.incident.people import Actor


class DecisionCommands:
    @command(
        "approve",
        examples=["/incident approve 3"],
        help={"confirmation": "its number, from the request"},
        incident_scoped=False,
    )
    def approve(self, ctx: CommandContext, confirmation: int) -> None:
        """Approve a pending confirmation (an announced destructive action)."""
        answer(ctx.tx, ctx.actor, confirmation, True, "", ctx.event.conversation)

    @command(
        "reject",
        examples=["/incident reject 3 not while the failover is running"],
        help={"confirmation": "its number, from the request", "reason": "why not"},
        incident_scoped=False,
    )
    def reject(self, ctx: CommandContext, confirmation: int, reason: TextArg | None = None) -> None:
        """Reject a pending confirmation, optionally saying why."""
        answer(ctx.tx, ctx.actor, confirmation, False, reason or "", ctx.event.conversation)


def answer(
    tx: Transaction, actor: Actor, confirmation_id: int, approve: bool, reason: str, where: ConversationRef
) -> None:
    """Decide, and tell how it went where it was decided and in the incident's channels, mentioning the requester.

    Each place hears it once: a decision made in the incident channel is answered
    there only; one made elsewhere is answered there and in the incident's channels,
    where the requester is waiting for it.
    """
    decided = confirmations.decide(tx, actor, confirmation_id, approve, reason)
    verb = "✅ Approved" if decided.state == "approved" else "❌ Rejected"
    tone = Tone.SUCCESS if decided.state == "approved" else Tone.WARNING
    for place in confirmations.places(tx, decided.incident_id, where):
        ping = confirmations.requester_ping(tx, decided, place.platform)
        parts: list[Text | Mention] = [Text(f"{verb} by {actor.name}: "), Text(decided.action, bold=True)]
        if reason:
            parts.append(Text(f" — {reason}"))
        if ping:
            parts.extend([Text(" — "), Mention(ping[0])])
            parts.append(Text(", go ahead." if decided.state == "approved" else ", hold off."))
        tx.reply(place, Message(blocks=(Paragraph(tuple(parts)),), tone=tone, pings=ping))
