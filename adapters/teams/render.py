"""Portable messages as Teams Adaptive Cards, built as data.

User text goes into ``TextRun``s of ``RichTextBlock``s, which Teams shows
literally (a ``TextBlock`` would read it as markdown), and into FactSet values
with markdown neutralised. Nothing is concatenated into markup: a title like
``**everyone** <at>x</at>`` shows exactly those characters, and only the
people in ``Message.pings`` are mentioned, through the activity's own mention
entities. Buttons are ``Action.Execute`` carrying the core's action verbatim.
A command hint is written the way people type commands in Teams, mentioning the
bot (``@Warroom incident …``, see ``TeamsSettings.command_form``): the ``commands``
every function here takes, by default the form with the default settings.
"""

from __future__ import annotations

import html
import re
from typing import Any

from warroom.core.adapter import Block, CodeBlock, Command, Field, Inline, Mention, Message, Tone, UserRef

PLATFORM = "teams"
COMMANDS = "@Warroom incident"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"  # Action.Execute needs 1.4; Teams renders 1.5
VERB = "warroom"
"""The one ``Action.Execute`` verb; the button's core action travels in its data."""

_TONE_COLOR = {Tone.INFO: "Default", Tone.SUCCESS: "Good", Tone.WARNING: "Warning", Tone.ERROR: "Attention"}
# What starts markup in the Adaptive Cards markdown subset (bold, italic, links, lists), plus braces (the
# {{DATE()}} functions) and angle brackets; CommonMark shows a backslash-escaped punctuation mark as itself.
_MARKDOWN = re.compile(r"([\\*_\[\](){}<>])")
_LIST_MARK = re.compile(r"^(\s*)(?:([-+])|(\d+)\.)(?=\s)", re.MULTILINE)
_SUMMARY_CHARS = 120

Card = dict[str, Any]


def card(message: Message, commands: str = COMMANDS) -> Card:
    """The Adaptive Card for ``message``: title, paragraphs, fields, buttons."""
    body: list[dict[str, Any]] = []
    if message.title:
        run = _run(message.title, weight="Bolder", size="Medium", color=_TONE_COLOR[message.tone])
        body.append(_rich([run]))
    body.extend(_block(block, commands) for block in message.blocks)
    body.extend(_fields(message.fields))
    content: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
        "fallbackText": message.plain_text(commands),
    }
    if message.buttons:
        content["actions"] = [
            {
                "type": "Action.Execute",
                "title": button.label,
                "verb": VERB,
                "data": {"action": button.action},
                "style": "destructive" if button.danger else "positive",
            }
            for button in message.buttons
        ]
    return content


def activity(message: Message, commands: str = COMMANDS) -> dict[str, Any]:
    """A message activity (Bot Framework JSON) carrying the card; pinged people are mentioned in its text."""
    payload: dict[str, Any] = {
        "type": "message",
        "attachments": [{"contentType": CARD_TYPE, "content": card(message, commands)}],
        "summary": summary(message, commands),
    }
    pings = _unique(message.pings)
    if pings:
        tags = [f"<at>{html.escape(_name(user))}</at>" for user in pings]
        payload["text"] = " ".join(tags)
        payload["textFormat"] = "xml"
        payload["entities"] = [
            {"type": "mention", "text": tag, "mentioned": {"id": user.id, "name": _name(user)}}
            for tag, user in zip(tags, pings, strict=True)
        ]
    return payload


def summary(message: Message, commands: str = COMMANDS) -> str:
    """A one-line preview for notifications and clients that cannot show cards."""
    first = next((line for line in message.plain_text(commands).splitlines() if line.strip()), "")
    return first if len(first) <= _SUMMARY_CHARS else first[: _SUMMARY_CHARS - 1] + "…"


def plain(text: str) -> str:
    """``text`` with markdown neutralised, for the card parts Teams reads as markdown (FactSet)."""
    escaped = _MARKDOWN.sub(r"\\\1", text.replace("\r\n", "\n"))
    escaped = _LIST_MARK.sub(lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\."), escaped)
    return escaped.replace("\n", "\n\n")  # a single newline is no line break in markdown


def _block(block: Block, commands: str) -> dict[str, Any]:
    if isinstance(block, CodeBlock):
        code = _run(block.text, fontType="Monospace")
        return {"type": "Container", "style": "emphasis", "items": [_rich([code])]}
    return _rich([_inline(part, commands) for part in block.parts])


def _inline(part: Inline, commands: str) -> dict[str, Any]:
    if isinstance(part, Mention):
        return _run("@" + _name(part.user), weight="Bolder", color="Accent")
    if isinstance(part, Command):
        return _run(part.written(commands))
    style: dict[str, Any] = {}
    if part.bold:
        style["weight"] = "Bolder"
    if part.italic:
        style["italic"] = True
    if part.code:
        style["fontType"] = "Monospace"
    return _run(part.text, **style)


def _fields(fields: tuple[Field, ...]) -> list[dict[str, Any]]:
    """Short fields as one FactSet; a long (non-inline) one as its own labelled block, line breaks kept."""
    elements: list[dict[str, Any]] = []
    facts = [{"title": plain(f.name), "value": plain(f.value)} for f in fields if f.inline]
    if facts:
        elements.append({"type": "FactSet", "facts": facts})
    for field in fields:
        if not field.inline:
            elements.append(_rich([_run(field.name, weight="Bolder")]))
            elements.append(_rich([_run(field.value)]))
    return elements


def _rich(inlines: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": inlines}


def _run(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextRun", "text": text, **style}


def _name(user: UserRef) -> str:
    return user.display or user.id


def _unique(users: tuple[UserRef, ...]) -> list[UserRef]:
    seen: dict[str, UserRef] = {}
    for user in users:
        if user.platform == PLATFORM:
            seen.setdefault(user.id, user)
    return list(seen.values())
