"""The Discord :class:`~contract.driver.PlatformDriver` (implemented in ``discord_driver``, a name no other
platform's test directory can shadow: ``tests/discord`` itself cannot be imported as a package, since
``discord`` is discord.py)."""

from discord_driver import DiscordDriver

__all__ = ["DiscordDriver"]
