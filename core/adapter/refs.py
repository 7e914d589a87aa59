"""Opaque references to things that live on a chat platform.

The core never interprets an id; it only stores and compares them, so each
adapter is free to use whatever is stable on its platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class UserRef:
    """A person's identity on one platform; ``display`` is a hint, never a key."""

    platform: str
    id: str
    display: str = field(default="", compare=False)  # names change; identity does not

    @property
    def key(self) -> str:
        """``platform:id``: the identity as one string, unique across platforms."""
        return f"{self.platform}:{self.id}"


@dataclass(frozen=True, slots=True)
class ConversationRef:
    """A channel, room or thread; ``name`` is how people see it."""

    platform: str
    id: str
    name: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message that was posted, so it can be edited or reacted to later."""

    conversation: ConversationRef
    id: str
