"""How a plugin declares itself: the class it subclasses, and the decorators for its hooks and jobs.

Its commands use ``@command`` from the commands layer, the decorator the built-in commands use too.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict
from warroom.core.plugin.context import PluginContext

F = TypeVar("F", bound=Callable[..., Any])


class NoConfig(BaseModel):
    """The config of a plugin that has no options (only ``enabled``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Plugin:
    """Subclass this; Warroom makes one instance per process and calls :meth:`setup` once.

    ``Config`` is a pydantic model for the plugin's section of the config file
    (``plugins.<name>``), validated with everything else before the plugin loads.
    """

    Config: ClassVar[type[BaseModel]] = NoConfig

    def __init__(self, context: PluginContext) -> None:
        self.context = context

    async def setup(self) -> None:
        """Prepare; raising here leaves the plugin out (reported) while the rest of Warroom runs."""

    async def teardown(self) -> None:
        """Release what :meth:`setup` took; the plugin's jobs are removed for it."""


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
