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
    event_id: str
    conversation: ConversationRef
    user: UserRef
    at: datetime


@dataclass(frozen=True, slots=True)
class MessageReceived(InboundEvent):
    """A chat message; commands arrive this way when typed as text.

    ``mentions`` maps each ``@token`` in ``text`` to the person it names, so the
    core resolves mentions without knowing any platform's mention syntax.
    """

    text: str
    mentions: dict[str, UserRef] = field(default_factory=dict)
    message: MessageRef | None = None


@dataclass(frozen=True, slots=True)
class CommandInvoked(InboundEvent):
    """A command from a native form (a slash command, a card action), already split into words."""

    argv: tuple[str, ...]
    mentions: dict[str, UserRef] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReactionAdded(InboundEvent):
    message: MessageRef
    emoji: str


@dataclass(frozen=True, slots=True)
class ButtonPressed(InboundEvent):
    action: str
    message: MessageRef | None = None


@dataclass(frozen=True, slots=True)
class MemberJoined(InboundEvent):
    pass


def event_key(event: InboundEvent) -> str:
    """The id under which an event is deduplicated: unique per platform."""
    return f"{event.conversation.platform}:{event.event_id}"


def trigger_of(event: InboundEvent) -> MessageRef:
    """What replies to ``event`` answer (``in_reply_to`` of :meth:`Adapter.send`): a chat message itself, else
    the event under its own id (a slash command's interaction, a button press), which its adapter recognises."""
    if isinstance(event, MessageReceived) and event.message is not None:
        return event.message
    return MessageRef(event.conversation, event.event_id)
