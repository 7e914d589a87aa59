"""The ``warroom`` command: run the bot, check config, read incidents and timelines."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from warroom.core.app import InstalledAdapters, Warroom, require_database
from warroom.core.config.loader import Config, ConfigError, load_config
from warroom.core.errors import NotFound
from warroom.core.plugin.context import PluginContext
from warroom.core.plugin.host import check_plugins
from warroom.core.plugin.tools import Tool, add_plugin_commands
from warroom.core.storage import queries
from warroom.core.supervisor import AdapterFailed

CONFIG_ENV = "WARROOM_CONFIG"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
log = logging.getLogger("warroom.core.cli")  # by name: also when run as python -m


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Stopping and having stopped are what an operator reads in the service's log: shown without -v too.
    log.setLevel(min(logging.INFO, logging.getLogger().level))
    try:
        config = _load(args.config)
        result: int = args.handler(config, args)
        return result
    except ConfigError as error:
        print(f"Configuration problems:\n{error}", file=sys.stderr)
        return 2
    except NotFound as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. piped into head: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warroom", description="Self-hosted incident response for chat.")
    parser.add_argument("--config", type=Path, help=f"YAML config file (default: ${CONFIG_ENV}, else built-in)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details to stderr")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run Warroom with every configured adapter").set_defaults(handler=_run)
    commands.add_parser("check-config", help="validate the config and report every problem").set_defaults(
        handler=_check
    )
    commands.add_parser("incidents", help="list incidents").set_defaults(handler=_incidents)
    timeline = commands.add_parser("timeline", help="export an incident's timeline")
    timeline.add_argument("incident", help="e.g. INC-3")
    timeline.add_argument("--format", choices=("markdown", "json"), default="markdown")
    timeline.set_defaults(handler=_timeline)
    commands.add_parser("plugins", help="list plugins, whether they load, and why not").set_defaults(handler=_plugins)
    add_plugin_commands(commands, _tool_handler)
    # Accept --config after the subcommand too, as people type it.
    for sub in (commands.choices[name] for name in commands.choices):
        sub.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def _load(path: Path | None) -> Config:
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    if path is not None and not path.is_file():
        raise ConfigError([f"{path}: no such config file"])
    return load_config(path, adapter_models=InstalledAdapters())


GC_GENERATION_0 = 10_000


def tune_gc() -> None:
    """Garbage-collector settings for a long-running Warroom; call once startup is done.

    Imports, config, SQLAlchemy and the migrations leave about 100k long-lived objects that every
    full collection would walk again: ``freeze`` moves them out of the collector's sight (after a
    ``collect``, so no garbage is frozen with them). Each message allocates many short-lived
    objects, most freed by reference counting, so a larger generation 0 (10,000 net allocations
    instead of Python's 700) means far fewer collections, each still short (about 0.2 ms).
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_GENERATION_0, 10, 10)


def _run(config: Config, _args: argparse.Namespace) -> int:
    """Run until the input ends or a signal asks to stop; 2 when a platform refused a setting."""

    async def run() -> None:
        app = Warroom(config)
        app.add_configured_adapters()
        # Long-lived startup objects need no rescanning; each message makes many short-lived ones.
        tune_gc()
        with _stop_on_signals(app, config.lifecycle.drain_seconds) as received:
            await app.run()
        if received and app.drained:
            log.info("stopped after %s: the work accepted was finished", received[0].name)
        elif received:
            log.info("stopped after %s, dropping the work lifecycle.drain_seconds left no time for", received[0].name)

    try:
        asyncio.run(run())
    except ConfigError as refused:  # an adapter learnt it once connected: one line per problem, no traceback
        print(*refused.errors, sep="\n", file=sys.stderr)
        return 2
    except AdapterFailed as failed:  # lifecycle.on_adapter_failure: exit, for a service manager to restart it
        print(failed, file=sys.stderr)
        return 1
    return 0


@contextmanager
def _stop_on_signals(app: Warroom, drain_seconds: float) -> Iterator[list[signal.Signals]]:
    """SIGTERM and SIGINT drain (``app.request_stop``); a second one exits at once, with 128 + its number.

    A service manager stops with SIGTERM and waits: finishing what was accepted and sending its
    replies then is what keeps a restart from losing an answer. A second signal means the
    person cannot wait, so nothing more is waited for. Where the loop cannot handle signals
    (Windows), Ctrl-C stays Python's KeyboardInterrupt. Yields the signals received, in order.
    """
    loop = asyncio.get_running_loop()
    received: list[signal.Signals] = []

    def on_signal(signum: signal.Signals) -> None:
        received.append(signum)
        if len(received) == 1:
            log.info(
                "%s received: finishing the work in flight (at most %g s), then exiting", signum.name, drain_seconds
            )
            app.request_stop()
            return
        log.warning("%s received again: exiting now, without finishing the work in flight", signum.name)
        logging.shutdown()
        sys.stdout.flush()
        os._exit(128 + signum)

    installed = []
    for signum in STOP_SIGNALS:
        try:
            loop.add_signal_handler(signum, on_signal, signum)
        except (NotImplementedError, RuntimeError):  # no signal handling in this loop
            continue
        installed.append(signum)
    try:
        yield received
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


def _check(config: Config, _args: argparse.Namespace) -> int:
    failed = [status for status in check_plugins(config) if status.state == "failed"]
    for status in failed:
        print(f"plugins.{status.name}: {status.reason}", file=sys.stderr)
    if failed:
        return 2
    adapters = ", ".join(config.enabled_adapters()) or "none"
    plugins = ", ".join(config.enabled_plugins()) or "none"
    print(f"Config OK. Database: {config.database_url}. Adapters: {adapters}. Plugins: {plugins}.")
    return 0


def _plugins(config: Config, _args: argparse.Namespace) -> int:
    statuses = check_plugins(config)
    for status in statuses:
        reason = f"  ({status.reason})" if status.reason else ""
        print(f"{status.name}\t{status.state}\t{status.source}{reason}")
    return 1 if any(status.state == "failed" for status in statuses) else 0


@contextmanager
def _existing(config: Config) -> Iterator[Warroom]:
    """Open an existing database for reading; never create one where a path was mistyped."""
    require_database(config)
    app = Warroom(config)
    try:
        yield app
    finally:
        app.close_storage()


def _incidents(config: Config, _args: argparse.Namespace) -> int:
    with _existing(config) as app:
        for incident_id in queries.incident_ids(app.db):
            incident = app.service.get(incident_id)
            declared = incident.declared_at.strftime("%Y-%m-%d %H:%M")
            flag = " (private)" if incident.private else ""
            print(
                f"{incident.reference}\t{incident.status}\tSEV{incident.severity}\t{declared}\t{incident.title}{flag}"
            )
    return 0


def _timeline(config: Config, args: argparse.Namespace) -> int:
    number = str(args.incident).upper().removeprefix("INC-")
    if not number.isdigit():
        raise NotFound(f"“{args.incident}” is not an incident reference like INC-3.")
    with _existing(config) as app:
        incident = app.service.get(int(number))
        entries = queries.timeline(app.db, incident.id)
        if args.format == "json":
            json.dump([entry.export() for entry in entries], sys.stdout, ensure_ascii=False, indent=2)
            print()
        else:
            print(f"# {incident.reference}: {incident.title}\n")
            for entry in entries:
                mark = " **(key)**" if entry.key else ""
                text = entry.text.replace("\n", "\n  ")
                print(f"- {entry.at:%Y-%m-%d %H:%M:%S} · {entry.kind} · {entry.author}: {text}{mark}")
    return 0


SettingsT = TypeVar("SettingsT", bound=BaseModel)


class _ToolRun(Generic[SettingsT]):
    """The plugin API's ``ToolRun``, backed by a Warroom started just for the tool."""

    def __init__(self, tool: Tool[SettingsT], config: Config, args: argparse.Namespace) -> None:
        self._tool = tool
        self._config = config
        self._args = args

    @property
    def args(self) -> argparse.Namespace:
        return self._args

    @property
    def settings(self) -> SettingsT:
        return self._tool.settings(self._config)

    @asynccontextmanager
    async def context(self) -> AsyncIterator[PluginContext[SettingsT]]:
        require_database(self._config)
        settings = self.settings
        app = Warroom(self._config)
        await app.start(plugins=False, jobs=False)  # due jobs belong to the running bot, not to this tool
        try:
            yield PluginContext(self._tool.plugin, settings, app.writer, app.scheduler, app.clock)
        finally:
            await app.close()


def _tool_handler(tool: Tool[Any]) -> Callable[[Config, argparse.Namespace], int]:
    def handle(config: Config, args: argparse.Namespace) -> int:
        try:
            return asyncio.run(tool.run(_ToolRun(tool, config, args)))
        except SQLAlchemyError as error:  # the database is the core's: so is saying it can't be read
            reason = f"I couldn't read the Warroom database: {error.__class__.__name__}. Check database.url."
            print(reason, file=sys.stderr)
            return 1

    return handle


if __name__ == "__main__":
    sys.exit(main())
