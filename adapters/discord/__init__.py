"""The Discord adapter (discord.py 2.7): slash commands, embeds and buttons, incident channels."""

from .adapter import DiscordAdapter
from .settings import DiscordSettings

__all__ = ["DiscordAdapter", "DiscordSettings"]
