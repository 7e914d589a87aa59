"""Command-line tools contributed by plugins: ``warroom <name> …`` from the ``warroom.cli`` entry points.

A plugin package names a :class:`Tool` under that group: which plugin it
belongs to, its arguments, and the async function that runs it. That function
gets a :class:`ToolRun`: the parsed arguments, the plugin's validated settings
and, when it needs the database, the plugin's context as the running plugin
has it. The plugin API only says what a tool receives; ``warroom`` itself
(the top layer, which owns the application) provides it, so neither a plugin
nor this module reaches up into the application to build one.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Generic, Protocol, cast

from pydantic import BaseModel
from typing_extensions import TypeVar
from warroom.core.config.loader import Config, ConfigError, section_errors
from warroom.core.plugin.context import PluginContext, SettingsT_co
from warroom.core.plugin.declare import Plugin

log = logging.getLogger(__name__)
CLI_GROUP = "warroom.cli"

SettingsT = TypeVar("SettingsT", bound=BaseModel, default=BaseModel)


class ToolRun(Protocol[SettingsT_co]):
    """What a plugin's command-line tool is handed when someone runs it."""

    @property
    def args(self) -> argparse.Namespace:
        """The tool's arguments as parsed from the command line (``--config`` and ``-v`` are taken care of)."""

    @property
    def settings(self) -> SettingsT_co:
        """The plugin's section of the config file, validated by its settings model.

        A section that does not validate ends the tool with the configuration
        problems listed, as ``warroom check-config`` would list them.
        """

    def context(self) -> AbstractAsyncContextManager[PluginContext[SettingsT_co]]:
        """Open Warroom's database and yield the plugin's context, as the running plugin has it.

        No adapters, plugins or due jobs run meanwhile (those belong to the bot), and a
        SQLite file that is not there is reported as a mistyped path rather than created.
        """


def _no_arguments(_parser: argparse.ArgumentParser) -> None:
    """A tool that takes no arguments of its own adds none."""


@dataclass(frozen=True, slots=True)
class Tool(Generic[SettingsT]):
    """A ``warroom <name>`` command a plugin adds; name an instance in the ``warroom.cli`` entry points.

    The entry point's name is the command's name. ``plugin`` is the plugin's own
    name (its ``warroom.plugins`` entry point and ``plugins.<name>`` config
    section), so the tool reads and writes what the plugin does; ``cls`` is its
    class, whose settings model validates that section. ``arguments`` adds the
    tool's arguments to its parser; ``run`` does the work and returns the exit
    status (0 for success).
    """

    plugin: str
    cls: type[Plugin[SettingsT]]
    run: Callable[[ToolRun[SettingsT]], Coroutine[Any, Any, int]]
    arguments: Callable[[argparse.ArgumentParser], None] = _no_arguments
    help: str = ""
    description: str = ""

    def settings(self, config: Config) -> SettingsT:
        """The plugin's section of ``config``, validated; :class:`ConfigError` lists what is wrong with it."""
        section = config.plugins.get(self.plugin) or {}
        settings, errors = section_errors(self.cls.Config, section, ("plugins", self.plugin))
        if settings is None:
            raise ConfigError(errors)
        return cast(SettingsT, settings)  # Config is the model of the plugin's type parameter


def add_plugin_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    handler: Callable[[Tool[Any]], Callable[[Config, argparse.Namespace], int]],
) -> None:
    """Add every installed plugin tool as a sub-command whose handler is ``handler(tool)``.

    A tool that cannot be imported or set up is left out with a warning: one broken
    plugin package must not take ``warroom``'s other commands down with it.
    """
    for point in entry_points(group=CLI_GROUP):
        try:
            tool = point.load()
            if not isinstance(tool, Tool):
                raise TypeError(f"{point.value} is not a warroom Tool")
            parser = subparsers.add_parser(point.name, help=tool.help or None, description=tool.description)
            tool.arguments(parser)
        except Exception as error:
            log.warning("the “%s” command from %s is unavailable: %s", point.name, point.value, error)
            continue
        parser.set_defaults(handler=handler(tool))
