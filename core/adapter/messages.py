"""Portable messages: what the core says, before an adapter renders it.

Adapters turn these into a Discord embed, a Teams Adaptive Card or a Matrix
``formatted_body``; keeping the structure (not a pre-formatted string) is what
lets each platform use its own idiom and escape user text correctly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from warroom.core.adapter.refs import UserRef


class Tone(Enum):
    """How a message reads at a glance; each platform shows it its own way (a colour, an emoji)."""

    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Text:
    """A run of text, shown as typed (adapters escape it); the flags are emphasis, not markup."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


@dataclass(frozen=True, slots=True)
class Mention:
    """A person named in a paragraph; it notifies them only if they are in the message's ``pings`` too."""

    user: UserRef


Inline = Text | Mention


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Text and mentions in order, one paragraph of a message."""

    parts: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """Preformatted text (a draft, an export) shown verbatim; ``language`` is a highlighting hint like ``markdown``."""

    text: str
    language: str = ""


Block = Paragraph | CodeBlock


@dataclass(frozen=True, slots=True)
class Field:
    """A labelled value such as ``Severity: SEV2``; ``inline`` ones may share a line where the platform can."""

    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True, slots=True)
class Button:
    """A button; ``action`` comes back verbatim in ``ButtonPressed``."""

    action: str
    label: str
    danger: bool = False


@dataclass(frozen=True, slots=True)
class Message:
    """What Warroom or a plugin says, kept as structure so each platform renders it in its own idiom.

    Blocks are the body; a title or fields make it a card where the platform has
    cards. Only the people in ``pings`` are notified: mentions in the text alone
    never ping anyone, so quoting a name can't page a person by accident.
    """

    blocks: tuple[Block, ...] = ()
    title: str = ""
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()
    tone: Tone = Tone.INFO
    pings: tuple[UserRef, ...] = field(default=())

    @classmethod
    def plain(cls, text: str, *, tone: Tone = Tone.INFO, title: str = "") -> Message:
        """A message of one paragraph of ``text``: what most replies are."""
        return cls(blocks=(Paragraph((Text(text),)),), tone=tone, title=title)

    def plain_text(self) -> str:
        """A readable plain-text rendering, for consoles, logs and fallbacks."""
        lines: list[str] = []
        if self.title:
            lines.append(self.title)
        for block in self.blocks:
            if isinstance(block, CodeBlock):
                lines.extend(["```" + block.language, block.text, "```"])
            else:
                lines.append("".join(_inline_text(part) for part in block.parts))
        lines.extend(f"{f.name}: {f.value}".replace("\n", "\n  ") for f in self.fields)
        if self.buttons:
            lines.append("  ".join(f"[{b.label}]" for b in self.buttons))
        return "\n".join(lines)


def _inline_text(part: Inline) -> str:
    if isinstance(part, Mention):
        return "@" + (part.user.display or part.user.id)
    return f"`{part.text}`" if part.code else part.text
