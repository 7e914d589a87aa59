"""How a plugin declares itself: the class it subclasses, and the decorators for its hooks and jobs.

Its commands use ``@command`` from the commands layer, the decorator the built-in commands use too.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, Generic, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict
from warroom.core.plugin.context import PluginContext, SettingsT_co

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
class HookInfo:
    events: tuple[type[Any], ...]


@dataclass(frozen=True, slots=True)
class JobInfo:
    every: timedelta | None


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
