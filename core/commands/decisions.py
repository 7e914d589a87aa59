"""Typed answers to confirmations: the fallback that works on every platform."""

from __future__ import annotations

from .. import confirmations
from ..engine import Transaction
from ..messages import Mention, Message, Paragraph, Text, Tone
from ..people import Actor
from ..refs import ConversationRef
from .context import CommandContext, CommandSet
from .spec import CommandSpec, Kind, Param

commands = CommandSet()


@commands.command(
    CommandSpec(
        ("approve",),
        "Approve a pending confirmation (an announced destructive action).",
        params=(Param("confirmation", Kind.INT, "its number, from the request"),),
        examples=("/incident approve 3",),
        incident_scoped=False,
    )
)
def approve(ctx: CommandContext) -> None:
    answer(ctx.tx, ctx.actor, int(str(ctx.args["confirmation"])), True, "", ctx.event.conversation)


@commands.command(
    CommandSpec(
        ("reject",),
        "Reject a pending confirmation, optionally saying why.",
        params=(
            Param("confirmation", Kind.INT, "its number, from the request"),
            Param("reason", Kind.TEXT, "why not", required=False),
        ),
        examples=("/incident reject 3 not while the failover is running",),
        incident_scoped=False,
    )
)
def reject(ctx: CommandContext) -> None:
    answer(ctx.tx, ctx.actor, int(str(ctx.args["confirmation"])), False, ctx.text("reason"), ctx.event.conversation)


def answer(
    tx: Transaction, actor: Actor, confirmation_id: int, approve: bool, reason: str, where: ConversationRef
) -> None:
    """Decide, and tell the channel and the requester how it went."""
    decided = confirmations.decide(tx, actor, confirmation_id, approve, reason)
    requester = tx.service.people.refs(decided.requested_by)
    ping = tuple(ref for ref in requester if ref.platform == where.platform)
    verb = "✅ Approved" if decided.state == "approved" else "❌ Rejected"
    parts: list[Text | Mention] = [Text(f"{verb} by {actor.name}: "), Text(decided.action, bold=True)]
    if reason:
        parts.append(Text(f" — {reason}"))
    if ping:
        parts.extend([Text(" — "), Mention(ping[0])])
        parts.append(Text(", go ahead." if decided.state == "approved" else ", hold off."))
    tone = Tone.SUCCESS if decided.state == "approved" else Tone.WARNING
    tx.reply(where, Message(blocks=(Paragraph(tuple(parts)),), tone=tone, pings=ping))
