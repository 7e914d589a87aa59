"""What a plugin command may do while it runs: it runs inside the engine's transaction.

Everything here is synchronous and lands atomically with the command: if the
command raises, none of it happened. Slow or outside work goes in
:meth:`Call.after_commit`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any, NoReturn, Protocol

from warroom.core.adapter.messages import Message, Tone
from warroom.core.adapter.refs import ConversationRef
from warroom.core.commands.context import CommandContext
from warroom.core.engine.transaction import Transaction
from warroom.core.errors import Invalid, WarroomError
from warroom.core.flows import confirmations
from warroom.core.incident.people import Actor
from warroom.core.incident.service import IncidentService
from warroom.core.incident.snapshots import IncidentView, PersonView, incident_view
from warroom.core.incident.state import IncidentState
from warroom.core.storage import queries, values

READING: ContextVar[IncidentService | None] = ContextVar("warroom_plugin_reading", default=None)
"""While ``read_then_reply`` work runs (in its own thread), the read-only service the plugin context reads through."""


class Named(Protocol):
    """What a call needs of its plugin: the name its entries, values and confirmations go under.

    A plugin's context is one; asking only for this keeps the call from depending on the context.
    """

    @property
    def name(self) -> str: ...


class Call:
    """One run of a plugin command (or of ``context.run`` work)."""

    def __init__(
        self,
        tx: Transaction,
        plugin: str,
        *,
        actor: Actor | None,
        where: ConversationRef | None,
        incident_id: int | None,
        source: str | None = None,
    ) -> None:
        self._tx = tx
        self._plugin = plugin
        self._actor = actor
        self._where = where
        self._incident_id = incident_id
        self._source = source
        self._command: CommandContext | None = None

    @classmethod
    def from_command(cls, ctx: CommandContext, plugin: Named) -> Call:
        """The call for a command someone typed (Warroom makes it; a plugin only receives it)."""
        incident_id = ctx.incident_id or ctx.service.incident_in(ctx.event.conversation)
        call = cls(
            ctx.tx,
            plugin.name,
            actor=ctx.actor,
            where=ctx.event.conversation,
            incident_id=incident_id,
            source=ctx.source(),
        )
        call._command = ctx
        return call

    @classmethod
    def internal(cls, tx: Transaction, plugin: Named) -> Call:
        """The call for ``context.run`` work: nobody ran it and there is no conversation to reply to."""
        return cls(tx, plugin.name, actor=None, where=None, incident_id=None)

    @property
    def at(self) -> datetime:
        """When this runs, one time for everything it does (use it rather than the clock, so it all agrees)."""
        return self._tx.at

    @property
    def actor(self) -> PersonView | None:
        """Who ran the command; None for ``context.run`` work."""
        return PersonView(self._actor.person_id, self._actor.name) if self._actor else None

    @property
    def incident(self) -> IncidentView:
        """The incident this command is about; a friendly error when there is none."""
        return incident_view(self._tx.service, self._state())

    def fail(self, message: Message | str) -> NoReturn:
        """Stop here and answer ``message``; nothing the command did is kept.

        Give a :class:`Message` (``Message.of("Try “", Command("snooze food 1h"), "”.")``) when the answer
        names a command, so each platform writes it the way its people type it.
        """
        raise Invalid(message)

    def reply(self, message: Message | str, *, tone: Tone = Tone.INFO) -> None:
        """Answer where the command was typed, once it is committed."""
        if self._where is None:
            raise WarroomError("this work was not started from a conversation; use post() instead")
        self._tx.reply(self._where, _message(message, tone))

    def post(self, incident_id: int, message: Message | str, *, tone: Tone = Tone.INFO) -> None:
        """Post in every channel of an incident."""
        for channel in queries.channels(self._tx.service.db, incident_id):
            self._tx.reply(channel, _message(message, tone))

    def record(
        self,
        kind: str,
        text: str,
        data: dict[str, Any] | None = None,
        *,
        key: bool = False,
        incident_id: int | None = None,
    ) -> int:
        """Add a timeline entry (by whoever ran the command) and return its number."""
        incident = self._state(incident_id)
        source, self._source = self._source, None
        payload = {**(data or {}), "plugin": self._plugin}
        return self._tx.service.record(incident, kind, self._actor, text, self._tx.at, payload, key=key, source=source)

    def confirm(
        self,
        action: str,
        *,
        approver_roles: tuple[str, ...] = ("commander",),
        expires_in: timedelta = timedelta(minutes=15),
        allow_self: bool = False,
    ) -> int:
        """Ask for approval of ``action`` in this conversation; returns the confirmation's number."""
        if self._actor is None or self._where is None:
            raise WarroomError("a confirmation needs someone asking, in a conversation")
        return confirmations.request(
            self._tx,
            self._state(),
            self._actor,
            action,
            where=self._where,
            approver_roles=approver_roles,
            expires_in=expires_in,
            allow_self=allow_self,
            plugin=self._plugin,
        )

    def load(self, key: str, default: Any = None) -> Any:
        """A value this plugin stored, as this command sees it (its own saves included), or ``default``."""
        return values.load(self._tx.service.db, self._plugin, key, default)

    def save(self, key: str, value: Any) -> None:
        """Store a JSON-able value under ``key`` in this plugin's namespace, with the command's other changes."""
        values.save(self._tx.service.db, self._plugin, key, value, self._tx.at)

    def after_commit(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work`` once this command is committed (schedule jobs, call other systems)."""
        self._tx.after_commit(work)

    def read_then_reply(self, work: Callable[[], Message | str], *, tone: Tone = Tone.INFO) -> None:
        """Once this command is committed, run ``work`` off the writer and answer what it returns where the
        command was typed.

        For long reads (a draft of a long timeline, an export): ``work`` runs in a thread of its own, reading
        through the plugin context (``context.timeline``, ``incident``, ``tasks``, ...) on a read connection of
        its own, which sees committed state, this command's changes included; other commands go on meanwhile.
        ``work`` only reads: of this call it may use only ``fail``, which answers its message; any other
        error answers a short apology and is logged.
        """
        if self._where is None:
            raise WarroomError("this work was not started from a conversation; use post() instead")
        service = self._tx.service

        def read() -> Message:
            with service.reader() as reader:
                token = READING.set(reader)
                try:
                    return _message(work(), tone)
                finally:
                    READING.reset(token)

        self._tx.read_then_reply(self._where, read)

    def _state(self, incident_id: int | None = None) -> IncidentState:
        if self._command is not None and incident_id in (None, self._incident_id):
            return self._command.incident()  # the command's own incident: typing in its channel joins it
        incident_id = incident_id or self._incident_id
        if incident_id is None:
            raise Invalid("This isn't an incident channel; run it in the incident's channel or add --incident INC-<n>.")
        if self._actor is None:
            return self._tx.service.get(incident_id)
        return self._tx.service.visible(self._actor, incident_id)


def _message(message: Message | str, tone: Tone) -> Message:
    return Message.plain(message, tone=tone) if isinstance(message, str) else message
