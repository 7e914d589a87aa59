"""The contract between the core and a chat platform adapter.

An adapter translates: platform events become core events handed to a
:class:`Sink`, and portable messages become the platform's own idiom. It
declares what its platform can do so the core can choose fallbacks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from warroom.core.adapter.catalogue import Catalogue
from warroom.core.adapter.events import InboundEvent
from warroom.core.adapter.messages import Message
from warroom.core.adapter.refs import ConversationRef, MessageRef, UserRef


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
    invite: bool = False  # bring a person into an existing channel (see Adapter.invite)


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

    async def edit(self, message: MessageRef, replacement: Message) -> None:
        """Replace a message Warroom posted (a decided confirmation loses its buttons);
        only called when ``capabilities.edit``."""

    async def invite(self, conversation: ConversationRef, user: UserRef) -> None:
        """Let ``user`` into an incident's channel opened earlier (a private one admits only who was there
        when it was created); only called when ``capabilities.invite``, with a user of this platform.
        Inviting someone who is already in must succeed quietly."""


class AdapterState(Protocol):
    """Small durable values an adapter keeps across restarts (a sync token, a device id, a cursor)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    async def set(self, key: str, value: Any) -> None: ...


class AdapterHost(Protocol):
    """What the core offers an adapter besides the sink it hands events to."""

    def channels_of(self, reference: str, platform: str) -> list[ConversationRef]:
        """An incident's channels on a platform (``reference`` like ``INC-3``)."""
        ...

    def adapter_state(self, platform: str) -> AdapterState: ...

    def health(self) -> dict[str, Any]:
        """The whole process's state, for health endpoints."""
        ...

    def catalogue(self) -> Catalogue:
        """The commands and their vocabulary, for native command forms (slash commands, autocompletion).

        The same object while the commands stay the same; a new one after a plugin changed them.
        """
        ...


AdapterFactory = Callable[..., Adapter]
