"""Declarative command definitions: one source for parsing, help and usage errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Kind(Enum):
    """How a parameter's words are read and converted."""

    WORD = "word"  # one word -> str
    TEXT = "text"  # the verbatim rest of the line -> str
    INT = "int"  # -> int
    PERSON = "person"  # "@name" -> PersonToken
    DURATION = "duration"  # "30m", "1h30m", "90s" -> timedelta
    INCIDENT = "incident"  # "INC-12" -> int 12
    WORDS = "words"  # one or more words (commas also split) -> tuple[str, ...]
    BOOL = "bool"  # flags only: present -> True


@dataclass(frozen=True, slots=True)
class PersonToken:
    """A mention as typed (without the ``@``); the writer resolves it to a person."""

    name: str


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: Kind
    help: str = ""
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Flag:
    name: str  # written as --name
    kind: Kind
    help: str = ""
    short: str = ""  # written as -s
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command: ``path`` is its words (``("task", "add")``), examples are full command lines."""

    path: tuple[str, ...]
    summary: str
    params: tuple[Param, ...] = ()
    flags: tuple[Flag, ...] = ()
    examples: tuple[str, ...] = ()
    aliases: tuple[tuple[str, ...], ...] = ()
    incident_scoped: bool = True
    details: str = ""

    @property
    def name(self) -> str:
        return " ".join(self.path)


INCIDENT_FLAG = Flag("incident", Kind.INCIDENT, "act on this incident instead of the channel's own", short="i")


def flags_of(spec: CommandSpec) -> tuple[Flag, ...]:
    """The flags a command takes: its own, and ``--incident`` when it is about an incident."""
    return (*spec.flags, INCIDENT_FLAG) if spec.incident_scoped else spec.flags


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    spec: CommandSpec
    args: dict[str, object] = field(default_factory=dict)
    incident: int | None = None  # from --incident INC-n, when given


class UsageError(ValueError):
    """A command line that does not fit; ``spec`` is set when the command itself was recognised."""

    def __init__(self, message: str, spec: CommandSpec | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.spec = spec
