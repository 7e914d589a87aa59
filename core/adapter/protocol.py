"""The contract between the core and a chat platform adapter.

An adapter translates: platform events become core events handed to a
:class:`Sink`, and portable messages become the platform's own idiom. It
declares what its platform can do so the core can choose fallbacks.

Everything the process relies on is stated here, so the core never probes an
adapter for what it might have: how it is built (:class:`AdapterFactory`),
how it is doing (:meth:`Adapter.health`), and, for the few that serve or
receive HTTP, :class:`WebServer` and :class:`WebhookReceiver`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel
from warroom.core.adapter.catalogue import Catalogue
from warroom.core.adapter.events import InboundEvent
from warroom.core.adapter.messages import Message
from warroom.core.adapter.refs import ConversationRef, MessageRef, UserRef

_DOWN_STATES = frozenset({"failed", "stopped", "disconnected"})


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a platform can do; the core picks a fallback for what it cannot (typed answers for buttons)."""

    create_channel: bool = False
    """Open a space per incident (:meth:`Adapter.create_channel`)."""
    private_channel: bool = False
    """Open one that only invited people see."""
    threads: bool = False
    buttons: bool = False
    """Show buttons that come back as :class:`ButtonPressed`."""
    reactions: bool = False
    """Report reactions as :class:`ReactionAdded` (✅/❌ decide a confirmation without buttons)."""
    edit: bool = False
    """Replace a posted message (:meth:`Adapter.edit`)."""
    pin: bool = False
    direct_message: bool = False
    invite: bool = False
    """Bring a person into an existing channel (:meth:`Adapter.invite`)."""


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """What the core asks for when an incident needs a space of its own."""

    name: str
    """A channel-safe name like ``inc-3-payment-api-down``."""
    topic: str
    private: bool
    members: tuple[UserRef, ...]
    """Who must be in it from the start (the declarer, role holders)."""
    requested_in: ConversationRef
    """Where it was asked for, so the adapter can open it next to that (the same server or team)."""


class Sink(Protocol):
    """Where an adapter hands inbound events; returns once they are handled."""

    def __call__(self, event: InboundEvent) -> Awaitable[None]:
        """Handle ``event``; awaiting it means the core has recorded what it caused."""
        ...


@dataclass(frozen=True, slots=True)
class AdapterHealth:
    """How an adapter's connection is doing, for the logs and ``GET /health``."""

    state: str | None = None
    """What it is doing, in its platform's words (``ready``, ``syncing``, ``listening``); None if it has no state."""
    ok: bool | None = None
    """Whether all is well; None judges by ``state`` (failed, stopped and disconnected are not)."""
    details: Mapping[str, Any] = field(default_factory=dict)
    """Anything else worth showing an operator (counters, the last error); JSON-serialisable values."""

    @property
    def healthy(self) -> bool:
        """``ok`` when the adapter said, else whether ``state`` is not one of the down states."""
        return self.ok if self.ok is not None else self.state not in _DOWN_STATES

    def report(self) -> dict[str, Any]:
        """The JSON object ``GET /health`` shows for this adapter: the details, the state and ``ok``."""
        state = {} if self.state is None else {"state": self.state}
        return {**self.details, **state, "ok": self.healthy}


class Adapter(Protocol):
    """A chat platform connection hosted by the Warroom process."""

    platform: str
    """The platform's name (``discord``); every reference the adapter makes carries it."""
    capabilities: Capabilities

    async def start(self, sink: Sink) -> None:
        """Connect, and from now on hand every inbound event to ``sink``; returns when the adapter stops."""

    async def stop(self) -> None:
        """Finish what was received, then let go of the platform; :meth:`start` returns after this."""

    async def send(
        self, conversation: ConversationRef, message: Message, *, key: str, in_reply_to: MessageRef | None
    ) -> MessageRef | None:
        """Post ``message``; returns the posted message, if the platform says which it is.

        ``key`` is stable per reply of one trigger, so a platform can deduplicate a resend. ``in_reply_to`` is
        what triggered the reply, on this platform, when something did (see :func:`trigger_of`): a message
        to answer in its thread, a slash command to follow up on. It may be in another conversation than
        ``conversation``: a confirmation asked for from elsewhere is also posted in the incident's channels.
        """

    async def create_channel(self, spec: ChannelSpec) -> ConversationRef:
        """Open a space for an incident; only called when ``capabilities.create_channel``."""

    async def edit(self, message: MessageRef, replacement: Message) -> None:
        """Replace a message Warroom posted (a decided confirmation loses its buttons);
        only called when ``capabilities.edit``."""

    async def invite(self, conversation: ConversationRef, user: UserRef) -> None:
        """Let ``user`` into an incident's channel opened earlier (a private one admits only who was there
        when it was created); only called when ``capabilities.invite``, with a user of this platform.
        Inviting someone who is already in must succeed quietly."""

    def health(self) -> AdapterHealth:
        """How the connection is doing right now; cheap, called on every health check."""
        ...


class AdapterFactory(Protocol):
    """What a ``warroom.adapters`` entry point names: an adapter class, built as ``cls(settings, host)``."""

    @property
    def Settings(self) -> type[BaseModel]:
        """The pydantic model of the adapter's section under ``adapters:``; the loader validates it with this."""
        ...

    def __call__(self, settings: Any, host: AdapterHost, /) -> Adapter:
        """The adapter for ``settings`` (an instance of :attr:`Settings`), not yet started; ``host`` is the
        Warroom process, which an adapter may take as any narrower protocol of what it uses."""
        ...


@runtime_checkable
class WebServer(Protocol):
    """An adapter that runs the process's one HTTP server (the web adapter); others mount on it."""

    @property
    def app(self) -> Any:
        """The ``aiohttp.web.Application`` it serves; routes may be added until it starts."""
        ...


@runtime_checkable
class WebhookReceiver(Protocol):
    """An adapter whose platform calls it over HTTP (Teams' messaging endpoint)."""

    def mount(self, app: Any) -> None:
        """Serve the webhook on the shared ``aiohttp.web.Application`` (before it starts), and open no server of
        its own; without a :class:`WebServer` in the process it is never called."""


class AdapterState(Protocol):
    """Small durable values an adapter keeps across restarts (a sync token, a device id, a cursor)."""

    def get(self, key: str, default: Any = None) -> Any:
        """The value last committed under ``key``, else ``default``."""

    async def set(self, key: str, value: Any) -> None:
        """Store ``value`` (JSON-serialisable) under ``key``, in order with the events handed over before;
        durable once this returns."""


class AdapterHost(Protocol):
    """What the core offers an adapter besides the sink it hands events to."""

    def channels_of(self, reference: str, platform: str) -> list[ConversationRef]:
        """An incident's channels on a platform (``reference`` like ``INC-3``)."""
        ...

    def adapter_state(self, platform: str) -> AdapterState:
        """The durable key-value state of ``platform``'s adapter."""
        ...

    def health(self) -> dict[str, Any]:
        """The whole process's state, for health endpoints."""
        ...

    def catalogue(self) -> Catalogue:
        """The commands and their vocabulary, for native command forms (slash commands, autocompletion).

        The same object while the commands stay the same; a new one after a plugin changed them.
        """
        ...
