"""The contract between the core and a chat platform adapter.

An adapter translates: platform events become core events handed to a
:class:`Sink`, and portable messages become the platform's own idiom. It
declares what its platform can do so the core can choose fallbacks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from .events import InboundEvent
from .messages import Message
from .refs import ConversationRef, MessageRef, UserRef


@dataclass(frozen=True, slots=True)
class Capabilities:
    create_channel: bool = False
    private_channel: bool = False
    threads: bool = False
    buttons: bool = False
    reactions: bool = False
    edit: bool = False
    pin: bool = False
    direct_message: bool = False


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """What the core asks for when an incident needs a space of its own."""

    name: str
    topic: str
    private: bool
    members: tuple[UserRef, ...]
    requested_in: ConversationRef


class Sink(Protocol):
    """Where an adapter hands inbound events; returns once they are handled."""

    def __call__(self, event: InboundEvent) -> Awaitable[None]: ...


class Adapter(Protocol):
    """A chat platform connection hosted by the Warroom process."""

    platform: str
    capabilities: Capabilities

    async def start(self, sink: Sink) -> None:
        """Connect, and from now on hand every inbound event to ``sink``."""

    async def stop(self) -> None: ...

    async def send(self, conversation: ConversationRef, message: Message, *, key: str) -> MessageRef | None:
        """Post ``message``; ``key`` is stable per trigger so a platform can deduplicate resends."""

    async def create_channel(self, spec: ChannelSpec) -> ConversationRef:
        """Open a space for an incident; only called when ``capabilities.create_channel``."""


AdapterFactory = Callable[..., Adapter]
