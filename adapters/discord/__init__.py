"""The Discord adapter (discord.py 2.7): slash commands, embeds and buttons, incident channels."""

from typing import TYPE_CHECKING

from warroom.adapters.discord.adapter import DiscordAdapter
from warroom.adapters.discord.settings import DiscordSettings

__all__ = ["DiscordAdapter", "DiscordSettings"]

if TYPE_CHECKING:
    from warroom.core.adapter import AdapterFactory

    _factory: AdapterFactory = DiscordAdapter  # mypy checks that it fulfils the adapter contract
