"""From an adapter's event to a change: commands, chat capture, deduplication.

This is the :class:`~warroom.core.adapter.protocol.Sink` every adapter is given. It
runs each event as a job in the writer, records the event's id in the same
transaction as its effect, and answers bad input with a friendly message.
"""

from __future__ import annotations

import re
from functools import partial

from warroom.core.adapter.events import (
    ButtonPressed,
    CommandInvoked,
    InboundEvent,
    MemberJoined,
    MessageReceived,
    ReactionAdded,
    event_key,
    trigger_of,
)
from warroom.core.adapter.messages import Command, Inline, Message, Tone
from warroom.core.commands.context import CommandContext, CommandSet
from warroom.core.commands.decisions import answer
from warroom.core.commands.parse import parse, usage
from warroom.core.commands.spec import UsageError
from warroom.core.config.loader import Config
from warroom.core.engine.transaction import Duplicate, Transaction
from warroom.core.engine.writer import Writer
from warroom.core.errors import Invalid
from warroom.core.flows import confirmations
from warroom.core.flows.channels import ChannelOpener
from warroom.core.storage import queries

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

MAX_CAPTURED = 65_536


class Inbound:
    def __init__(self, writer: Writer, commands: CommandSet, config: Config, channel_opener: ChannelOpener) -> None:
        self.writer = writer
        self.commands = commands
        self.config = config
        self.channel_opener = channel_opener
        self._prefixes = tuple(sorted((p.lower() for p in config.commands.prefixes), key=len, reverse=True))

    async def __call__(self, event: InboundEvent) -> None:
        # Writer.enqueue's future directly: the same as awaiting Writer.submit, one coroutine fewer per event.
        await self.writer.enqueue(
            partial(self._handle, event),
            key=event_key(event),
            reply_to=event.conversation,
            in_reply_to=trigger_of(event),
            at=event.at,
        )

    def command_text(self, text: str) -> str | None:
        """The part after a command prefix, or None when the message is plain chat."""
        lowered = text[: len(self._prefixes[0]) + 1].lower()
        for prefix in self._prefixes:
            if lowered.startswith(prefix) and (len(text) == len(prefix) or text[len(prefix)].isspace()):
                return text[len(prefix) :].strip()
        return None

    def _handle(self, event: InboundEvent, tx: Transaction) -> None:
        if isinstance(event, MessageReceived):
            command = self.command_text(event.text)
            if command is not None:
                self._command(event, command, None, tx)
            else:
                self._capture(event, tx)
        elif isinstance(event, CommandInvoked):
            self._command(event, None, event.argv, tx)
        elif isinstance(event, ButtonPressed):
            self._button(event, tx)
        elif isinstance(event, ReactionAdded):
            self._reaction(event, tx)
        elif isinstance(event, MemberJoined):
            self._joined(event, tx)

    def _button(self, event: ButtonPressed, tx: Transaction) -> None:
        decision = confirmations.parse_button(event.action)
        if decision is None:
            return
        self._claim(tx)
        actor = tx.service.people.actor(event.user, event.at)
        answer(tx, actor, decision[0], decision[1], "", event.conversation)

    def _reaction(self, event: ReactionAdded, tx: Transaction) -> None:
        """✅ or ❌ on a confirmation prompt decides it (platforms without buttons); a pin marks a key event."""
        if event.emoji in self.config.incidents.key_reactions:
            self._pin(event, tx)
            return
        if event.emoji not in (confirmations.APPROVE, confirmations.REJECT):
            return
        confirmation_id = confirmations.for_message(tx, event.message)
        if confirmation_id is None:
            return
        self._claim(tx)
        actor = tx.service.people.actor(event.user, event.at)
        answer(tx, actor, confirmation_id, event.emoji == confirmations.APPROVE, "", event.conversation)

    def _pin(self, event: ReactionAdded, tx: Transaction) -> None:
        """A captured message's id is its event id, so the reaction finds the timeline entry it was recorded as."""
        service = tx.service
        incident_id = service.incident_in(event.conversation)
        found = queries.entry_from(service.db, f"{event.conversation.platform}:{event.message.id}")
        if incident_id is None or found is None or found[0] != incident_id or found[1].key:
            return
        self._claim(tx)
        incident, entry = service.get(incident_id), found[1]
        actor = service.people.actor(event.user, event.at)
        service.mark_key(incident, entry.seq, True)
        text = f"#{entry.seq} marked as key event"
        service.record(incident, "key", actor, text, tx.at, {"entry": entry.seq, "key": True, "by": "reaction"})

    def _joined(self, event: MemberJoined, tx: Transaction) -> None:
        incident_id = tx.service.incident_in(event.conversation)
        if incident_id is not None:
            self._claim(tx)
            actor = tx.service.people.actor(event.user, event.at)
            tx.service.join(tx.service.get(incident_id), actor.person_id, event.at)

    @staticmethod
    def _claim(tx: Transaction) -> str:
        """Claim the event for its job, whose key is the event's (see ``__call__``); a redelivered one stops
        the job, undoing what it did so far. Returns the key, which its timeline entry records as its source."""
        key = tx.key
        if not tx.service.claim(key, tx.at):
            raise Duplicate(key)
        return key

    def _capture(self, event: MessageReceived, tx: Transaction) -> None:
        service = tx.service
        incident_id = service.incident_in(event.conversation)
        if incident_id is None or not event.text.strip():
            return
        source = self._claim(tx)
        incident = service.get(incident_id)
        actor = service.people.actor(event.user, event.at)
        text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", event.text)
        data = {"truncated_from": len(text)} if len(text) > MAX_CAPTURED else None
        service.record(incident, "message", actor, text[:MAX_CAPTURED], event.at, data, source=source)
        service.join(incident, actor.person_id, event.at)

    def _command(self, event: InboundEvent, text: str | None, argv: tuple[str, ...] | None, tx: Transaction) -> None:
        prefix = self.config.commands.prefixes[0]
        if text is not None:
            self._check_text(text)
        source = self._claim(tx)
        try:
            parsed = parse(text if text is not None else _join_argv(argv or ()), self.commands.registry)
        except UsageError as error:
            tx.reply(event.conversation, self._usage_message(error))
            return
        mentions = getattr(event, "mentions", {})
        ctx = CommandContext(
            tx=tx,
            actor=tx.service.people.actor(event.user, event.at),
            event=event,
            spec=parsed.spec,
            args=parsed.args,
            incident_id=parsed.incident,
            prefix=prefix,
            channel_opener=self.channel_opener,
            commands=self.commands,
            mentions=mentions,
            _source=source,
        )
        try:
            self.commands.handlers[parsed.spec.path](ctx)
        except UsageError as error:
            raise Invalid(self._usage_message(error)) from None

    def _usage_message(self, error: UsageError) -> Message:
        parts: list[str | Inline] = [error.message]
        if error.spec is None:
            parts += [" Send “", Command("help"), "” to see every command."]
        else:
            parts += ["\nUsage: ", Command(usage(error.spec, ""))]
            if error.spec.examples:
                example = error.spec.examples[0]
                typed = self.command_text(example)  # examples are written with a prefix: each platform has its own
                parts += ["\nExample: ", example if typed is None else Command(typed)]
        return Message.of(*parts, tone=Tone.ERROR)

    def _check_text(self, text: str) -> None:
        limit = self.config.commands.max_chars
        if len(text) > limit:
            raise Invalid(
                f"That command is {len(text):,} characters long; the limit is {limit:,}. "
                f"Put long output in the channel as a message, or attach a shorter excerpt."
            )
        control = _CONTROL.search(text)
        if control:
            raise Invalid(
                f"That command contains an invisible control character (U+{ord(control.group()):04X}). "
                f"Please retype it without pasting terminal output into the command itself."
            )


def _join_argv(argv: tuple[str, ...]) -> str:
    """Native command forms arrive split; quote words so the one parser reads them back exactly."""
    words = [a if a and not any(c.isspace() or c in "\"'“”‘’" for c in a) else _quote(a) for a in argv]
    return " ".join(words)


def _quote(word: str) -> str:
    escaped = word.replace("\\", "\\\\")
    for quote in '"“”„':
        escaped = escaped.replace(quote, "\\" + quote)
    return '"' + escaped + '"'
