"""What Warroom's commands look like, for adapters that publish native command forms.

A platform with its own command UI (Discord's slash commands with autocompletion)
builds it from this read-only catalogue rather than from the core's command
registry, so an adapter depends on the contract alone and the registry stays free
to change. The host builds a new catalogue whenever the commands change (a plugin
loaded or unloaded); while they do not, it hands out the same object, so an
adapter can keep what it derived from it and compare by identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class OptionKind(Enum):
    """How a parameter's or flag's words are read, so a native form can offer the right input."""

    WORD = "word"
    """One word."""
    TEXT = "text"
    """The verbatim rest of the line (only a command's last parameter)."""
    INT = "int"
    """A whole number."""
    PERSON = "person"
    """Someone, written ``@name``."""
    DURATION = "duration"
    """A span like ``30m`` or ``1h30m``."""
    INCIDENT = "incident"
    """An incident reference like ``INC-12``."""
    WORDS = "words"
    """One or more words (commas also separate them)."""
    BOOL = "bool"
    """Flags only: present or not, no value."""


@dataclass(frozen=True, slots=True)
class CatalogueOption:
    """One parameter or flag of a command."""

    name: str
    """As the core reads it: a parameter's name, or a flag's long name (written ``--name``)."""
    kind: OptionKind
    help: str = ""
    """A short explanation, for a native form's description of the option."""
    required: bool = False
    """Whether the command needs it; flags never are."""
    choices: tuple[str, ...] = ()
    """The only values allowed, when the option has a fixed set."""
    flag: bool = False
    """Written ``--name value`` (``--name`` alone for :attr:`OptionKind.BOOL`) rather than by position."""


@dataclass(frozen=True, slots=True)
class CatalogueCommand:
    """One command as people type it after the prefix."""

    path: tuple[str, ...]
    """Its words: ``("task", "add")``."""
    summary: str
    """One line saying what it does."""
    options: tuple[CatalogueOption, ...] = ()
    """Its parameters in the order they are written, then its flags (``--incident`` included where it applies)."""
    aliases: tuple[tuple[str, ...], ...] = ()
    """Other words that run it."""

    @property
    def name(self) -> str:
        """The path as typed: ``task add``."""
        return " ".join(self.path)


@dataclass(frozen=True, slots=True)
class Term:
    """A value of the configured vocabulary (a role, a status, a kind), with what it means."""

    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class SeverityLevel:
    """A configured severity: ``--severity`` takes its ``level``."""

    level: int
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The commands and the vocabulary their values come from, as configured for this process."""

    commands: tuple[CatalogueCommand, ...] = ()
    """Every command, built-ins first, in the order they were registered."""
    prefixes: tuple[str, ...] = ("/incident",)
    """What starts a typed command (``/incident``, ``!incident``); the first is the preferred one."""
    roles: tuple[Term, ...] = ()
    statuses: tuple[Term, ...] = ()
    """In their lifecycle order, ``resolved`` last."""
    kinds: tuple[Term, ...] = ()
    severities: tuple[SeverityLevel, ...] = ()

    def names(self) -> list[str]:
        """Every way of writing a command (paths and aliases, lower case), for suggestions and completion."""
        return [" ".join(word.lower() for word in words) for c in self.commands for words in (c.path, *c.aliases)]
