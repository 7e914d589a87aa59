"""How a plugin declares itself: the class it subclasses, and the decorators for its commands, hooks and jobs."""

from __future__ import annotations

import inspect
import keyword
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, Generic, NewType, TypeVar, get_args, get_origin, get_type_hints

from pydantic import BaseModel, ConfigDict
from warroom.core.commands.spec import CommandSpec, Flag, Kind, Param
from warroom.core.plugin.call import PersonArg
from warroom.core.plugin.context import PluginContext, SettingsT_co

TextArg = NewType("TextArg", str)
"""Annotate a command's last parameter with this to receive the verbatim rest of the line."""

F = TypeVar("F", bound=Callable[..., Any])


class NoConfig(BaseModel):
    """The settings of a plugin that has no options (its config section holds only ``enabled``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Plugin(Generic[SettingsT_co]):
    """Subclass this; Warroom makes one instance per process and calls :meth:`setup` once.

    The type parameter is the pydantic model for the plugin's section of the
    config file (``plugins.<name>``), validated with everything else before the
    plugin loads: ``class Reminders(Plugin[RemindersSettings])`` gets a
    ``self.context.config`` that is a ``RemindersSettings``, for the type checker
    too. A plugin without options subclasses plain ``Plugin`` (settings
    :class:`NoConfig`). ``Config`` is the model Warroom validates with, taken
    from the type parameter; a plain ``Plugin`` subclass that sets ``Config``
    itself, as plugins written before the parameter did, keeps working, with a
    ``context.config`` typed as a plain ``BaseModel``.
    """

    Config: ClassVar[type[BaseModel]] = NoConfig

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        model = _settings_parameter(cls)
        if model is None:
            return  # plain Plugin, or still generic: Config as the class sets or inherits it
        given = cls.__dict__.get("Config", model)
        if given is not model:
            raise TypeError(
                f"{cls.__qualname__} names its settings twice (Plugin[{model.__name__}] and "
                f"Config = {getattr(given, '__name__', given)}); the type parameter is enough"
            )
        cls.Config = model

    def __init__(self, context: PluginContext[SettingsT_co]) -> None:
        self.context = context

    async def setup(self) -> None:
        """Prepare; raising here leaves the plugin out (reported) while the rest of Warroom runs."""

    async def teardown(self) -> None:
        """Release what :meth:`setup` took; the plugin's jobs are removed for it."""


def _settings_parameter(cls: type[Plugin[Any]]) -> type[BaseModel] | None:
    """The model in ``class X(Plugin[Model])`` (or in a generic plugin base's ``Base[Model]``), if given."""
    for base in cls.__dict__.get("__orig_bases__", ()):
        origin = get_origin(base)
        if not (isinstance(origin, type) and issubclass(origin, Plugin)):
            continue
        (model,) = get_args(base)
        if isinstance(model, TypeVar):
            return None
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError(f"{cls.__qualname__}: Plugin[...] takes a pydantic model for its settings, not {model!r}")
        return model
    return None


@dataclass(frozen=True, slots=True)
class CommandInfo:
    path: tuple[str, ...]
    examples: tuple[str, ...]
    help: Mapping[str, str]
    short: Mapping[str, str]
    aliases: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class HookInfo:
    events: tuple[type[Any], ...]


@dataclass(frozen=True, slots=True)
class JobInfo:
    every: timedelta | None


def command(
    *path: str,
    examples: Sequence[str] = (),
    help: Mapping[str, str] | None = None,
    short: Mapping[str, str] | None = None,
    aliases: Sequence[Sequence[str]] = (),
) -> Callable[[F], F]:
    """Make a method a command: ``def action(self, call: Call, what: TextArg, *, force: bool = False)``.

    Positional parameters become arguments, keyword-only ones ``--flags``; their
    annotation picks how they are read (``str`` one word, :data:`TextArg` the rest
    of the line, ``int``, ``timedelta`` like ``30m``, :class:`PersonArg` a mention,
    ``bool`` a switch). ``help`` describes parameters; the docstring describes the command.
    """
    if not path:
        raise ValueError("a command needs at least one word")

    def mark(method: F) -> F:
        method.__warroom_command__ = CommandInfo(  # type: ignore[attr-defined]
            tuple(path), tuple(examples), dict(help or {}), dict(short or {}), tuple(tuple(a) for a in aliases)
        )
        return method

    return mark


def hook(*events: type[Any]) -> Callable[[F], F]:
    """Call this async method with each committed event of these types (domain events)."""
    if not events:
        raise ValueError("a hook needs at least one event type")

    def mark(method: F) -> F:
        if not inspect.iscoroutinefunction(method):
            raise TypeError(f"hook {method.__qualname__} must be async")
        method.__warroom_hook__ = HookInfo(tuple(events))  # type: ignore[attr-defined]
        return method

    return mark


def job(*, every: timedelta | None = None) -> Callable[[F], F]:
    """Make an async method a scheduled job target.

    With ``every``, it runs on that interval from load on (job id ``<plugin>.<method>``);
    without, it runs when the plugin schedules it with ``context.schedule_at``.
    """

    def mark(method: F) -> F:
        if not inspect.iscoroutinefunction(method):
            raise TypeError(f"job {method.__qualname__} must be async")
        method.__warroom_job__ = JobInfo(every)  # type: ignore[attr-defined]
        return method

    return mark


_KINDS: dict[Any, Kind] = {
    str: Kind.WORD,
    TextArg: Kind.TEXT,
    int: Kind.INT,
    timedelta: Kind.DURATION,
    PersonArg: Kind.PERSON,
    bool: Kind.BOOL,
}


def command_spec(method: Callable[..., Any], info: CommandInfo) -> CommandSpec:
    """Build the command's definition from its signature, so parsing, help and handler never disagree."""
    hints = get_type_hints(method)
    doc = inspect.getdoc(method) or ""
    summary, _, details = doc.partition("\n")
    params: list[Param] = []
    flags: list[Flag] = []
    for name, parameter in list(inspect.signature(method).parameters.items())[2:]:  # self, call
        kind = _kind_of(hints.get(name), method, name)
        text = info.help.get(name, "")
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            flags.append(Flag(flag_name(name), kind, text, short=info.short.get(name, "")))
        elif kind is Kind.BOOL:
            raise TypeError(f"{method.__qualname__}: a bool parameter must be keyword-only (a --{name} switch)")
        else:
            params.append(Param(name, kind, text, required=parameter.default is inspect.Parameter.empty))
    if not summary:
        raise TypeError(f"command {method.__qualname__} needs a docstring: its first line is the help summary")
    return CommandSpec(
        info.path, summary.strip(), tuple(params), tuple(flags), info.examples, info.aliases, details=details.strip()
    )


def flag_name(parameter: str) -> str:
    """``in_`` is written ``--in``: a keyword-only parameter can't be named after a Python keyword."""
    stem = parameter.removesuffix("_")
    return stem if stem != parameter and keyword.iskeyword(stem) else parameter


def parameter_name(flag: str) -> str:
    """The handler's parameter for a flag: the reverse of :func:`flag_name`."""
    return flag + "_" if keyword.iskeyword(flag) else flag


def _kind_of(annotation: Any, method: Callable[..., Any], name: str) -> Kind:
    optional = [a for a in getattr(annotation, "__args__", ()) if a is not type(None)]
    if annotation not in _KINDS and len(optional) == 1:
        annotation = optional[0]
    if annotation not in _KINDS:
        raise TypeError(
            f"{method.__qualname__}: parameter {name!r} needs one of the supported annotations "
            f"(str, TextArg, int, timedelta, PersonArg, bool)"
        )
    return _KINDS[annotation]
