"""Commands that only show things: the living document and help."""

from __future__ import annotations

from warroom.core.adapter.messages import CodeBlock, Message
from warroom.core.commands.context import CommandContext, CommandSet
from warroom.core.commands.parse import command_help, help_text
from warroom.core.commands.spec import CommandSpec, Kind, Param, UsageError
from warroom.core.incident.document import render_document

commands = CommandSet()


@commands.command(
    CommandSpec(
        ("doc",),
        "Show the living incident document (summary, roles, impact, key events, tasks, attachments).",
        examples=("/incident doc",),
    )
)
def doc(ctx: CommandContext) -> None:
    text = render_document(ctx.service, ctx.incident(), ctx.tx.at)
    ctx.reply(Message(blocks=(CodeBlock(text, "markdown"),)))


@commands.command(
    CommandSpec(
        ("help",),
        "Show every command, or how to use one.",
        params=(Param("command", Kind.WORDS, "a command, e.g. “task add”", required=False),),
        examples=("/incident help", "/incident help task add"),
        incident_scoped=False,
    )
)
def help_command(ctx: CommandContext) -> None:
    registry = ctx.commands.registry
    words = ctx.args.get("command")
    if not words:
        ctx.reply(help_text(registry, ctx.prefix))
        return
    assert isinstance(words, tuple)
    found = registry.find(list(words))
    # "help role" also shows "role take": a bare first word means the whole family.
    specs = registry.group(words[0]) if found is None or len(words) == 1 else [found[0]]
    if not specs:
        raise UsageError(f"There is no command “{' '.join(words)}”.", ctx.spec)
    ctx.reply("\n\n".join(command_help(spec, ctx.prefix) for spec in specs))
