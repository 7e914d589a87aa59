"""Drive a real Warroom in tests: fake chat platforms, a manual clock, no sleeps.

Everything below the adapter is real (engine, storage on SQLite, commands);
only the chat platform is replaced by :class:`FakeAdapter`, which records what
would have been posted.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from warroom.core.adapter.events import ButtonPressed, InboundEvent, MessageReceived, ReactionAdded
from warroom.core.adapter.messages import Message
from warroom.core.adapter.protocol import AdapterHealth, Capabilities, ChannelSpec, Sink
from warroom.core.adapter.refs import ConversationRef, MessageRef, UserRef
from warroom.core.app import Warroom
from warroom.core.clock import ManualClock
from warroom.core.commands.parse import parse
from warroom.core.commands.spec import UsageError
from warroom.core.config.loader import Config, load_config
from warroom.core.plugin.declare import Plugin

FULL = Capabilities(
    create_channel=True,
    private_channel=True,
    threads=True,
    buttons=True,
    reactions=True,
    edit=True,
    pin=True,
    direct_message=True,
    invite=True,
)


@dataclass(frozen=True, slots=True)
class Sent:
    conversation: ConversationRef
    message: Message
    key: str
    id: str
    in_reply_to: MessageRef | None = None

    @property
    def ref(self) -> MessageRef:
        return MessageRef(self.conversation, self.id)

    @property
    def actions(self) -> list[str]:
        """The actions of the message's buttons, to :meth:`Harness.click`."""
        return [button.action for button in self.message.buttons]

    @property
    def text(self) -> str:
        return self.message.plain_text()


@dataclass
class FakeAdapter:
    """A chat platform that records what it is asked to post and which channels it opened."""

    platform: str = "fake"
    capabilities: Capabilities = FULL
    sent: list[Sent] = field(default_factory=list)
    opened: list[ChannelSpec] = field(default_factory=list)
    fail_sends: bool = False
    edits: list[tuple[MessageRef, Message]] = field(default_factory=list)
    invites: list[tuple[ConversationRef, UserRef]] = field(default_factory=list)

    async def start(self, sink: Sink) -> None:
        return None

    async def stop(self) -> None:
        return None

    def health(self) -> AdapterHealth:
        return AdapterHealth()

    async def send(
        self, conversation: ConversationRef, message: Message, *, key: str, in_reply_to: MessageRef | None
    ) -> MessageRef:
        if self.fail_sends:
            raise ConnectionError("the fake platform is down")
        sent = Sent(conversation, message, key, f"m{len(self.sent) + 1}", in_reply_to)
        self.sent.append(sent)
        return sent.ref

    async def edit(self, message: MessageRef, replacement: Message) -> None:
        self.edits.append((message, replacement))

    async def invite(self, conversation: ConversationRef, user: UserRef) -> None:
        self.invites.append((conversation, user))

    async def create_channel(self, spec: ChannelSpec) -> ConversationRef:
        self.opened.append(spec)
        return ConversationRef(self.platform, f"c-{spec.name}", spec.name)

    def texts(self, conversation: ConversationRef | None = None) -> list[str]:
        return [s.text for s in self.sent if conversation is None or s.conversation == conversation]


class Harness:
    """A Warroom on a SQLite file with one fake platform, spoken to as people would.

    ``plugins`` maps names to plugin classes to load (with ``plugin_config`` sections);
    without it no plugin loads, so a test sees only what it asked for. Nothing here
    sleeps: :meth:`settle` waits until every piece of pending work is done, and
    :meth:`elapse` moves the clock and runs whatever became due.
    """

    def __init__(
        self,
        database: Path,
        *,
        config: Config | None = None,
        adapter: FakeAdapter | None = None,
        plugins: Mapping[str, type[Plugin]] | None = None,
        plugin_config: Mapping[str, dict[str, Any]] | None = None,
    ) -> None:
        self.config = config or load_config(None, environ={"WARROOM_DATABASE_URL": f"sqlite:///{database}"})
        self.clock = ManualClock()
        self.app = Warroom(self.config, clock=self.clock)
        self.adapter = adapter or FakeAdapter()
        self.app.add_adapter(self.adapter)
        self.lobby = ConversationRef(self.adapter.platform, "lobby", "lobby")
        self._plugins = dict(plugins or {})
        self._plugin_config = dict(plugin_config or {})
        self._started = False

    async def start(self) -> None:
        """Start the app and load the plugins; the other methods call this for you."""
        if self._started:
            return
        self._started = True
        classes = {name: (cls, self._plugin_config.get(name)) for name, cls in self._plugins.items()}
        await self.app.start(plugins=False, classes=classes)

    def plugin(self, name: str) -> Plugin:
        """A loaded plugin instance (fails the test with the reason when it did not load)."""
        for loaded_name, plugin in zip(self.app.plugins.loaded_names(), self.app.plugins.plugins(), strict=True):
            if loaded_name == name:
                return plugin
        status = self.app.plugins.statuses.get(name)
        raise AssertionError(f"plugin {name} is not loaded: {status.reason if status else 'never loaded'}")

    def user(self, name: str) -> UserRef:
        return UserRef(self.adapter.platform, name.lower(), name)

    def event(
        self, text: str, *, user: str, channel: ConversationRef | None = None, event_id: str | None = None
    ) -> MessageReceived:
        mentions = {word[1:]: self.user(word[1:]) for word in text.split() if word.startswith("@") and len(word) > 1}
        return MessageReceived(
            event_id=event_id or uuid.uuid4().hex,
            conversation=channel or self.lobby,
            user=self.user(user),
            at=self.clock.now(),
            text=text,
            mentions=mentions,
        )

    async def say(
        self, text: str, *, user: str = "alice", channel: ConversationRef | None = None, event_id: str | None = None
    ) -> list[str]:
        """Post ``text`` and return what Warroom answered to it, anywhere."""
        return await self.feed(self.event(text, user=user, channel=channel, event_id=event_id))

    async def click(self, action: str, *, user: str = "alice", channel: ConversationRef | None = None) -> list[str]:
        """Press a button whose action is ``action`` (see ``Button.action`` in what was sent)."""
        return await self.feed(
            ButtonPressed(uuid.uuid4().hex, channel or self.lobby, self.user(user), self.clock.now(), action)
        )

    async def react(self, sent: Sent, emoji: str, *, user: str = "alice") -> list[str]:
        """React to a message Warroom posted."""
        return await self.feed(
            ReactionAdded(uuid.uuid4().hex, sent.conversation, self.user(user), self.clock.now(), sent.ref, emoji)
        )

    async def feed(self, event: InboundEvent) -> list[str]:
        await self.start()
        before = len(self.adapter.sent)
        await self.app.inbound(event)
        await self.settle()
        return [s.text for s in self.adapter.sent[before:]]

    async def settle(self) -> None:
        """Wait until nothing is pending: jobs, replies, plugin hooks, scheduled work that is due."""
        await self.start()
        await self.app.settle()

    async def elapse(self, delta: timedelta) -> list[str]:
        """Move the clock by ``delta``, run what became due, and return what Warroom posted meanwhile."""
        before = len(self.adapter.sent)
        self.advance(delta)
        await self.settle()
        return [s.text for s in self.adapter.sent[before:]]

    def example_problems(self) -> list[str]:
        """Every help example that does not parse as its own command: examples are tests too."""
        problems = []
        registry = self.app.commands.registry
        prefixes = self.config.commands.prefixes
        for spec in registry.specs():
            for example in spec.examples:
                text = next((example[len(p) :] for p in prefixes if example.startswith(p + " ")), example)
                try:
                    parsed = parse(text.strip(), registry)
                except UsageError as error:
                    problems.append(f"{example}: {error.message}")
                    continue
                if parsed.spec is not spec:
                    problems.append(f"{example}: parses as “{parsed.spec.name}”, not “{spec.name}”")
        return problems

    def channel(self, reference: str) -> ConversationRef:
        found = self.app.channels_of(reference, self.adapter.platform)
        assert found, f"{reference} has no channel"
        return found[0]

    def advance(self, delta: timedelta) -> None:
        """Move the clock only; :meth:`elapse` also runs what became due."""
        self.clock.set(self.clock.now() + delta)

    async def close(self) -> None:
        await self.app.close()
