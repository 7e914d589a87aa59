"""Typed answers to confirmations: the fallback that works on every platform."""

from __future__ import annotations

from warroom.core.adapter.messages import Mention, Message, Paragraph, Text, Tone
from warroom.core.adapter.refs import ConversationRef
from warroom.core.commands.context import CommandContext, CommandSet
from warroom.core.commands.spec import CommandSpec, Kind, Param
from warroom.core.engine.writer import Transaction
from warroom.core.flows import confirmations
from warroom.core.incident.people import Actor

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
