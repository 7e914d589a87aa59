"""What a plugin may touch outside its commands: incidents, the timeline, messages, jobs, storage.

Every change goes through the writer as a job of its own, so a plugin's write
is ordered with everyone else's and committed before anything announces it.
Reads return frozen snapshots: a plugin never holds the core's live state.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Final, Generic

from pydantic import BaseModel
from sqlalchemy import bindparam, select
from typing_extensions import TypeVar
from warroom.core.adapter.messages import Message, Tone
from warroom.core.clock import Clock
from warroom.core.engine.scheduler import Scheduler
from warroom.core.engine.transaction import Transaction
from warroom.core.engine.writer import Writer
from warroom.core.errors import NotFound
from warroom.core.incident.service import IncidentService
from warroom.core.incident.snapshots import IncidentView, PersonView, RoleSpell, TaskItem, incident_view
from warroom.core.plugin.call import READING, Call
from warroom.core.storage import queries, values
from warroom.core.storage.queries import Entry
from warroom.core.storage.tables import MEMBERS

T = TypeVar("T")
SettingsT_co = TypeVar("SettingsT_co", bound=BaseModel, covariant=True, default=BaseModel)
"""A plugin's settings model, as in ``PluginContext[RemindersSettings]``; a bare ``PluginContext`` has any model."""
_MEMBERS = select(MEMBERS.c.person_id).where(MEMBERS.c.incident_id == bindparam("id"))


class PluginContext(Generic[SettingsT_co]):
    """Handed to each plugin as ``self.context``; the whole of what it may touch at run time.

    ``config`` is the plugin's validated settings, typed by the plugin's ``Plugin[Settings]``.
    """

    def __init__(self, name: str, config: SettingsT_co, writer: Writer, scheduler: Scheduler, clock: Clock) -> None:
        self.name = name
        self.config: Final[SettingsT_co] = config
        self.clock = clock
        self.log = logging.getLogger(f"warroom.plugins.{name}")
        self._writer = writer
        self._scheduler = scheduler
        self._runs = 0

    @property
    def _service(self) -> IncidentService:
        """Where reads go: the read connection inside ``call.read_then_reply`` work, else the writer's."""
        return READING.get() or self._writer.service

    # Reading
    def incident(self, incident_id: int) -> IncidentView:
        """The incident as it is now (committed state); raises LookupError if there is none."""
        try:
            state = self._service.get(incident_id)
        except NotFound as error:
            raise LookupError(str(error)) from None
        return incident_view(self._service, state)

    def open_incidents(self) -> list[IncidentView]:
        """Every incident not yet resolved, e.g. to catch up in :meth:`Plugin.setup` on what happened meanwhile."""
        service = self._service
        return [incident_view(service, state) for state in service.open_index().incidents()]

    def members(self, incident_id: int) -> list[PersonView]:
        """Who is part of the incident: its declarer, role holders and everyone who spoke in its channel."""
        service = self._service
        ids = sorted(pid for (pid,) in service.db.select(_MEMBERS, {"id": incident_id}))
        return [PersonView(pid, service.people.name(pid)) for pid in ids]

    def timeline(self, incident_id: int, *, kinds: tuple[str, ...] = ()) -> list[Entry]:
        """The incident's timeline in order (only ``kinds``, when given)."""
        db = self._service.db
        if len(kinds) == 1:
            return queries.of_kind(db, incident_id, kinds[0])
        return [e for e in queries.timeline(db, incident_id) if not kinds or e.kind in kinds]

    def tasks(self, incident_id: int) -> list[TaskItem]:
        """The incident's tasks in number order, done or not."""
        return queries.tasks(self._service.db, incident_id)

    def role_history(self, incident_id: int) -> list[RoleSpell]:
        """Who held which role when, over the incident's whole life (current holders have ``until`` None)."""
        name = self._service.people.name
        return [
            RoleSpell(role, PersonView(person, name(person)), since, until)
            for role, person, since, until in queries.role_history(self._service.db, incident_id)
        ]

    def channels(self, incident_id: int) -> list[str]:
        """The incident's channels on every platform, by name (id where unnamed); empty until the first opens."""
        return [channel.name or channel.id for channel in queries.channels(self._service.db, incident_id)]

    # Writing: each is one writer job, committed before it returns
    async def announce(
        self,
        incident_id: int,
        text: Message | str,
        *,
        kind: str = "reminder",
        data: dict[str, Any] | None = None,
        tone: Tone = Tone.INFO,
        key: str,
    ) -> bool:
        """Record ``text`` on the timeline and post it in the incident's channels, once per ``key``.

        ``key`` names this announcement (e.g. ``food:INC-3:lunch``): a second call with
        the same key does nothing and returns False, so a retried job never repeats itself.
        A :class:`Message` keeps its own tone; the timeline records its plain text.
        """
        message = Message.plain(text, tone=tone) if isinstance(text, str) else text

        def job(tx: Transaction) -> bool:
            if not tx.service.claim(f"plugin:{self.name}:{key}", tx.at):
                return False
            incident = tx.service.get(incident_id)
            recorded = message.plain_text()
            tx.service.record(incident, kind, None, recorded, tx.at, {**(data or {}), "plugin": self.name})
            for channel in queries.channels(tx.service.db, incident_id):
                tx.reply(channel, message)
            return True

        result: bool = await self._writer.submit(job, key=f"plugin:{self.name}:{key}")
        return result

    async def run(self, work: Callable[[Call], T]) -> T:
        """Run ``work`` as a job: use the :class:`Call` it gets like a command's, with no one invoking it."""

        def job(tx: Transaction) -> T:
            return work(Call.internal(tx, self))

        self._runs += 1
        result: T = await self._writer.submit(job, key=f"plugin:{self.name}:run:{self._runs}")
        return result

    # Scheduling
    def schedule_at(self, job_id: str, when: datetime, target: Callable[..., Awaitable[None]], *args: Any) -> None:
        """Run the plugin's ``@job`` method ``target`` at ``when`` with ``args``; same id replaces the old job."""
        self._scheduler.at(self._job_id(job_id), when, self._target_key(target), *args)

    def schedule_in(self, job_id: str, delay: timedelta, target: Callable[..., Awaitable[None]], *args: Any) -> None:
        """:meth:`schedule_at` ``delay`` from now (by Warroom's clock, so tests can move it)."""
        self.schedule_at(job_id, self.clock.now() + delay, target, *args)

    def cancel(self, job_id: str) -> bool:
        """Drop the plugin's scheduled job ``job_id``; False if there was none."""
        return self._scheduler.cancel(self._job_id(job_id))

    def next_run(self, job_id: str) -> datetime | None:
        """When the plugin's job ``job_id`` runs next; None if it is not scheduled."""
        return self._scheduler.next_run(self._job_id(job_id))

    def _job_id(self, job_id: str) -> str:
        return f"{self.name}:{job_id}"

    def _target_key(self, target: Callable[..., Awaitable[None]]) -> str:
        return f"{self.name}.{getattr(target, '__name__', '')}"

    # Storage
    def load(self, key: str, default: Any = None) -> Any:
        """A value this plugin stored (committed), or ``default``."""
        return values.load(self._service.db, self.name, key, default)

    async def save(self, key: str, value: Any) -> None:
        """Store a JSON-able value under ``key``, in this plugin's own namespace."""
        await self.run(lambda call: call.save(key, value))
