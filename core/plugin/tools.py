"""Command-line tools contributed by plugins: ``warroom <name> …`` from the ``warroom.cli`` entry points.

A plugin package registers ``register(subparsers)`` under that group; it adds
its sub-command with ``set_defaults(handler=...)``, and the handler gets the
loaded config and the parsed arguments. :func:`plugin_context` gives it the
same read and write access the plugin has inside a running Warroom.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import entry_points

from warroom.core.app import Warroom, require_database
from warroom.core.config.loader import Config, ConfigError, section_errors
from warroom.core.plugin.context import PluginContext
from warroom.core.plugin.declare import Plugin

log = logging.getLogger(__name__)
CLI_GROUP = "warroom.cli"


def add_plugin_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for point in entry_points(group=CLI_GROUP):
        try:
            point.load()(subparsers)
        except Exception as error:  # a broken plugin tool must not take the other commands down
            log.warning("the “%s” command from %s is unavailable: %s", point.name, point.value, error)


@asynccontextmanager
async def plugin_context(config: Config, name: str, cls: type[Plugin]) -> AsyncIterator[PluginContext]:
    """A started Warroom (no adapters, plugins or jobs running) and a context as plugin ``name`` would have it."""
    settings, errors = section_errors(cls.Config, config.plugins.get(name) or {}, ("plugins", name))
    if settings is None:
        raise ConfigError(errors)
    require_database(config)
    app = Warroom(config)
    await app.start(plugins=False, jobs=False)  # due jobs belong to the running bot, not to this tool
    try:
        yield PluginContext(name, settings, app.writer, app.scheduler, app.clock)
    finally:
        await app.close()
