"""Errors that become a friendly answer in chat instead of a traceback, and the one for unusable settings.

This module sits at the bottom of the core (the adapter contract re-exports from
it), so both the core and the adapters can raise these without importing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol


class PortableText(Protocol):
    """A portable message (a :class:`warroom.core.adapter.Message`), which reads as plain text too."""

    def plain_text(self) -> str:
        """The message as plain text, for logs and the command line."""
        ...


class WarroomError(Exception):
    """Something the person can fix; ``str()`` is shown to them as is.

    Raised with a portable message instead of a string (when the answer names a command to type,
    ``Invalid(Message.of("Try “", Command("help"), "”."))``), the person is shown that message, so
    each platform writes the command its own way; ``str()`` is then its plain text.
    """

    def __init__(self, text: str | PortableText = "") -> None:
        self.message: PortableText | None = None if isinstance(text, str) else text
        super().__init__(text if isinstance(text, str) else text.plain_text())


class NotFound(WarroomError):
    """What was named does not exist (an incident, a task, a confirmation)."""


class Denied(WarroomError):
    """The person may not do this (not the role holder, not in a private incident)."""


class Invalid(WarroomError):
    """The request cannot be carried out as asked (a malformed value, a state that does not allow it)."""


class ConfigError(Exception):
    """The configuration cannot be used; ``errors`` holds every problem as ``path: message``.

    Raised by the config loader, and by an adapter that learns only once connected that a setting
    cannot work (a token the platform rejects): the command line prints every problem and exits 2.
    """

    def __init__(self, errors: Sequence[str], *, source: Path | None = None) -> None:
        self.errors: list[str] = list(errors)
        self.source = source
        super().__init__("\n".join(self.errors))

    def __str__(self) -> str:
        return "\n".join(self.errors)
