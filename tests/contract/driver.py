"""What the shared adapter contract tests need from each platform's test peer.

Each platform's tests provide a driver: it runs that platform's real client
library against a local peer (the console needs none), and acts as the people
in the chat. The contract tests then run the same incident on every platform.
"""

from __future__ import annotations

from typing import Protocol

from warroom.core.app import Warroom


class PlatformDriver(Protocol):
    platform: str

    async def start(self, app: Warroom) -> None:
        """Add this platform's adapter to ``app``, connected to the peer, and start the app and the adapter."""

    async def post(self, user: str, text: str, *, channel: str | None = None) -> None:
        """``user`` posts ``text`` in ``channel`` (None: the general channel where incidents are declared);
        commands are typed in the platform's own form (``/incident …`` as a slash command on Discord,
        ``!incident …`` on Matrix, ``@Warroom incident …`` on Teams)."""

    async def settle(self) -> None:
        """Wait until the bot has handled everything posted so far and its replies have reached the peer."""

    def channel_of(self, reference: str) -> str:
        """The channel the bot opened for an incident (``INC-1``), as ``post`` takes it."""
        ...

    def bot_texts(self, channel: str | None = None) -> list[str]:
        """The plain text of every message the bot posted in ``channel``, in order."""
        ...

    async def approve_last_confirmation(self, user: str, channel: str) -> None:
        """``user`` approves the newest confirmation prompt in ``channel`` with the platform's best means
        (a Discord button, a Teams card action, a Matrix ✅ reaction)."""

    async def stop(self) -> None:
        """Stop the adapter and the peer."""
