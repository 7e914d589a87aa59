"""Commands that only show things: the living document and help."""

from __future__ import annotations

from warroom.core.adapter.messages import CodeBlock, Message
from warroom.core.commands.context import CommandContext
from warroom.core.commands.declare import command
from warroom.core.commands.describe import command_help, help_text
from warroom.core.commands.spec import UsageError
from warroom.core.incident.document import render_document


class DocCommands:
    @command("doc", examples=["/incident doc"])
    def doc(self, ctx: CommandContext) -> None:
        """Show the living incident document (summary, roles, impact, key events, tasks, attachments)."""
        incident_id, at, service = ctx.incident().id, ctx.tx.at, ctx.service

        def read() -> Message:  # a long record takes a while to render: do it off the writer, once committed
            with service.reader() as reader:
                text = render_document(reader, reader.get(incident_id), at)
            return Message(blocks=(CodeBlock(text, "markdown"),))

        ctx.tx.read_then_reply(ctx.event.conversation, read)

    @command(
        "help",
        examples=["/incident help", "/incident help task add"],
        help={"command": "a command, e.g. “task add”"},
        incident_scoped=False,
    )
    def help_command(self, ctx: CommandContext, command: tuple[str, ...] = ()) -> None:
        """Show every command, or how to use one."""
        registry = ctx.commands.registry
        if not command:
            ctx.reply(help_text(registry, ctx.prefix))
            return
        found = registry.find(command)
        # "help role" also shows "role take": a bare first word means the whole family.
        specs = registry.group(command[0]) if found is None or len(command) == 1 else [found[0]]
        if not specs:
            raise UsageError(f"There is no command “{' '.join(command)}”.", ctx.spec)
        ctx.reply("\n\n".join(command_help(spec, ctx.prefix) for spec in specs))
