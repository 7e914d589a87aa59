"""Errors that become a friendly answer in chat instead of a traceback, and the one for unusable settings.

This module sits at the bottom of the core (the adapter contract re-exports from
it), so both the core and the adapters can raise these without importing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class WarroomError(Exception):
    """Something the person can fix; ``str()`` is shown to them as is."""


class NotFound(WarroomError):
    pass


class Denied(WarroomError):
    pass


class Invalid(WarroomError):
    pass


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
