"""The one place incident state changes.

Every change checks permission, writes its rows and its timeline entry on the
caller's open transaction, and queues a domain event that the writer
publishes once the transaction commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from warroom.core.adapter.refs import ConversationRef
from warroom.core.config.loader import Config
from warroom.core.errors import Invalid, NotFound
from warroom.core.incident.events import (
    DomainEvent,
    IncidentDeclared,
    IncidentResolved,
    PersonJoined,
    RoleAssigned,
    StatusChanged,
    TimelineEntryAdded,
)
from warroom.core.incident.people import Actor, People
from warroom.core.incident.permissions import require_commander, require_may_assign, require_visible
from warroom.core.incident.similar import OpenIncidentIndex
from warroom.core.incident.state import IncidentState, load_incident
from warroom.core.storage.database import Database
from warroom.core.storage.tables import CHANNELS, ENTRIES, INCIDENTS, MEMBERS, PROCESSED, ROLES

_BINDING = select(CHANNELS.c.incident_id).where(
    CHANNELS.c.platform == bindparam("platform"), CHANNELS.c.conversation_id == bindparam("conversation")
)
_OPEN = select(INCIDENTS.c.id).where(INCIDENTS.c.status != "resolved")


class IncidentService:
    def __init__(self, db: Database, config: Config, people: People) -> None:
        self.db = db
        self.config = config
        self.people = people
        self.events: list[DomainEvent] = []
        self._incidents: dict[int, IncidentState] = {}
        self._channels: dict[tuple[str, str], int | None] = {}
        self._open: OpenIncidentIndex | None = None

    @contextmanager
    def reader(self) -> Iterator[IncidentService]:
        """A read-only service on a connection of its own (SQLite: a second connection to the same file, which
        WAL lets read committed state while the writer writes; PostgreSQL: one from the engine's pool), for
        long reads that must not run in the writer. Use it in one thread only, and only to read."""
        db = Database(self.db.engine)
        try:
            db.begin_snapshot()  # every read of the work sees the same committed state
            yield IncidentService(db, self.config, People(db, self.people.admins))
        finally:
            try:
                if db.in_transaction:
                    db.rollback()  # nothing was written; this only ends the read
            finally:
                db.close()

    def forget(self) -> None:
        """Drop every cached view; called when a transaction rolls back."""
        self._incidents.clear()
        self._channels.clear()
        self._open = None
        self.people.forget()

    # Lookups
    def get(self, incident_id: int) -> IncidentState:
        state = self._incidents.get(incident_id)
        if state is None:
            state = load_incident(self.db, incident_id)
            if state is None:
                raise NotFound(f"There is no incident INC-{incident_id}.")
            self._incidents[incident_id] = state
        return state

    def visible(self, actor: Actor, incident_id: int) -> IncidentState:
        state = self.get(incident_id)
        require_visible(actor, state)
        return state

    def incident_in(self, conversation: ConversationRef) -> int | None:
        """The incident whose channel this is, if any (cached, including "none")."""
        cache_key = (conversation.platform, conversation.id)
        if cache_key not in self._channels:
            rows = self.db.select(_BINDING, {"platform": conversation.platform, "conversation": conversation.id})
            self._channels[cache_key] = int(rows[0][0]) if rows else None
        return self._channels[cache_key]

    def open_index(self) -> OpenIncidentIndex:
        if self._open is None:
            index = OpenIncidentIndex()
            for (incident_id,) in self.db.select(_OPEN):
                index.add(self.get(int(incident_id)))
            self._open = index
        return self._open

    # Timeline
    def record(
        self,
        incident: IncidentState,
        kind: str,
        author: Actor | None,
        text: str,
        at: datetime,
        data: Mapping[str, Any] | None = None,
        *,
        key: bool = False,
        source: str | None = None,
    ) -> int:
        """Append one timeline entry and return its number within the incident."""
        seq = incident.next_seq
        entry_id = self.db.insert(
            ENTRIES,
            {
                "incident_id": incident.id,
                "seq": seq,
                "at": at,
                "kind": kind,
                "author_id": author.person_id if author else None,
                "author_name": author.name if author else "Warroom",
                "text": text,
                "data": json.dumps(data) if data else "{}",
                "key": key,
                "source_event": source,
            },
        )
        incident.next_seq = seq + 1
        self.events.append(
            TimelineEntryAdded(
                incident.id, incident.reference, at, entry_id, seq, kind, text, author.person_id if author else None
            )
        )
        return seq

    def join(self, incident: IncidentState, person_id: int, at: datetime) -> None:
        if person_id not in incident.members:
            self.db.add(MEMBERS, {"incident_id": incident.id, "person_id": person_id})
            incident.members.add(person_id)
            self.events.append(PersonJoined(incident.id, incident.reference, at, person_id))

    def save(self, incident: IncidentState, *columns: str) -> None:
        """Write the named fields of ``incident`` (changed in memory by the caller) to its row."""
        self.db.update(INCIDENTS, {"id": incident.id}, incident.row(*columns))

    # Changes
    def declare(
        self,
        actor: Actor,
        title: str,
        *,
        severity: int,
        kind: str,
        private: bool,
        affected: list[str],
        at: datetime,
        source: str | None,
    ) -> IncidentState:
        first_status = self.config.status_names()[0]
        incident = IncidentState(
            id=0,
            title=title,
            kind=kind,
            severity=severity,
            status=first_status,
            private=private,
            declared_by=actor.person_id,
            declared_at=at,
            affected=affected,
            status_times={first_status: at.isoformat()},
        )
        incident.id = self.db.insert(INCIDENTS, incident.row())
        self._incidents[incident.id] = incident
        data = {"severity": severity, "kind": kind, "private": private, "affected": affected}
        self.record(incident, "declared", actor, title, at, data, key=True, source=source)
        if self._open is not None:
            self._open.add(incident)
        self.events.append(IncidentDeclared(incident.id, incident.reference, at, title, severity, private))
        self.join(incident, actor.person_id, at)
        return incident

    def bind_channel(self, incident: IncidentState, conversation: ConversationRef, at: datetime) -> None:
        self.db.insert(
            CHANNELS,
            {
                "incident_id": incident.id,
                "platform": conversation.platform,
                "conversation_id": conversation.id,
                "name": conversation.name,
                "created_at": at,
            },
        )
        self._channels[(conversation.platform, conversation.id)] = incident.id
        data = {"platform": conversation.platform, "channel": conversation.id}
        self.record(incident, "channel", None, f"Channel {conversation.name or conversation.id} opened", at, data)

    def set_status(self, actor: Actor, incident: IncidentState, status: str, at: datetime, source: str | None) -> int:
        names = self.config.status_names()
        if status not in names:
            raise Invalid(f"“{status}” is not a status. Statuses: {', '.join(names)}.")
        if status == incident.status:
            raise Invalid(f"{incident.reference} is already {status}.")
        require_commander(actor, incident, "change the status")
        old = incident.status
        incident.status = status
        incident.status_times[status] = at.isoformat()
        incident.resolved_at = at if status == "resolved" else None
        self.save(incident, "status", "status_times", "resolved_at")
        seq = self.record(
            incident,
            "status",
            actor,
            f"Status {old} → {status}",
            at,
            {"from": old, "to": status},
            key=True,
            source=source,
        )
        if self._open is not None:
            (self._open.remove if status == "resolved" else self._open.add)(incident)
        self.events.append(StatusChanged(incident.id, incident.reference, at, old, status))
        if status == "resolved":
            self.events.append(IncidentResolved(incident.id, incident.reference, at))
        return seq

    def set_severity(self, actor: Actor, incident: IncidentState, level: int, at: datetime, source: str | None) -> int:
        if self.config.severity(level) is None:
            levels = ", ".join(str(s.level) for s in self.config.severities)
            raise Invalid(f"There is no severity {level}. Severities: {levels}.")
        if level == incident.severity:
            raise Invalid(f"{incident.reference} is already severity {level}.")
        require_commander(actor, incident, "change the severity")
        old = incident.severity
        incident.severity = level
        self.save(incident, "severity")
        text = f"Severity {old} → {level}"
        return self.record(incident, "severity", actor, text, at, {"from": old, "to": level}, key=True, source=source)

    def assign_role(
        self, actor: Actor, incident: IncidentState, role: str, person_id: int, at: datetime, source: str | None
    ) -> int:
        roles = self.config.role_descriptions()
        if role not in roles:
            raise Invalid(f"“{role}” is not a role here. Roles: {', '.join(roles)}.")
        previous = incident.roles.get(role)
        if previous == person_id:
            raise Invalid(f"{self.people.name(person_id)} is already the {role} of {incident.reference}.")
        require_may_assign(actor, incident, role)
        if previous is not None:
            self.db.update(ROLES, {"id": incident.role_rows[role]}, {"until": at})
        incident.role_rows[role] = self.db.insert(
            ROLES,
            {
                "incident_id": incident.id,
                "role": role,
                "person_id": person_id,
                "assigned_by": actor.person_id,
                "since": at,
            },
        )
        incident.roles[role] = person_id
        name = self.people.name(person_id)
        text = f"{name} is now {role}" + (f" (was {self.people.name(previous)})" if previous else "")
        data = {"role": role, "person_id": person_id, "previous_person_id": previous}
        seq = self.record(incident, "role", actor, text, at, data, key=True, source=source)
        self.events.append(RoleAssigned(incident.id, incident.reference, at, role, person_id, previous))
        self.join(incident, person_id, at)
        return seq

    def claim(self, key: str, at: datetime) -> bool:
        """Record that ``key`` happened, on the open transaction; False if it already had.

        The one check against doing something twice: a platform event delivered again, a plugin's
        announcement retried. Made in the transaction of the effect, it lands or rolls back with it.
        """
        return self.db.add_new(PROCESSED, {"event_key": key, "processed_at": at})

    def reindex(self, incident: IncidentState) -> None:
        """Refresh what similar-incident detection knows after affected systems change."""
        if self._open is not None and not incident.resolved:
            self._open.add(incident)

    def mark_key(self, incident: IncidentState, seq: int, on: bool) -> None:
        self.db.update(ENTRIES, {"incident_id": incident.id, "seq": seq}, {"key": on})

    def set_next_update(self, incident: IncidentState, next_in: timedelta | None, at: datetime) -> None:
        incident.next_update_at = at + next_in if next_in else None
        self.save(incident, "next_update_at")
