"""What a command handler sees, and how handlers are registered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from warroom.core.adapter.events import InboundEvent
from warroom.core.adapter.messages import Command, Message, Tone
from warroom.core.adapter.refs import ConversationRef, UserRef
from warroom.core.commands.registry import Registry
from warroom.core.commands.spec import CommandSpec, PersonToken
from warroom.core.engine.transaction import Transaction
from warroom.core.errors import Invalid
from warroom.core.flows.channels import ChannelOpener, invite_to_channels
from warroom.core.incident.people import Actor
from warroom.core.incident.service import IncidentService
from warroom.core.incident.state import IncidentState

Handler = Callable[["CommandContext"], None]


class CommandSet:
    """Command definitions with their handlers; the registry also drives help and usage errors."""

    def __init__(self) -> None:
        self.registry = Registry()
        self.handlers: dict[tuple[str, ...], Handler] = {}
        self.owners: dict[tuple[str, ...], str] = {}  # plugin that added a command; built-ins have none

    def command(self, spec: CommandSpec, *, owner: str = "") -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.registry.add(spec)
            self.handlers[spec.path] = handler
            if owner:
                self.owners[spec.path] = owner
            return handler

        return register

    def extend(self, other: CommandSet) -> None:
        for spec in other.registry.specs():
            self.command(spec, owner=other.owners.get(spec.path, ""))(other.handlers[spec.path])

    def copy(self) -> CommandSet:
        """A copy to try additions on, so a plugin whose commands clash changes nothing."""
        trial = CommandSet()
        trial.extend(self)
        return trial

    def replace_with(self, other: CommandSet) -> None:
        self.registry, self.handlers, self.owners = other.registry, other.handlers, other.owners

    def remove_owner(self, owner: str) -> None:
        kept = CommandSet()
        for spec in self.registry.specs():
            if self.owners.get(spec.path) != owner:
                kept.command(spec, owner=self.owners.get(spec.path, ""))(self.handlers[spec.path])
        self.replace_with(kept)


@dataclass(slots=True)
class CommandContext:
    tx: Transaction
    actor: Actor
    event: InboundEvent
    spec: CommandSpec
    args: dict[str, object]
    incident_id: int | None
    prefix: str
    channel_opener: ChannelOpener
    commands: CommandSet
    mentions: dict[str, UserRef]
    _source: str | None

    @property
    def service(self) -> IncidentService:
        return self.tx.service

    def source(self) -> str | None:
        """The platform event id, for the first timeline entry this command writes only."""
        source, self._source = self._source, None
        return source

    def reply(self, message: Message | str, *, tone: Tone = Tone.INFO) -> None:
        if isinstance(message, str):
            message = Message.plain(message, tone=tone)
        self.tx.reply(self.event.conversation, message)

    def incident(self) -> IncidentState:
        """The incident this command is about: ``--incident``, or the channel it was typed in."""
        channel_incident = self.service.incident_in(self.event.conversation)
        incident_id = self.incident_id or channel_incident
        if incident_id is None:
            raise Invalid(
                Message.of(
                    "This isn't an incident channel. Run “",
                    Command(self.spec.name),
                    "” in the incident's channel, or add --incident INC-<n>.",
                )
            )
        if incident_id == channel_incident:
            # Whoever can type in the incident's own channel is in it, as chat capture already records;
            # otherwise someone invited to a private channel is told it does not exist.
            incident = self.service.get(incident_id)
            self.service.join(incident, self.actor.person_id, self.tx.at)
            return incident
        return self.service.visible(self.actor, incident_id)

    def bring_in(self, incident: IncidentState, person_id: int) -> list[ConversationRef]:
        """Make ``person_id`` a member and invite them to the incident's channels (after commit, where the
        platform can); a private channel admits only who was there when it opened. Returns those channels."""
        self.service.join(incident, person_id, self.tx.at)
        present = self.event.conversation if person_id == self.actor.person_id else None
        return invite_to_channels(self.tx, incident.id, person_id, present_in=present)

    def person(self, name: str) -> int:
        """Resolve a ``@mention`` argument to a person, creating them on first sight."""
        token = self.args[name]
        assert isinstance(token, PersonToken)
        return self.mentioned(token.name)

    def mentioned(self, name: str) -> int:
        """The person a ``@name`` in this command stands for (``name`` without the ``@``)."""
        user = self.mentions.get(name)
        if user is None:
            raise Invalid(f"I can't tell who “@{name}” is. Mention them so your chat app links the name.")
        return self.service.people.person_id(user, self.tx.at)
