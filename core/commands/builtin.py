"""Every built-in command, in the order help lists them."""

from __future__ import annotations

from . import decisions, lifecycle, people, records, tasks, views
from .context import CommandSet


def builtin_commands() -> CommandSet:
    commands = CommandSet()
    for module in (lifecycle, people, records, tasks, decisions, views):
        commands.extend(module.commands)
    return commands
