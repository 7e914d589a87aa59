"""How a command is declared: a typed method, for built-ins and plugins alike.

The method's signature is the one source of its command: its parameters are the
arguments and flags, their annotations say how each is read, its docstring is the
help. Parsing, help and the handler's arguments therefore cannot disagree, and a
built-in command reads exactly like a team's plugin command.
"""

from __future__ import annotations

import inspect
import keyword
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, NewType, TypeVar, Union, get_args, get_origin, get_type_hints

from warroom.core.commands.spec import CommandSpec, Flag, Kind, Param

TextArg = NewType("TextArg", str)
"""Annotate a command's last parameter with this to receive the verbatim rest of the line."""

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class PersonArg:
    """A person named in a command with a mention."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class CommandInfo:
    """What ``@command`` was given; the rest of the command comes from the method's signature."""

    path: tuple[str, ...]
    examples: tuple[str, ...]
    help: Mapping[str, str]
    short: Mapping[str, str]
    aliases: tuple[tuple[str, ...], ...]
    incident_scoped: bool = True


def command(
    *path: str,
    examples: Sequence[str] = (),
    help: Mapping[str, str] | None = None,
    short: Mapping[str, str] | None = None,
    aliases: Sequence[Sequence[str]] = (),
    incident_scoped: bool = True,
) -> Callable[[F], F]:
    """Make a method a command: ``def action(self, call: Call, what: TextArg, *, force: bool = False)``.

    The parameter after ``self`` is what the command runs with (a plugin's ``Call``,
    a built-in's ``CommandContext``). Positional parameters after it become
    arguments, keyword-only ones ``--flags``; a default makes an argument optional.
    Their annotation picks how they are read: ``str`` one word, :data:`TextArg` the
    rest of the line, ``int``, ``timedelta`` like ``30m``, :class:`PersonArg` a
    mention, ``bool`` a switch, ``tuple[str, ...]`` one or more words, and a
    ``Literal`` of strings one word out of those; ``X | None`` is ``X`` when given.
    ``help`` describes parameters and ``short`` gives flags a one-letter name; the
    docstring's first line is the summary and the rest the details. A command
    that is not about one incident says ``incident_scoped=False``, so it takes no
    ``--incident``.
    """
    if not path:
        raise ValueError("a command needs at least one word")
    info = CommandInfo(
        tuple(path),
        tuple(examples),
        dict(help or {}),
        dict(short or {}),
        tuple(tuple(alias) for alias in aliases),
        incident_scoped,
    )

    def mark(method: F) -> F:
        method.__warroom_command__ = info  # type: ignore[attr-defined]
        return method

    return mark


def command_info(function: Callable[..., Any]) -> CommandInfo | None:
    """What ``@command`` recorded on ``function`` (or its bound method); None when it is no command."""
    info = getattr(function, "__warroom_command__", None)
    return info if isinstance(info, CommandInfo) else None


def command_spec(method: Callable[..., Any], info: CommandInfo) -> CommandSpec:
    """Build the command's definition from its signature, so parsing, help and handler never disagree."""
    hints = get_type_hints(method)
    doc = inspect.getdoc(method) or ""
    summary, _, details = doc.partition("\n")
    params: list[Param] = []
    flags: list[Flag] = []
    for name, parameter in list(inspect.signature(method).parameters.items())[2:]:  # self, and what it runs with
        kind, choices = _reading(hints.get(name), method, name)
        text = info.help.get(name, "")
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            flags.append(Flag(flag_name(name), kind, text, short=info.short.get(name, ""), choices=choices))
        elif kind is Kind.BOOL:
            raise TypeError(f"{method.__qualname__}: a bool parameter must be keyword-only (a --{name} switch)")
        else:
            required = parameter.default is inspect.Parameter.empty
            params.append(Param(name, kind, text, required=required, choices=choices))
    if not summary:
        raise TypeError(f"command {method.__qualname__} needs a docstring: its first line is the help summary")
    return CommandSpec(
        info.path,
        summary.strip(),
        tuple(params),
        tuple(flags),
        info.examples,
        info.aliases,
        incident_scoped=info.incident_scoped,
        details=details.strip(),
    )


def flag_name(parameter: str) -> str:
    """``in_`` is written ``--in``: a keyword-only parameter can't be named after a Python keyword."""
    stem = parameter.removesuffix("_")
    return stem if stem != parameter and keyword.iskeyword(stem) else parameter


def parameter_name(flag: str) -> str:
    """The handler's parameter for a flag: the reverse of :func:`flag_name`."""
    return flag + "_" if keyword.iskeyword(flag) else flag


_KINDS: dict[Any, Kind] = {
    str: Kind.WORD,
    TextArg: Kind.TEXT,
    int: Kind.INT,
    timedelta: Kind.DURATION,
    PersonArg: Kind.PERSON,
    bool: Kind.BOOL,
}
_SUPPORTED = "str, TextArg, int, timedelta, PersonArg, bool, tuple[str, ...], a Literal of strings; or X | None"


def _reading(annotation: Any, method: Callable[..., Any], name: str) -> tuple[Kind, tuple[str, ...]]:
    """How a parameter is read, and the words it is limited to (none: any word)."""
    if get_origin(annotation) in (Union, types.UnionType):
        given = [a for a in get_args(annotation) if a is not type(None)]
        annotation = given[0] if len(given) == 1 else annotation  # X | None: optional by its default
    reading = _one(annotation)
    elements = get_args(annotation) if get_origin(annotation) is tuple else ()
    if reading is None and len(elements) == 2 and elements[1] is Ellipsis:  # tuple[str, ...]
        word = _one(elements[0])
        reading = (Kind.WORDS, word[1]) if word is not None and word[0] is Kind.WORD else None
    if reading is None:
        raise TypeError(
            f"{method.__qualname__}: parameter {name!r} needs one of the supported annotations ({_SUPPORTED})"
        )
    return reading


def _one(annotation: Any) -> tuple[Kind, tuple[str, ...]] | None:
    if get_origin(annotation) is Literal:
        choices = get_args(annotation)
        return (Kind.WORD, choices) if choices and all(isinstance(c, str) for c in choices) else None
    kind = _KINDS.get(annotation)
    return None if kind is None else (kind, ())
