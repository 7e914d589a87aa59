"""Events that flow into the core from adapters, and out of it to plugins.

Inbound events carry a platform ``event_id`` that is stable across
redeliveries; the core records it with the change it causes, so a second
delivery of the same event is recognised and skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from warroom.core.adapter.refs import ConversationRef, MessageRef, UserRef


@dataclass(frozen=True, slots=True)
class InboundEvent:
    """Something a person did on a platform; the subclasses say what."""

    event_id: str
    """The platform's id for the event, the same on every redelivery; unique on its platform."""
    conversation: ConversationRef
    """Where it happened; replies go there."""
    user: UserRef
    """Who did it."""
    at: datetime
    """When the platform says it happened (timezone-aware)."""


@dataclass(frozen=True, slots=True)
class MessageReceived(InboundEvent):
    """A chat message; commands arrive this way when typed as text.

    ``mentions`` maps each ``@token`` in ``text`` to the person it names, so the
    core resolves mentions without knowing any platform's mention syntax.
    """

    text: str
    mentions: dict[str, UserRef] = field(default_factory=dict)
    message: MessageRef | None = None
    """The message itself, which replies answer (see :func:`trigger_of`); None where the text did not come
    as a message of its own (a slash command's free-text option)."""


@dataclass(frozen=True, slots=True)
class CommandInvoked(InboundEvent):
    """A command from a native form (a slash command, a card action), already split into words."""

    argv: tuple[str, ...]
    """The command's words after the prefix (``("role", "take", "commander")``), read as typed."""
    mentions: dict[str, UserRef] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReactionAdded(InboundEvent):
    """An emoji added to a message: ✅/❌ decide a confirmation prompt, the key reaction pins a timeline entry."""

    message: MessageRef
    """The message reacted to."""
    emoji: str
    """As the core knows it (the platform's configured key reaction is handed over as 📌)."""


@dataclass(frozen=True, slots=True)
class ButtonPressed(InboundEvent):
    """A click on one of Warroom's buttons."""

    action: str
    """The :class:`Button`'s ``action``, verbatim."""
    message: MessageRef | None = None
    """The message the button was on, when the platform says."""


@dataclass(frozen=True, slots=True)
class MemberJoined(InboundEvent):
    """Someone joined the conversation; in an incident's channel they join the incident."""


def event_key(event: InboundEvent) -> str:
    """The id under which an event is deduplicated: unique per platform."""
    return f"{event.conversation.platform}:{event.event_id}"


def trigger_of(event: InboundEvent) -> MessageRef:
    """What replies to ``event`` answer (``in_reply_to`` of :meth:`Adapter.send`): a chat message itself, else
    the event under its own id (a slash command's interaction, a button press), which its adapter recognises."""
    if isinstance(event, MessageReceived) and event.message is not None:
        return event.message
    return MessageRef(event.conversation, event.event_id)
