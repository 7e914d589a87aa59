"""Portable messages as Matrix ``m.notice`` content: a plain ``body`` and an HTML ``formatted_body``.

Every piece of text is HTML-escaped, and a person is turned into a pill (and
listed in ``m.mentions``, which is what makes clients notify) only when the
message explicitly pings them. Everything else carries ``m.mentions: {}``, so
``@room`` or a user id inside user text notifies nobody. The tone has no
Matrix idiom of its own: the core's texts carry their emoji already. A command
hint is written with the Matrix prefix (``!incident …``).
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote

from warroom.core.adapter import CodeBlock, Command, Inline, Mention, Message, Paragraph, UserRef

PLATFORM = "matrix"
NOTICE = "m.notice"
HTML = "org.matrix.custom.html"
# A Matrix event may be 64 KiB in all; leave room for the envelope.
MAX_CONTENT_BYTES = 60_000
_TRUNCATED = "\n… (truncated)"


class Renderer:
    """Renders command hints with the Matrix command prefix.

    Element (and other clients) take ``/word`` as one of their own commands, so a
    hint to type ``/incident approve 3`` would not work there; ``!incident`` does.
    The core names every command it suggests as a :class:`Command` part, written
    here with that prefix; text is never rewritten, so what people wrote is quoted as they wrote it.
    """

    def __init__(self, command_prefix: str) -> None:
        self._prefix = command_prefix

    def content(self, message: Message) -> dict[str, Any]:
        body, formatted, pinged = self._render(message)
        content: dict[str, Any] = {"msgtype": NOTICE, "body": body, "format": HTML, "formatted_body": formatted}
        content["m.mentions"] = {"user_ids": pinged} if pinged else {}
        return _fit(content)

    def edit(self, original_event_id: str, message: Message) -> dict[str, Any]:
        """An ``m.replace`` edit: clients show ``m.new_content``; the outer fields are the fallback."""
        new = self.content(message)
        content = {
            "msgtype": NOTICE,
            "body": "* " + new["body"],
            "m.new_content": new,
            "m.relates_to": {"rel_type": "m.replace", "event_id": original_event_id},
            "m.mentions": {},
        }
        if "formatted_body" in new:
            content["format"] = HTML
            content["formatted_body"] = "* " + new["formatted_body"]
        return content

    def _render(self, message: Message) -> tuple[str, str, list[str]]:
        pings = {ref.id for ref in message.pings if ref.platform == PLATFORM}
        pinged: list[str] = []
        plain: list[str] = []
        rich: list[str] = []
        title = message.title
        if title:
            plain.append(title)
            rich.append(f"<p><strong>{_escape(title)}</strong></p>")
        for block in message.blocks:
            if isinstance(block, CodeBlock):
                plain.extend(["```" + block.language, block.text, "```"])
                language = f' class="language-{html.escape(block.language)}"' if block.language else ""
                rich.append(f"<pre><code{language}>{html.escape(block.text)}</code></pre>")
            else:
                text, markup = self._paragraph(block, pings, pinged)
                plain.append(text)
                rich.append(f"<p>{markup}</p>")
        if message.fields:
            items = []
            for field in message.fields:
                name, value = field.name, field.value
                plain.append(f"{name}: {value}".replace("\n", "\n  "))
                items.append(f"<li><strong>{_escape(name)}</strong>: {_escape(value)}</li>")
            rich.append("<ul>" + "".join(items) + "</ul>")
        if message.buttons:  # Matrix has no buttons; the core offers reactions or typed answers instead
            labels = "  ".join(f"[{button.label}]" for button in message.buttons)
            plain.append(labels)
            rich.append(f"<p>{_escape(labels)}</p>")
        return "\n".join(plain), "".join(rich), pinged

    def _paragraph(self, block: Paragraph, pings: set[str], pinged: list[str]) -> tuple[str, str]:
        plain: list[str] = []
        rich: list[str] = []
        for part in block.parts:
            text, markup = self._inline(part, pings, pinged)
            plain.append(text)
            rich.append(markup)
        return "".join(plain), "".join(rich)

    def _inline(self, part: Inline, pings: set[str], pinged: list[str]) -> tuple[str, str]:
        if isinstance(part, Mention):
            return _mention(part.user, pings, pinged)
        if isinstance(part, Command):
            text = part.written(self._prefix)
            return text, _escape(text)
        text = part.text
        markup = _escape(text)
        if part.code:
            markup = f"<code>{html.escape(text)}</code>"
            text = f"`{text}`"
        if part.bold:
            markup = f"<strong>{markup}</strong>"
        if part.italic:
            markup = f"<em>{markup}</em>"
        return text, markup


def _mention(user: UserRef, pings: set[str], pinged: list[str]) -> tuple[str, str]:
    name = user.display or user.id
    if user.platform == PLATFORM and user.id in pings:
        if user.id not in pinged:
            pinged.append(user.id)
        link = f"https://matrix.to/#/{quote(user.id, safe='@:')}"
        return "@" + name, f'<a href="{html.escape(link)}">{html.escape(name)}</a>'
    return "@" + name, _escape("@" + name)


def _escape(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _fit(content: dict[str, Any]) -> dict[str, Any]:
    """Keep an event under Matrix's size limit: drop the HTML first, then shorten the text."""
    size = len(content["body"].encode()) + len(content.get("formatted_body", "").encode())
    if size <= MAX_CONTENT_BYTES:
        return content
    content = {key: value for key, value in content.items() if key not in ("format", "formatted_body")}
    body = content["body"].encode()
    if len(body) > MAX_CONTENT_BYTES:
        content["body"] = body[: MAX_CONTENT_BYTES - 64].decode(errors="ignore") + _TRUNCATED
    return content
