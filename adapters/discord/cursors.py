"""Where each incident channel was last read, so messages sent while the bot was down are caught up.

discord.py cannot resume a gateway session across a process restart, so at
every (re)connection the adapter reads each incident channel's history after
the last message it handled. The cursors are written every few messages and
at shutdown, not per message: re-reading a few messages is harmless because
the core recognises their ids.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord
from warroom.core.adapter import AdapterState

log = logging.getLogger(__name__)

STATE_KEY = "cursors"
SAVE_EVERY = 25
BACKFILL_LIMIT = 1000  # per channel and connection; older gaps are beyond a bot's catching up


class Cursors:
    """Incident channel id -> id of the newest message handled there (the channel's own id: none yet)."""

    def __init__(self, state: AdapterState) -> None:
        self._state = state
        stored = state.get(STATE_KEY) or {}
        self._last: dict[int, int] = {int(channel): int(message) for channel, message in stored.items()}
        self._filling: dict[int, int] = {}  # channel being backfilled -> newest live message meanwhile
        self._unsaved = 0

    @property
    def dirty(self) -> bool:
        return self._unsaved > 0

    def channels(self) -> list[int]:
        return list(self._last)

    def tracks(self, channel_id: int) -> bool:
        return channel_id in self._last

    async def track(self, channel_id: int) -> None:
        """Start following a new incident channel; saved at once, as it is what backfill reads."""
        self._last.setdefault(channel_id, channel_id)
        await self.save()

    async def handled(self, channel_id: int, message_id: int) -> None:
        if channel_id in self._filling:  # wait for the backfill, or a crash now would skip its unread part
            self._filling[channel_id] = max(self._filling[channel_id], message_id)
            return
        self._advance(channel_id, message_id)
        if self._unsaved >= SAVE_EVERY:
            await self.save()

    async def save(self) -> None:
        self._unsaved = 0
        await self._state.set(STATE_KEY, {str(channel): message for channel, message in self._last.items()})

    async def backfill(self, client: discord.Client, handle: Callable[[discord.Message], Awaitable[None]]) -> int:
        """Hand every message newer than each channel's cursor to ``handle``, oldest first."""
        count = 0
        for channel_id in self.channels():
            channel = client.get_channel(channel_id)
            if not isinstance(channel, discord.TextChannel):
                continue  # deleted, or not visible to the bot any more
            self._filling[channel_id] = 0
            try:
                after = discord.Object(self._last[channel_id])
                async for message in channel.history(limit=BACKFILL_LIMIT, after=after, oldest_first=True):
                    await handle(message)
                    self._advance(channel_id, message.id)
                    count += 1
            except discord.HTTPException as error:
                log.warning("could not read the history of #%s to catch up: %s", channel.name, error)
            finally:
                self._advance(channel_id, self._filling.pop(channel_id))
        if count:
            await self.save()
        return count

    def _advance(self, channel_id: int, message_id: int) -> None:
        if channel_id in self._last and message_id > self._last[channel_id]:
            self._last[channel_id] = message_id
            self._unsaved += 1
