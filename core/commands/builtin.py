"""Every built-in command, in the order help lists them."""

from __future__ import annotations

from warroom.core.commands.build import add_commands
from warroom.core.commands.context import CommandSet
from warroom.core.commands.decisions import DecisionCommands
from warroom.core.commands.docs import DocCommands
from warroom.core.commands.lifecycle import LifecycleCommands
from warroom.core.commands.people import PeopleCommands
from warroom.core.commands.records import RecordCommands
from warroom.core.commands.tasks import TaskCommands


def builtin_commands() -> CommandSet:
    commands = CommandSet()
    for group in (LifecycleCommands, PeopleCommands, RecordCommands, TaskCommands, DecisionCommands, DocCommands):
        add_commands(commands, group())
    return commands
