"""Drive a real Warroom in tests: fake chat platforms, a manual clock, no sleeps.

Everything below the adapter is real (engine, storage on SQLite, commands);
only the chat platform is replaced by :class:`FakeAdapter`, which records what
would have been posted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from .adapter import Capabilities, ChannelSpec, Sink
from .app import Warroom
from .clock import ManualClock
from .config import Config, load_config
from .events import InboundEvent, MessageReceived
from .messages import Message
from .refs import ConversationRef, MessageRef, UserRef

FULL = Capabilities(create_channel=True, private_channel=True, threads=True, buttons=True, reactions=True,
                    edit=True, pin=True, direct_message=True)


@dataclass(frozen=True, slots=True)
class Sent:
    conversation: ConversationRef
    message: Message
    key: str

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

    async def start(self, sink: Sink) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, conversation: ConversationRef, message: Message, *, key: str) -> MessageRef:
        if self.fail_sends:
            raise ConnectionError("the fake platform is down")
        self.sent.append(Sent(conversation, message, key))
        return MessageRef(conversation, f"m{len(self.sent)}")

    async def create_channel(self, spec: ChannelSpec) -> ConversationRef:
        self.opened.append(spec)
        return ConversationRef(self.platform, f"c-{spec.name}", spec.name)

    def texts(self, conversation: ConversationRef | None = None) -> list[str]:
        return [s.text for s in self.sent if conversation is None or s.conversation == conversation]


class Harness:
    """A Warroom on a SQLite file with one fake platform, spoken to as people would."""

    def __init__(self, database: Path, *, config: Config | None = None, adapter: FakeAdapter | None = None) -> None:
        self.config = config or load_config(None, environ={"WARROOM_DATABASE_URL": f"sqlite:///{database}"})
        self.clock = ManualClock()
        self.app = Warroom(self.config, clock=self.clock)
        self.adapter = adapter or FakeAdapter()
        self.app.add_adapter(self.adapter)
        self.lobby = ConversationRef(self.adapter.platform, "lobby", "lobby")

    def user(self, name: str) -> UserRef:
        return UserRef(self.adapter.platform, name.lower(), name)

    def event(self, text: str, *, user: str, channel: ConversationRef | None = None,
              event_id: str | None = None) -> MessageReceived:
        mentions = {word[1:]: self.user(word[1:]) for word in text.split() if word.startswith("@") and len(word) > 1}
        return MessageReceived(
            event_id=event_id or uuid.uuid4().hex, conversation=channel or self.lobby, user=self.user(user),
            at=self.clock.now(), text=text, mentions=mentions,
        )

    async def say(self, text: str, *, user: str = "alice", channel: ConversationRef | None = None,
                  event_id: str | None = None) -> list[str]:
        """Post ``text`` and return what Warroom answered to it, anywhere."""
        return await self.feed(self.event(text, user=user, channel=channel, event_id=event_id))

    async def feed(self, event: InboundEvent) -> list[str]:
        before = len(self.adapter.sent)
        await self.app.inbound(event)
        await self.app.engine.settle()
        return [s.text for s in self.adapter.sent[before:]]

    def channel(self, reference: str) -> ConversationRef:
        found = self.app.channels_of(reference, self.adapter.platform)
        assert found, f"{reference} has no channel"
        return found[0]

    def advance(self, delta: timedelta) -> None:
        self.clock.set(self.clock.now() + delta)

    async def close(self) -> None:
        await self.app.close()
