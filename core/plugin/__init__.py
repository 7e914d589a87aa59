"""The public plugin API: everything a plugin may use, and nothing else.

A plugin is a class. Its commands are decorated methods that join the one
command language (arguments typed by annotation, help from the docstring,
examples that are shown in help and checked by tests); its hooks are async
methods called with domain events after they are committed; its jobs run on
the durable scheduler. What a plugin may touch at run time is its
:class:`PluginContext` (``self.context``) and, inside a command, the
:class:`Call` it is given. Its settings model is the class's type parameter
(``class Reminders(Plugin[RemindersSettings])``), so ``self.context.config``
is typed. A command-line tool (``warroom <name>``) is a :class:`Tool`, run
with a :class:`ToolRun` that opens the same context outside the bot.
"""

from warroom.core.adapter.messages import Button, CodeBlock, Command, Field, Mention, Message, Paragraph, Text, Tone
from warroom.core.commands.declare import PersonArg, TextArg, command
from warroom.core.config.types import Duration, Pattern
from warroom.core.incident.events import (
    ConfirmationDecided,
    ConfirmationRequested,
    DomainEvent,
    IncidentDeclared,
    IncidentResolved,
    PersonJoined,
    RoleAssigned,
    StatusChanged,
    TimelineEntryAdded,
)
from warroom.core.incident.render import duration
from warroom.core.incident.snapshots import IncidentView, PersonView, RoleSpell, TaskItem
from warroom.core.plugin.call import Call
from warroom.core.plugin.context import PluginContext
from warroom.core.plugin.declare import NoConfig, Plugin, hook, job
from warroom.core.plugin.tools import Tool, ToolRun
from warroom.core.storage.queries import Entry

__all__ = [
    "Button",
    "Call",
    "CodeBlock",
    "Command",
    "ConfirmationDecided",
    "ConfirmationRequested",
    "DomainEvent",
    "Duration",
    "Entry",
    "Field",
    "IncidentDeclared",
    "IncidentResolved",
    "IncidentView",
    "Mention",
    "Message",
    "NoConfig",
    "Paragraph",
    "Pattern",
    "PersonArg",
    "PersonJoined",
    "PersonView",
    "Plugin",
    "PluginContext",
    "RoleAssigned",
    "RoleSpell",
    "StatusChanged",
    "TaskItem",
    "Text",
    "TextArg",
    "TimelineEntryAdded",
    "Tone",
    "Tool",
    "ToolRun",
    "command",
    "duration",
    "hook",
    "job",
]
