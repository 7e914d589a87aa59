"""One Warroom process: the database, the writer, the commands and every configured adapter."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping
from functools import partial
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy.engine import make_url
from warroom.core.adapter.catalogue import Catalogue, CatalogueCommand, CatalogueOption, OptionKind, SeverityLevel, Term
from warroom.core.adapter.protocol import Adapter, AdapterFactory, WebhookReceiver, WebServer
from warroom.core.adapter.refs import ConversationRef
from warroom.core.clock import Clock, SystemClock
from warroom.core.commands.builtin import builtin_commands
from warroom.core.commands.describe import flags_of
from warroom.core.commands.parse import Registry
from warroom.core.commands.spec import CommandSpec, Flag, Param
from warroom.core.config.loader import AdapterUnavailable, Config
from warroom.core.engine.adapter_state import StoredState
from warroom.core.engine.scheduler import Scheduler
from warroom.core.engine.transaction import Transaction
from warroom.core.engine.writer import Writer
from warroom.core.errors import ConfigError, NotFound
from warroom.core.flows import confirmations
from warroom.core.flows.channels import ChannelOpener
from warroom.core.inbound import Inbound
from warroom.core.incident.events import ConfirmationDecided, ConfirmationRequested, DomainEvent
from warroom.core.incident.people import People
from warroom.core.incident.service import IncidentService
from warroom.core.plugin.declare import Plugin
from warroom.core.plugin.host import PluginHost
from warroom.core.storage import queries
from warroom.core.storage.connect import open_engine, upgrade
from warroom.core.storage.database import Database
from warroom.core.supervisor import AdapterFailed, Supervisor

log = logging.getLogger(__name__)
ADAPTER_GROUP = "warroom.adapters"
EXPIRE_CONFIRMATION = "core.expire_confirmation"


class InstalledAdapters(Mapping[str, type[BaseModel]]):
    """Settings models of the adapters installed as ``warroom.adapters`` entry points.

    An adapter is imported only when the config names it, so a missing
    platform SDK matters only to those who enable that platform.
    """

    def __init__(self) -> None:
        self._points = {point.name: point for point in entry_points(group=ADAPTER_GROUP)}

    def adapter(self, name: str) -> AdapterFactory:
        try:
            factory: AdapterFactory = self._points[name].load()
            return factory
        except ImportError as error:
            hint = f"install its extra: pip install 'warroom[{name}]'"
            raise AdapterUnavailable(f"cannot load this adapter ({error}); {hint}") from None

    def __getitem__(self, name: str) -> type[BaseModel]:
        return self.adapter(name).Settings

    def __iter__(self) -> Iterator[str]:
        return iter(self._points)

    def __len__(self) -> int:
        return len(self._points)


class Warroom:
    def __init__(self, config: Config, *, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or SystemClock()
        self.sql_engine = open_engine(config)
        upgrade(self.sql_engine)
        self.db = Database(self.sql_engine)
        self.people = People(self.db, frozenset(config.permissions.admins))
        self.service = IncidentService(self.db, config, self.people)
        self.writer = Writer(self.db, self.service, self.clock)
        self.channel_opener = ChannelOpener(self.writer, config.incidents.channel_prefix)
        self.commands = builtin_commands()
        self.inbound = Inbound(self.writer, self.commands, config, self.channel_opener)
        self.scheduler = Scheduler(self.sql_engine, self.clock)
        self.plugins = PluginHost(config, self.writer, self.scheduler, self.commands, self.clock)
        self.adapters: list[Adapter] = []
        self._catalogue: tuple[Registry, Catalogue] | None = None
        self._started = False
        self._stop_requested = asyncio.Event()
        self.drained = True
        """False once a shutdown ran out of ``lifecycle.drain_seconds`` and dropped unfinished work."""
        self.supervisors: dict[str, Supervisor] = {}
        """The supervisor of each adapter while :meth:`run` runs, keyed by platform."""
        self.scheduler.register(EXPIRE_CONFIRMATION, self._expire_confirmation)
        self.writer.subscribe(self._schedule_expiry)

    def add_adapter(self, adapter: Adapter) -> None:
        self.adapters.append(adapter)
        self.writer.add_adapter(adapter)

    def add_configured_adapters(self) -> None:
        installed = InstalledAdapters()
        for name in self.config.enabled_adapters():
            self.add_adapter(installed.adapter(name)(self.config.adapter_settings[name], self))
        self._share_http()

    def _share_http(self) -> None:
        """Adapters that receive webhooks mount them on the process's one HTTP server, when there is one."""
        shared = next((a.app for a in self.adapters if isinstance(a, WebServer)), None)
        if shared is None:
            return
        for adapter in self.adapters:
            if isinstance(adapter, WebhookReceiver):
                adapter.mount(shared)

    def channels_of(self, reference: str, platform: str) -> list[ConversationRef]:
        """The channels an incident has on ``platform`` (``reference`` like ``INC-3``)."""
        number = reference.upper().removeprefix("INC-")
        if not number.isdigit():
            return []
        return [channel for channel in queries.channels(self.db, int(number)) if channel.platform == platform]

    def adapter_state(self, platform: str) -> StoredState:
        return StoredState(self.writer, platform)

    def catalogue(self) -> Catalogue:
        """The commands and their vocabulary for native command forms; the same object until the commands change.

        Loading or unloading a plugin replaces the registry as a whole, so its identity tells when to rebuild.
        """
        registry = self.commands.registry
        if self._catalogue is None or self._catalogue[0] is not registry:
            self._catalogue = registry, catalogue_of(registry, self.config)
        return self._catalogue[1]

    async def start(
        self,
        *,
        plugins: bool = True,
        classes: Mapping[str, tuple[type[Plugin], dict[str, Any] | None]] | None = None,
        jobs: bool = True,
    ) -> None:
        """Start the writer, the scheduler and the plugins (from config, and ``classes`` given directly).

        Jobs wait until every plugin has registered what they call, so a job that came due
        while Warroom was down finds its plugin loaded; ``jobs=False`` (a command-line tool next to
        a running bot) leaves them to the bot. :meth:`run` also starts the adapters.
        """
        if self._started:
            return
        self._started = True
        self.writer.start()
        if jobs:
            self.scheduler.start(paused=True)
        if plugins:
            await self.plugins.load_all()
        for name, (cls, settings) in (classes or {}).items():
            await self.plugins.load_class(name, cls, settings)
        if jobs:
            self.scheduler.resume()

    async def run(self) -> None:
        """Start everything; shut down on :meth:`request_stop` or when the first adapter stops.

        The console stops at the end of its input; another adapter stops when its platform refused
        a setting. A :class:`ConfigError` an adapter stopped with is raised again once everything is
        shut down, so the command line reports it as it reports a bad config file (one line, exit
        2) instead of a traceback. Shutting down is bounded by ``lifecycle.drain_seconds`` once a
        stop was requested: a platform that does not take the last replies must not hold up a restart.
        """
        await self.start()
        lifecycle = self.config.lifecycle
        self.supervisors = {
            adapter.platform: Supervisor(
                adapter,
                self.clock,
                policy=lifecycle.on_adapter_failure,
                initial=lifecycle.restart_initial_seconds,
                maximum=lifecycle.restart_max_seconds,
                reset_after=lifecycle.restart_max_seconds,
            )
            for adapter in self.adapters
        }
        running = [asyncio.create_task(supervisor.run(self.inbound)) for supervisor in self.supervisors.values()]
        asked = asyncio.ensure_future(self._stop_requested.wait())
        refused: ConfigError | AdapterFailed | None = None
        try:
            # With no adapter there is nothing to wait for (as before: it shuts down at once).
            done = (await asyncio.wait([*running, asked], return_when=asyncio.FIRST_COMPLETED))[0] if running else set()
            for task in running:
                if task in done and (error := task.exception()) is not None:
                    if isinstance(error, ConfigError | AdapterFailed):
                        refused = refused or error
                    else:
                        log.error("adapter stopped with an error", exc_info=error)
        finally:
            asked.cancel()
            if self._stop_requested.is_set():
                await self._drain(self.config.lifecycle.drain_seconds)
            else:
                await self.close()
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
        if refused is not None:
            raise refused

    def request_stop(self) -> None:
        """Ask :meth:`run` to stop taking events, finish the work accepted so far, and return."""
        self._stop_requested.set()

    async def _drain(self, seconds: float) -> None:
        """:meth:`close`, given at most ``seconds``; after that, what is unfinished is dropped and said so."""
        closing = asyncio.ensure_future(self.close())
        done, _ = await asyncio.wait([closing], timeout=seconds)
        if done:
            closing.result()
            return
        self.drained = False
        log.warning(
            "shutdown: work was still in flight after lifecycle.drain_seconds (%g s); dropping it (busy: %s)",
            seconds,
            self.writer.busy(),
        )
        closing.cancel()
        await asyncio.gather(closing, return_exceptions=True)
        await self.writer.abandon()
        self.close_storage()

    def health(self) -> dict[str, Any]:
        """What ``GET /health`` reports: the database's, every adapter's and plugin's state, and whether all is well.

        The database entry is ``{"ok": false, "error": ..., "since": ...}`` while its connection is lost.
        """
        adapters = {adapter.platform: adapter.health() for adapter in self.adapters}
        plugins = {name: status.state for name, status in self.plugins.statuses.items()}
        database = self.db.status()
        supervised = {platform: s for platform, s in self.supervisors.items() if platform in adapters}
        ok = all(report.healthy for report in adapters.values()) and "failed" not in plugins.values()
        ok = ok and all(supervisor.healthy for supervisor in supervised.values())
        reports = {platform: report.report() for platform, report in adapters.items()}
        for platform, supervisor in supervised.items():
            view = supervisor.report()
            if supervisor.state == "running" and "state" in reports[platform]:
                view.pop("state")  # the adapter's own word for running (ready, listening) says more
            reports[platform] = {**reports[platform], **view, "ok": reports[platform]["ok"] and supervisor.healthy}
        return {
            "ok": ok and database["ok"],
            "database": database,
            "adapters": reports,
            "plugins": plugins,
            "engine": {"busy": self.writer.busy()},
            "scheduler": self.scheduler.status(),
        }

    async def settle(self) -> None:
        """Wait until nothing is pending: writer jobs, replies, plugin hooks and jobs that are due."""
        while True:
            await self.scheduler.run_due()
            await self.writer.settle()
            await self.plugins.settle()
            if not (self.writer.busy() or self.plugins.busy() or self.scheduler.busy()):
                return

    async def close(self) -> None:
        """Stop taking work, finish what was accepted, then let go of the platforms and the database."""
        await self.scheduler.stop()
        await self.writer.settle()
        for adapter in self.adapters:
            await adapter.stop()
        await self.writer.settle()  # anything an adapter handed over while stopping
        await self.plugins.shutdown()
        await self.writer.stop()
        self.close_storage()

    def close_storage(self) -> None:
        self.db.close()
        self.sql_engine.dispose()

    def _schedule_expiry(self, event: DomainEvent) -> None:
        if isinstance(event, ConfirmationRequested):
            self.scheduler.at(
                f"core:confirmation:{event.confirmation_id}",
                event.expires_at,
                EXPIRE_CONFIRMATION,
                event.confirmation_id,
            )
        elif isinstance(event, ConfirmationDecided) and event.state != "expired":
            self.scheduler.cancel(f"core:confirmation:{event.confirmation_id}")

    async def _expire_confirmation(self, job_id: str, confirmation_id: int) -> None:
        await self.writer.submit(partial(_expire, confirmation_id), key=job_id)


def require_database(config: Config) -> None:
    """For tools that read: a SQLite file that is not there is a mistyped path, not a new database."""
    url = make_url(config.database_url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database not in ("", ":memory:") and not Path(database).is_file():
        raise NotFound(f"There is no Warroom database at {database}. Check --config or WARROOM_DATABASE_URL.")


def catalogue_of(registry: Registry, config: Config) -> Catalogue:
    """The adapter contract's read-only view of the command registry and the configured vocabulary."""
    return Catalogue(
        commands=tuple(_catalogue_command(spec) for spec in registry.specs()),
        prefixes=tuple(config.commands.prefixes),
        roles=tuple(Term(name, text) for name, text in config.role_descriptions().items()),
        statuses=tuple(Term(status.name, status.description) for status in config.statuses),
        kinds=tuple(Term(name, text) for name, text in config.kinds.items()),
        severities=tuple(SeverityLevel(s.level, s.name, s.description) for s in config.severities),
    )


def _catalogue_command(spec: CommandSpec) -> CatalogueCommand:
    options = (*(_catalogue_option(param) for param in spec.params), *(_catalogue_option(f) for f in flags_of(spec)))
    return CatalogueCommand(spec.path, spec.summary, options, spec.aliases)


def _catalogue_option(option: Param | Flag) -> CatalogueOption:
    kind = OptionKind(option.kind.value)
    if isinstance(option, Flag):
        return CatalogueOption(option.name, kind, option.help, choices=option.choices, flag=True)
    return CatalogueOption(option.name, kind, option.help, option.required, option.choices)


def _expire(confirmation_id: int, tx: Transaction) -> None:
    confirmations.expire_and_tell(tx, confirmation_id)
