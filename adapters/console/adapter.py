"""A terminal as a chat platform: each input line is a message in the current channel.

It goes through the same adapter contract as Discord, Teams and Matrix, so a
scripted console session exercises the real pipeline. Lines starting with
``:`` steer the console itself and are never sent as chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import re
import sys
import threading
import uuid
from datetime import UTC, datetime
from typing import Any, Protocol, TextIO

from pydantic import BaseModel, ConfigDict, Field
from warroom.core.adapter import (
    AdapterHealth,
    Capabilities,
    Catalogue,
    ChannelSpec,
    ConversationRef,
    Message,
    MessageReceived,
    MessageRef,
    Sink,
    Tone,
    UserRef,
)

_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9][\w.-]*)")
_TONE_MARK = {Tone.ERROR: "⚠ ", Tone.WARNING: "", Tone.SUCCESS: "", Tone.INFO: ""}
CONTROLS_HELP = """Console controls (not sent as chat):
  :as NAME        speak as NAME (then @NAME in a command means that person)
  :join CHANNEL   move to a channel by name, or to an incident's channel (:join INC-1)
  :where          show who and where you are
  :quit           leave (end of input does the same)
Anything else is a chat message in the current channel; commands start with /incident."""


class ConsoleSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    user: str = Field(default_factory=getpass.getuser, min_length=1, description="who you are at start")
    channel: str = Field(default="general", min_length=1, description="the channel you start in")


class ConsoleHost(Protocol):
    """What the console uses of the Warroom process: incident channels to ``:join``, the command prefix."""

    def channels_of(self, reference: str, platform: str) -> list[ConversationRef]:
        """An incident's channels on a platform."""
        ...

    def catalogue(self) -> Catalogue:
        """The commands; their first prefix is how command hints are printed."""
        ...


class ConsoleAdapter:
    platform = "console"
    capabilities = Capabilities(create_channel=True, private_channel=True, invite=True)
    Settings = ConsoleSettings

    def __init__(
        self,
        settings: ConsoleSettings,
        host: ConsoleHost,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
    ) -> None:
        self._host = host
        self._in = stdin or sys.stdin
        self._out = stdout or sys.stdout
        self._interactive = self._in.isatty()
        self.user = _user(settings.user)
        self.channel = _channel(settings.channel)
        self._channels: dict[str, ConversationRef] = {self.channel.id: self.channel}
        self._sent = 0
        self._stopping = asyncio.Event()

    async def start(self, sink: Sink) -> None:
        """Read lines until end of input, ``:quit`` or :meth:`stop`; each is handled before the next is read."""
        if self._interactive:
            self._print(f"Warroom console. You are {self.user.display} in #{self.channel.name}. Type :help for help.")
        while not self._stopping.is_set():
            if self._interactive:
                self._out.write(f"[#{self.channel.name}] {self.user.display}> ")
                self._out.flush()
            line = await self._readline()
            if not line or not await self.handle_line(line.rstrip("\r\n"), sink):
                return

    async def _readline(self) -> str:
        """The next input line ("" at its end, or once stopping).

        Read in a daemon thread of its own, not the loop's executor: a read blocked on a terminal or
        on a pipe still open must neither delay :meth:`stop` nor keep the process alive at exit.
        """
        loop = asyncio.get_running_loop()
        line: asyncio.Future[str] = loop.create_future()

        def read() -> None:
            try:
                text = self._in.readline()
            except (OSError, ValueError):  # closed underneath us: the same as its end
                text = ""
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits for this line
                loop.call_soon_threadsafe(_resolve, line, text)

        threading.Thread(target=read, name="console-input", daemon=True).start()
        stopping = asyncio.ensure_future(self._stopping.wait())
        either: list[asyncio.Future[Any]] = [line, stopping]
        try:
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        return line.result() if line.done() and not self._stopping.is_set() else ""

    async def handle_line(self, text: str, sink: Sink) -> bool:
        """Act on one typed line: a console control, or a message in the current channel.

        Returns False for ``:quit``. Public so scripted drivers can type without a terminal.
        """
        if text.startswith(":"):
            return self._control(text)
        if text.strip():
            await sink(self._message(text))
        return True

    async def stop(self) -> None:
        """Read no further input; the line being handled, if any, is finished by the core."""
        self._stopping.set()
        self._out.flush()

    def health(self) -> AdapterHealth:
        """A terminal has no connection to lose."""
        return AdapterHealth()

    async def send(
        self, conversation: ConversationRef, message: Message, *, key: str, in_reply_to: MessageRef | None
    ) -> MessageRef:
        self._sent += 1
        body = message.plain_text(self._prefix()).replace("\n", "\n    ")
        self._print(f"[#{conversation.name or conversation.id}] Warroom: {_TONE_MARK[message.tone]}{body}")
        return MessageRef(conversation, f"m{self._sent}")

    async def edit(self, message: MessageRef, replacement: Message) -> None:
        """A terminal cannot change what it printed, so an edit is shown as an update of that message."""
        body = replacement.plain_text(self._prefix()).replace("\n", "\n    ")
        self._print(f"[#{message.conversation.name or message.conversation.id}] Warroom (update): {body}")

    async def invite(self, conversation: ConversationRef, user: UserRef) -> None:
        """A terminal has no membership (anyone may ``:join`` any channel): say what would have happened."""
        self._print(f"({user.display or user.id} was invited to #{conversation.name or conversation.id})")

    async def create_channel(self, spec: ChannelSpec) -> ConversationRef:
        channel = _channel(spec.name)
        self._channels[channel.id] = channel
        return channel

    def _message(self, text: str) -> MessageReceived:
        mentions = {name: _user(name) for name in _MENTION.findall(text)}
        return MessageReceived(
            event_id=uuid.uuid4().hex,
            conversation=self.channel,
            user=self.user,
            at=datetime.now(UTC),
            text=text,
            mentions=mentions,
        )

    def _control(self, text: str) -> bool:
        """Apply a console control; False means stop reading."""
        word, _, rest = text[1:].partition(" ")
        rest = rest.strip()
        if word in ("quit", "q", "exit"):
            return False
        if word == "as" and rest:
            self.user = _user(rest.removeprefix("@"))
            self._print(f"(you are now {self.user.display})")
        elif word == "join" and rest:
            self._join(rest)
        elif word == "where":
            self._print(f"(you are {self.user.display} in #{self.channel.name})")
        else:
            self._print(CONTROLS_HELP)
        return True

    def _join(self, target: str) -> None:
        if re.fullmatch(r"(?i)inc-\d+", target):
            found = self._host.channels_of(target, self.platform)
            if not found:
                self._print(f"(no console channel for {target.upper()}; is that the right incident?)")
                return
            self.channel = found[0]
        else:
            name = target.removeprefix("#")
            self.channel = self._channels.get(name) or _channel(name)
        self._print(f"(you are in #{self.channel.name})")

    def _prefix(self) -> str:
        """Command hints are printed with the first configured prefix, which is what people type here."""
        return self._host.catalogue().prefixes[0]

    def _print(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()


def _resolve(line: asyncio.Future[str], text: str) -> None:
    if not line.done():
        line.set_result(text)


def _user(name: str) -> UserRef:
    return UserRef("console", name.lower(), name)


def _channel(name: str) -> ConversationRef:
    name = name.removeprefix("#")
    return ConversationRef("console", name, name)
