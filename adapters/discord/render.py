"""Portable messages in Discord's idiom: a chat line, or a coloured embed card, with buttons.

A message with a title or fields becomes an embed (the body is its
description); a plain one is ordinary content. User text is escaped so it
shows as typed, and nobody is pinged unless the message names them in
``pings`` (the client-wide default allows no mentions at all). A command hint
is written as the slash command (``/incident …``, the configured name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import discord
from warroom.core.adapter import Block, Button, CodeBlock, Command, Inline, Mention, Message, Text, Tone

PLATFORM = "discord"
CONTENT_LIMIT = 2000
DESCRIPTION_LIMIT = 4096
TITLE_LIMIT = 256
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
MAX_FIELDS = 25
MAX_BUTTONS = 25
LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100
COLOURS = {
    Tone.INFO: discord.Colour(0x5865F2),
    Tone.SUCCESS: discord.Colour(0x57F287),
    Tone.WARNING: discord.Colour(0xFEE75C),
    Tone.ERROR: discord.Colour(0xED4245),
}
_LINE_START = re.compile(r"(?m)^(\s*)([#>])")


@dataclass(frozen=True, slots=True)
class Rendered:
    content: str | None
    embed: discord.Embed | None
    view: discord.ui.View | None
    allowed_mentions: discord.AllowedMentions | None  # None: the client-wide default, which pings nobody

    def to_send(self) -> dict[str, Any]:
        """Keyword arguments for a send: only what the message has (discord.py reads None as "remove")."""
        fields: dict[str, Any] = {"content": self.content, "embed": self.embed, "view": self.view}
        fields["allowed_mentions"] = self.allowed_mentions
        return {name: value for name, value in fields.items() if value is not None}

    def to_edit(self) -> dict[str, Any]:
        """Keyword arguments for an edit: everything, so what the new message lacks is removed."""
        fields: dict[str, Any] = {"content": self.content, "embeds": [self.embed] if self.embed else []}
        fields["view"] = self.view
        if self.allowed_mentions is not None:
            fields["allowed_mentions"] = self.allowed_mentions
        return fields


class ActionButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"(?P<action>.+)"):
    """Any Warroom button: its custom_id is the core's action, so a click is understood after a restart too.

    Registered once per client (``add_dynamic_items``); a click is handed on as the client event
    ``warroom_button`` (``on_warroom_button(action, interaction)``) for the adapter to answer.
    """

    def __init__(self, action: str, label: str = "…", danger: bool = False) -> None:
        style = discord.ButtonStyle.danger if danger else discord.ButtonStyle.primary
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=action))
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[discord.ui.View], match: re.Match[str], /
    ) -> ActionButton:
        return cls(match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        interaction.client.dispatch("warroom_button", self.action, interaction)


def render(message: Message, prefix: str = "/incident") -> Rendered:
    """``message`` as Discord content or an embed; commands are written after ``prefix``."""
    body = "\n".join(_block(block, prefix) for block in message.blocks)
    embed: discord.Embed | None = None
    content: str | None = body
    if message.title or message.fields or len(body) > CONTENT_LIMIT:
        embed = discord.Embed(
            title=_clip(escape(message.title), TITLE_LIMIT) or None,
            description=_clip(body, DESCRIPTION_LIMIT) or None,
            colour=COLOURS[message.tone],
        )
        for item in message.fields[:MAX_FIELDS]:
            embed.add_field(
                name=_clip(escape(item.name), FIELD_NAME_LIMIT) or "\u200b",
                value=_clip(escape(item.value), FIELD_VALUE_LIMIT) or "\u200b",
                inline=item.inline,
            )
        content = None
    elif message.tone is Tone.ERROR and body:
        content = "⚠️ " + body
    pinged = [user for user in message.pings if user.platform == PLATFORM and user.id.isdigit()]
    allowed: discord.AllowedMentions | None = None
    if pinged:
        missing = " ".join(f"<@{user.id}>" for user in pinged if f"<@{user.id}>" not in (content or ""))
        content = f"{missing} {content}" if missing and content else (missing or content)
        allowed = discord.AllowedMentions(
            everyone=False, roles=False, replied_user=False, users=[discord.Object(int(user.id)) for user in pinged]
        )
    return Rendered(content or None, embed, _view(message.buttons), allowed)


def escape(text: str) -> str:
    """``text`` shown literally: no markdown, headings, quotes or ``<@…>`` mention syntax."""
    text = discord.utils.escape_markdown(text)
    text = _LINE_START.sub(r"\1\\\2", text)
    return text.replace("<", "\\<")


def _view(buttons: tuple[Button, ...]) -> discord.ui.View | None:
    usable = [b for b in buttons if 0 < len(b.action) <= CUSTOM_ID_LIMIT][:MAX_BUTTONS]
    if not usable:
        return None
    view = discord.ui.View(timeout=None)
    for button in usable:
        view.add_item(ActionButton(button.action, _clip(button.label, LABEL_LIMIT) or "…", button.danger))
    return view


def _block(block: Block, prefix: str) -> str:
    if isinstance(block, CodeBlock):
        code = block.text.replace("```", "`\u200b``")
        return f"```{block.language}\n{code}\n```"
    return "".join(_inline(part, prefix) for part in block.parts)


def _inline(part: Inline, prefix: str) -> str:
    if isinstance(part, Mention):
        user = part.user
        if user.platform == PLATFORM and user.id.isdigit():
            return f"<@{user.id}>"
        return "@" + escape(user.display or user.id)
    if isinstance(part, Command):
        return escape(part.written(prefix))
    return _styled(part)


def _styled(part: Text) -> str:
    if part.code:
        fence = "``" if "`" in part.text else "`"
        return f"{fence} {part.text} {fence}" if fence == "``" else f"`{part.text}`"
    text = escape(part.text)
    if part.bold and text.strip():
        text = f"**{text}**"
    if part.italic and text.strip():
        text = f"*{text}*"
    return text


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
