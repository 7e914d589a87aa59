"""Opening an incident's text channel in the configured category, and letting people in later.

A private incident's channel is hidden from @everyone and opened to the
declarer, the members the core names and the bot itself (an @everyone deny
would otherwise lock the bot out of its own channel). Someone invited later
gets the same member overwrite as the declarer; a public channel needs none.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final, Literal

import discord
from warroom.core.adapter import ChannelSpec

log = logging.getLogger(__name__)

NAME_LIMIT = 100
TOPIC_LIMIT = 1024
REASON_LIMIT = 512
MEMBER_OVERWRITE: Final[Literal[1]] = 1  # Discord's overwrite type for a member (0 is a role)
_RESPONDER = discord.PermissionOverwrite(
    view_channel=True, send_messages=True, read_message_history=True, add_reactions=True
)
_BOT = discord.PermissionOverwrite(
    view_channel=True, send_messages=True, read_message_history=True, embed_links=True, add_reactions=True
)


async def admit(client: discord.Client, channel_id: int, user_id: int, reason: str) -> bool:
    """Give ``user_id`` a responder's member overwrite on a private incident channel; False when nothing
    had to change (a public channel, or one they were let into already).

    The overwrite is written by id, so it works for people the bot has not cached (discord.py's
    ``set_permissions`` wants a cached Member); a channel not in the cache is treated as private.
    """
    channel = client.get_channel(channel_id)
    if isinstance(channel, discord.abc.GuildChannel):
        if channel.overwrites_for(channel.guild.default_role).view_channel is not False:
            return False  # everyone may see it already
        if channel.overwrites_for(discord.Object(user_id)).view_channel:
            return False
    allow, deny = _RESPONDER.pair()
    await client.http.edit_channel_permissions(
        channel_id, user_id, str(allow.value), str(deny.value), MEMBER_OVERWRITE, reason=reason[:REASON_LIMIT]
    )
    return True


class ChannelMaker:
    def __init__(self, category: str) -> None:
        self._wanted = category
        self._found: dict[int, discord.CategoryChannel] = {}  # guild id -> its incident category
        self._finding = asyncio.Lock()  # two incidents declared at once must not create two categories

    async def open(self, guild: discord.Guild, spec: ChannelSpec) -> discord.TextChannel:
        overwrites: dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite] = {}
        if spec.private:
            overwrites[guild.default_role] = discord.PermissionOverwrite(view_channel=False)
            overwrites[guild.me] = _BOT
            for user in spec.members:
                if user.platform == "discord" and user.id.isdigit():
                    member = guild.get_member(int(user.id))
                    overwrites[member or discord.Object(int(user.id), type=discord.Member)] = _RESPONDER
        return await guild.create_text_channel(
            spec.name[:NAME_LIMIT],
            category=await self._category(guild),
            overwrites=overwrites,
            topic=spec.topic[:TOPIC_LIMIT],
            reason=f"Warroom: {spec.topic}"[:REASON_LIMIT],
        )

    async def _category(self, guild: discord.Guild) -> discord.CategoryChannel | None:
        async with self._finding:
            return await self._category_in(guild)

    async def _category_in(self, guild: discord.Guild) -> discord.CategoryChannel | None:
        """The configured category by id or name; a missing name is created, a missing id only logged."""
        cached = self._found.get(guild.id)
        if cached is not None and guild.get_channel(cached.id) is not None:
            return cached
        wanted = self._wanted
        found: discord.CategoryChannel | None
        if wanted.isdigit():
            channel = guild.get_channel(int(wanted))
            found = channel if isinstance(channel, discord.CategoryChannel) else None
            if found is None:
                log.warning(
                    "adapters.discord.incident_category: no category with id %s in %s; "
                    "opening incident channels outside any category",
                    wanted,
                    guild.name,
                )
                return None
        else:
            found = next((c for c in guild.categories if c.name.casefold() == wanted.casefold()), None)
            if found is None:
                log.info("creating the category %r for incident channels in %s", wanted, guild.name)
                found = await guild.create_category(wanted[:NAME_LIMIT], reason="Warroom: incident channels")
        self._found[guild.id] = found
        return found
