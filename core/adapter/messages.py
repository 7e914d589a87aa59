"""Portable messages: what the core says, before an adapter renders it.

Adapters turn these into a Discord embed, a Teams Adaptive Card or a Matrix
``formatted_body``; keeping the structure (not a pre-formatted string) is what
lets each platform use its own idiom and escape user text correctly. A command
people should type is a :class:`Command` part for the same reason: each
platform has its own way of typing one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from warroom.core.adapter.refs import UserRef


class Tone(Enum):
    """What kind of news a message is; platforms show it as a colour or a mark."""

    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Text:
    """A run of text, shown literally (adapters escape it); the styles are hints a platform may ignore."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


@dataclass(frozen=True, slots=True)
class Mention:
    """A person named in the text; it pings them only when the message lists them in ``pings`` too."""

    user: UserRef


@dataclass(frozen=True, slots=True)
class Command:
    """A command people can type, written without its prefix: ``Command("role take commander")``.

    Each adapter writes it the way its platform's people type commands: ``/incident role take
    commander`` on Discord and the console, ``!incident …`` on Matrix (clients keep ``/words`` for
    themselves), ``@Warroom incident …`` on Teams. A literal ``/incident`` in a :class:`Text` would be
    wrong on every platform but the first.
    """

    text: str = ""
    """What follows the prefix; empty for the prefix alone."""

    def written(self, prefix: str) -> str:
        """The command as typed after ``prefix`` (``/incident``, ``@Warroom incident``)."""
        return f"{prefix} {self.text}" if self.text else prefix


Inline = Text | Mention | Command
"""What a paragraph is made of."""


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of inline parts; a ``\n`` inside a text is a line break."""

    parts: tuple[Inline, ...]

    @classmethod
    def of(cls, *parts: str | Inline) -> Paragraph:
        """A paragraph from strings (plain text) and parts::

        Paragraph.of("Take a role with “", Command("role take commander"), "”.")
        """
        return cls(tuple(Text(part) if isinstance(part, str) else part for part in parts))


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """Preformatted text (a command's output, a query), shown in a monospace block."""

    text: str
    language: str = ""
    """A highlighting hint (``sql``), where the platform has highlighting."""


Block = Paragraph | CodeBlock
"""What a message's body is made of."""


@dataclass(frozen=True, slots=True)
class Field:
    """A labelled value (``Status: mitigated``); short ones may sit side by side (``inline``)."""

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
    """Where the platform has none, the core has offered another way to answer (reactions, a typed command)."""
    tone: Tone = Tone.INFO
    pings: tuple[UserRef, ...] = field(default=())
    """Who is notified; a :class:`Mention` of anyone else only names them."""

    @classmethod
    def plain(cls, text: str, *, tone: Tone = Tone.INFO, title: str = "") -> Message:
        """A message of one paragraph of plain text."""
        return cls(blocks=(Paragraph((Text(text),)),), tone=tone, title=title)

    @classmethod
    def of(cls, *parts: str | Inline, tone: Tone = Tone.INFO, title: str = "") -> Message:
        """A message of one paragraph made of strings and parts (see :meth:`Paragraph.of`)."""
        return cls(blocks=(Paragraph.of(*parts),), tone=tone, title=title)

    def plain_text(self, prefix: str = "/incident") -> str:
        """A readable plain-text rendering, for consoles, logs and fallbacks; commands start with ``prefix``."""
        lines: list[str] = []
        if self.title:
            lines.append(self.title)
        for block in self.blocks:
            if isinstance(block, CodeBlock):
                lines.extend(["```" + block.language, block.text, "```"])
            else:
                lines.append("".join(_inline_text(part, prefix) for part in block.parts))
        lines.extend(f"{f.name}: {f.value}".replace("\n", "\n  ") for f in self.fields)
        if self.buttons:
            lines.append("  ".join(f"[{b.label}]" for b in self.buttons))
        return "\n".join(lines)


def _inline_text(part: Inline, prefix: str) -> str:
    if isinstance(part, Mention):
        return "@" + (part.user.display or part.user.id)
    if isinstance(part, Command):
        return part.written(prefix)
    return f"`{part.text}`" if part.code else part.text
