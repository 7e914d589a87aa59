"""Finding, loading and running plugins, each isolated from the others.

Loading is atomic: a plugin that fails to import, validate its config, build
its commands or set up is reported and left out, with nothing of it
registered, while the others run. Each plugin's hooks run in order on a
worker of its own, so a slow or failing plugin delays and breaks only itself.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from pydantic import BaseModel
from warroom.core.clock import Clock
from warroom.core.commands.build import build
from warroom.core.commands.context import CommandContext, CommandSet, Handler
from warroom.core.commands.declare import command_info
from warroom.core.config.loader import Config, section_errors
from warroom.core.engine.scheduler import Scheduler
from warroom.core.engine.writer import Writer
from warroom.core.errors import WarroomError
from warroom.core.incident.events import DomainEvent
from warroom.core.plugin.call import Call
from warroom.core.plugin.context import PluginContext
from warroom.core.plugin.declare import HookInfo, JobInfo, Plugin

log = logging.getLogger(__name__)
PLUGIN_GROUP = "warroom.plugins"


@dataclass
class PluginStatus:
    """What ``warroom plugins`` shows: where a plugin comes from and whether it runs."""

    name: str
    source: str
    state: str  # loaded, ready (validated, not started), disabled, failed
    reason: str = ""


class PluginFailed(WarroomError):
    """A plugin's handler raised: answered with a short apology, its changes rolled back."""


def discover() -> dict[str, EntryPoint]:
    return {point.name: point for point in entry_points(group=PLUGIN_GROUP)}


def _source(point: EntryPoint) -> str:
    dist = point.dist
    if dist is None:
        return point.value
    return "bundled" if dist.name == "warroom" else f"{dist.name} {dist.version}"


@dataclass
class _Loaded:
    plugin: Plugin
    context: PluginContext
    hooks: dict[type[Any], list[Callable[[Any], Awaitable[None]]]] = field(default_factory=dict)
    queue: asyncio.Queue[tuple[Callable[[Any], Awaitable[None]], DomainEvent]] = field(default_factory=asyncio.Queue)
    worker: asyncio.Task[None] | None = None


class PluginHost:
    def __init__(
        self, config: Config, writer: Writer, scheduler: Scheduler, commands: CommandSet, clock: Clock
    ) -> None:
        self._config = config
        self._writer = writer
        self._scheduler = scheduler
        self._commands = commands
        self._clock = clock
        self._loaded: dict[str, _Loaded] = {}
        self.statuses: dict[str, PluginStatus] = {}
        writer.subscribe(self._dispatch)

    def plugins(self) -> Iterator[Plugin]:
        return (loaded.plugin for loaded in self._loaded.values())

    def loaded_names(self) -> list[str]:
        return list(self._loaded)

    async def load_all(self) -> None:
        found = discover()
        for name in self._config.enabled_plugins():
            point = found.get(name)
            if point is None:
                self._fail(name, "-", "not installed (no warroom.plugins entry point)")
                continue
            await self.load(name, point)

    async def load(self, name: str, point: EntryPoint) -> bool:
        """Load an installed plugin; False (and a reported reason) when it cannot run."""
        return await self._load(name, _source(point), prepare(name, point, self._config))

    async def load_class(self, name: str, cls: type[Plugin], settings: dict[str, Any] | None = None) -> bool:
        """Load a plugin class directly (tests, embedding), with its config section given here."""
        return await self._load(name, cls.__module__, validate(name, cls, settings or {}))

    async def _load(self, name: str, source: str, prepared: tuple[type[Plugin], BaseModel] | str) -> bool:
        if not isinstance(prepared, tuple):
            self._fail(name, source, prepared)
            return False
        cls, settings = prepared
        context = PluginContext(name, settings, self._writer, self._scheduler, self._clock)
        try:
            plugin = cls(context)
            loaded = _Loaded(plugin, context)
            trial, jobs = self._collect(name, loaded)
        except Exception as error:  # a broken plugin class: reported, nothing registered
            self._fail(name, source, f"cannot build: {error}")
            return False
        for key, target, _info in jobs:
            self._scheduler.register(key, target)
        try:
            await plugin.setup()
        except Exception as error:
            log.exception("plugin %s failed to set up", name)
            self._scheduler.unregister_prefix(f"{name}.", remove_jobs=False)
            self._fail(name, source, f"setup failed: {error}")
            return False
        self._commands.replace_with(trial)
        for key, _target, info in jobs:
            if info.every is not None:
                self._scheduler.every(f"{name}:{key.split('.', 1)[1]}", info.every, key, keep=True)
        loaded.worker = asyncio.create_task(self._work(name, loaded), name=f"plugin-{name}")
        self._loaded[name] = loaded
        self.statuses[name] = PluginStatus(name, source, "loaded")
        log.info("plugin %s loaded", name)
        return True

    async def unload(self, name: str) -> None:
        """Take a plugin out: its commands, hooks and scheduled jobs end with it."""
        loaded = self._loaded.pop(name, None)
        if loaded is None:
            return
        await self._stop(name, loaded)
        self._scheduler.unregister_prefix(f"{name}.", remove_jobs=True)
        self._commands.remove_owner(name)
        self.statuses[name].state = "disabled"

    async def shutdown(self) -> None:
        """Stop every plugin for a process exit; scheduled jobs stay, to run after the restart."""
        for name, loaded in list(self._loaded.items()):
            await self._stop(name, loaded)
        self._loaded.clear()

    async def settle(self) -> None:
        for loaded in list(self._loaded.values()):
            await loaded.queue.join()

    def busy(self) -> bool:
        return any(not loaded.queue.empty() for loaded in self._loaded.values())

    # Internals
    def _collect(self, name: str, loaded: _Loaded) -> tuple[CommandSet, list[tuple[str, Any, JobInfo]]]:
        trial = self._commands.copy()
        jobs: list[tuple[str, Any, JobInfo]] = []
        # getmembers sorts by name, so help lists a plugin's commands in the order of their method names.
        for attribute, member in inspect.getmembers(loaded.plugin, inspect.ismethod):
            function = member.__func__
            if command_info(function) is not None:
                spec, handler = build(member, partial(Call.from_command, plugin=loaded.context))
                trial.command(spec, owner=name)(_isolated(name, handler))
            hook: HookInfo | None = getattr(function, "__warroom_hook__", None)
            if hook is not None:
                for event_type in hook.events:
                    loaded.hooks.setdefault(event_type, []).append(member)
            job: JobInfo | None = getattr(function, "__warroom_job__", None)
            if job is not None:
                jobs.append((f"{name}.{attribute}", _job_target(member), job))
        return trial, jobs

    def _dispatch(self, event: DomainEvent) -> None:
        for loaded in self._loaded.values():
            for event_type, handlers in loaded.hooks.items():
                if isinstance(event, event_type):
                    for handler in handlers:
                        loaded.queue.put_nowait((handler, event))

    async def _work(self, name: str, loaded: _Loaded) -> None:
        while True:
            handler, event = await loaded.queue.get()
            try:
                await handler(event)
            except Exception:
                log.exception("plugin %s: hook %s failed on %s", name, getattr(handler, "__name__", handler), event)
            finally:
                loaded.queue.task_done()

    async def _stop(self, name: str, loaded: _Loaded) -> None:
        await loaded.queue.join()
        if loaded.worker is not None:
            loaded.worker.cancel()
        try:
            await loaded.plugin.teardown()
        except Exception:
            log.exception("plugin %s failed to tear down", name)

    def _fail(self, name: str, source: str, reason: str) -> None:
        log.error("plugin %s left out: %s", name, reason)
        self.statuses[name] = PluginStatus(name, source, "failed", reason)


def check_plugins(config: Config) -> list[PluginStatus]:
    """Import and validate every installed or configured plugin without starting any (``warroom plugins``)."""
    found = discover()
    statuses = []
    for name in sorted(set(found) | set(config.plugins)):
        point = found.get(name)
        if point is None:
            statuses.append(PluginStatus(name, "-", "failed", "not installed (no warroom.plugins entry point)"))
        elif name not in config.enabled_plugins():
            statuses.append(PluginStatus(name, _source(point), "disabled"))
        else:
            prepared = prepare(name, point, config)
            ok = isinstance(prepared, tuple)
            statuses.append(
                PluginStatus(name, _source(point), "ready" if ok else "failed", "" if ok else str(prepared))
            )
    return statuses


def prepare(name: str, point: EntryPoint, config: Config) -> tuple[type[Plugin], BaseModel] | str:
    """The plugin class and its validated settings, or why it cannot load."""
    try:
        cls = point.load()
    except Exception as error:
        return f"cannot import {point.value}: {type(error).__name__}: {error}"
    if not (isinstance(cls, type) and issubclass(cls, Plugin)):
        return f"{point.value} is not a warroom Plugin class"
    return validate(name, cls, config.plugins.get(name) or {})


def validate(name: str, cls: type[Plugin], section: dict[str, Any]) -> tuple[type[Plugin], BaseModel] | str:
    settings, errors = section_errors(cls.Config, section, ("plugins", name))
    if settings is None:
        return "invalid config: " + "; ".join(errors)
    return cls, settings


def _isolated(name: str, handler: Handler) -> Handler:
    """A plugin's failure is its own: answered with an apology, its changes rolled back, Warroom running on."""

    def handle(ctx: CommandContext) -> None:
        try:
            handler(ctx)
        except WarroomError:
            raise
        except Exception:
            log.exception("plugin %s failed on “%s”", name, ctx.spec.name)
            raise PluginFailed(f"Sorry — the {name} plugin failed on that; nothing from it was recorded.") from None

    return handle


def _job_target(method: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    async def run(_job_id: str, *args: Any) -> None:
        await method(*args)

    return run
