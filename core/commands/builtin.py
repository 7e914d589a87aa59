"""Every built-in command, in the order help lists them."""

from __future__ import annotations

from warroom.core.commands import decisions, lifecycle, people, records, tasks
from warroom.core.commands import docs as views
from warroom.core.commands.context import CommandSet


def builtin_commands() -> CommandSet:
    commands = CommandSet()
    for module in (lifecycle, people, records, tasks, decisions, views):
        commands.extend(module.commands)
    return commands
