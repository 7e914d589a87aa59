"""The Discord adapter (discord.py 2.7): slash commands, embeds and buttons, incident channels."""

from warroom.adapters.discord.adapter import DiscordAdapter
from warroom.adapters.discord.settings import DiscordSettings

__all__ = ["DiscordAdapter", "DiscordSettings"]
