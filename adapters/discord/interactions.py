"""Which replies answer a slash command, so they go to its follow-up webhook.

A slash command is deferred at once ("Warroom is thinking…", within Discord's
3 s deadline) and the core's replies follow up on it while its token is fresh
(15 minutes). A reply belongs to an interaction when it answers that
interaction (its ``in_reply_to`` is the interaction's event), or when it answers
nothing and is posted in the interaction's channel while that command is still
being handled and nothing has answered it yet: declaring announces the new
channel from a follow-up job of its own.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import discord
from warroom.core.adapter import MessageRef

TOKEN_LIFETIME = timedelta(minutes=15)
SAFETY = timedelta(minutes=1)


@dataclass(slots=True)
class _Open:
    interaction: discord.Interaction
    channel_id: str
    acknowledged: asyncio.Future[None]
    running: bool = True
    answered: bool = False

    def fresh(self) -> bool:
        return discord.utils.utcnow() < self.interaction.created_at + TOKEN_LIFETIME - SAFETY


class Interactions:
    def __init__(self) -> None:
        self._open: dict[str, _Open] = {}  # interaction id -> state
        self._messages: dict[int, str] = {}  # follow-up message id -> interaction id, to edit it later

    def begin(self, interaction: discord.Interaction, acknowledged: asyncio.Future[None]) -> None:
        """Track ``interaction``; ``acknowledged`` is its deferral, which follow-ups must wait for."""
        self._prune()
        channel_id = str(interaction.channel_id or "")
        self._open[str(interaction.id)] = _Open(interaction, channel_id, acknowledged)

    async def acknowledged(self, interaction: discord.Interaction) -> None:
        found = self._open.get(str(interaction.id))
        if found is not None:
            await found.acknowledged

    def end(self, interaction: discord.Interaction) -> bool:
        """The command was handled; True when some reply answered it."""
        found = self._open.get(str(interaction.id))
        if found is None:
            return False
        found.running = False
        return found.answered

    def answering(self, in_reply_to: MessageRef | None, channel_id: str) -> discord.Interaction | None:
        """The interaction a reply to ``in_reply_to`` in ``channel_id`` answers, if any and still fresh."""
        if in_reply_to is not None:  # a message or an interaction: only an interaction is found here
            found = self._open.get(in_reply_to.id)
            usable = found is not None and found.channel_id == channel_id and found.fresh()
            return found.interaction if found is not None and usable else None
        waiting = (
            o for o in self._open.values() if o.running and not o.answered and o.channel_id == channel_id and o.fresh()
        )
        first = next(waiting, None)
        return first.interaction if first else None

    def answered(self, interaction: discord.Interaction, message_id: int) -> None:
        found = self._open.get(str(interaction.id))
        if found is not None:
            found.answered = True
            self._messages[message_id] = str(interaction.id)

    def editing(self, message_id: int) -> discord.Interaction | None:
        """The interaction whose webhook can still edit this follow-up, while its token is fresh."""
        found = self._open.get(self._messages.get(message_id, ""))
        return found.interaction if found is not None and found.fresh() else None

    def _prune(self) -> None:
        stale = {key for key, found in self._open.items() if not found.running and not found.fresh()}
        for key in stale:
            del self._open[key]
        self._messages = {message: key for message, key in self._messages.items() if key not in stale}
