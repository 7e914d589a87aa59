"""Reads that views and exports need: indexed, so they stay fast on long incidents."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from warroom.core.adapter.refs import ConversationRef
from warroom.core.storage.database import Database
from warroom.core.storage.tables import CHANNELS, ENTRIES, INCIDENTS, PEOPLE, ROLES, TASKS


@dataclass(frozen=True, slots=True)
class Entry:
    """One timeline entry, read back: ``seq`` numbers it within its incident, ``data`` holds what its kind records.

    ``key`` marks one of the incident's key events, which summaries and the post-mortem draw on;
    ``source_event`` is the platform event it came from, if it came from one. The selects below are
    built from these fields, so the two cannot drift apart.
    """

    seq: int
    at: datetime
    kind: str
    author: str
    text: str
    data: dict[str, Any]
    key: bool
    source_event: str | None

    def export(self) -> dict[str, Any]:
        """The entry as JSON-able data, as ``warroom timeline --format json`` writes it."""
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "kind": self.kind,
            "author": self.author,
            "text": self.text,
            "key": self.key,
            "data": self.data,
            "event": self.source_event,
        }


# Each of Entry's fields selects the timeline's column of its name (but for this one), so every select
# follows the dataclass, and a row unpacks in that same order: no list of columns is written twice.
_COLUMN_OF = {"author": "author_name"}  # the name the author had then; author_id is not read
_ENTRY_FIELDS = tuple(field.name for field in fields(Entry))
_ENTRY_COLUMNS = tuple(ENTRIES.c[_COLUMN_OF.get(name, name)] for name in _ENTRY_FIELDS)
_DATA, _KEY = _ENTRY_FIELDS.index("data"), _ENTRY_FIELDS.index("key")  # stored as JSON text, and 0/1 on SQLite
_KEY_EVENTS = (
    select(*_ENTRY_COLUMNS)
    .where(ENTRIES.c.incident_id == bindparam("id"), ENTRIES.c.key.is_(True))
    .order_by(ENTRIES.c.seq.desc())
    .limit(bindparam("limit"))
)
_LAST_OF_KIND = (
    select(*_ENTRY_COLUMNS)
    .where(ENTRIES.c.incident_id == bindparam("id"), ENTRIES.c.kind == bindparam("kind"))
    .order_by(ENTRIES.c.seq.desc())
    .limit(1)
)
_OF_KIND = (
    select(*_ENTRY_COLUMNS)
    .where(ENTRIES.c.incident_id == bindparam("id"), ENTRIES.c.kind == bindparam("kind"))
    .order_by(ENTRIES.c.seq)
)
_FROM_SOURCE = select(ENTRIES.c.incident_id, *_ENTRY_COLUMNS).where(ENTRIES.c.source_event == bindparam("source"))
_ENTRY = select(*_ENTRY_COLUMNS).where(ENTRIES.c.incident_id == bindparam("id"), ENTRIES.c.seq == bindparam("seq"))
_PAGE = (
    select(*_ENTRY_COLUMNS)
    .where(ENTRIES.c.incident_id == bindparam("id"), ENTRIES.c.seq > bindparam("after"))
    .order_by(ENTRIES.c.seq)
    .limit(bindparam("limit"))
)
_TASKS = (
    select(TASKS.c.number, TASKS.c.title, TASKS.c.owner_id, PEOPLE.c.display_name, TASKS.c.state)
    .select_from(TASKS.outerjoin(PEOPLE, PEOPLE.c.id == TASKS.c.owner_id))
    .where(TASKS.c.incident_id == bindparam("id"))
    .order_by(TASKS.c.number)
)
_CHANNELS = select(CHANNELS.c.platform, CHANNELS.c.conversation_id, CHANNELS.c.name).where(
    CHANNELS.c.incident_id == bindparam("id")
)
_ROLES = (
    select(ROLES.c.role, ROLES.c.person_id, ROLES.c.since, ROLES.c.until)
    .where(ROLES.c.incident_id == bindparam("id"))
    .order_by(ROLES.c.id)
)
_INCIDENT_IDS = select(INCIDENTS.c.id).order_by(INCIDENTS.c.id.desc())


@dataclass(frozen=True, slots=True)
class PersonView:
    """A person as Warroom knows them: ``id`` is stable across platforms, ``name`` is how to address them."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class TaskItem:
    """A task on an incident, as commands, documents and plugins read it: ``number`` is how people refer to it,
    ``owner`` None while nobody has it."""

    number: int
    title: str
    owner: PersonView | None
    state: str  # open or done

    @property
    def done(self) -> bool:
        """Whether the task is finished."""
        return self.state == "done"

    @property
    def owner_id(self) -> int | None:
        """The owner's person id, None while nobody has it."""
        return self.owner.id if self.owner is not None else None


def _entry(row: Sequence[Any]) -> Entry:
    """An entry from a row of ``_ENTRY_COLUMNS``: one value per field, in the fields' order (no dict per row)."""
    values = list(row)
    values[_DATA] = json.loads(values[_DATA])
    values[_KEY] = bool(values[_KEY])
    return Entry(*values)


def key_events(db: Database, incident_id: int, limit: int = 1000) -> list[Entry]:
    """The incident's key events in time order (the newest ``limit`` of them)."""
    rows = db.select(_KEY_EVENTS, {"id": incident_id, "limit": limit})
    return [_entry(row) for row in reversed(rows)]


def last_of_kind(db: Database, incident_id: int, kind: str) -> Entry | None:
    rows = db.select(_LAST_OF_KIND, {"id": incident_id, "kind": kind})
    return _entry(rows[0]) if rows else None


def entry_from(db: Database, source_event: str) -> tuple[int, Entry] | None:
    """The entry a platform event was recorded as, with its incident."""
    rows = db.select(_FROM_SOURCE, {"source": source_event})
    return (int(rows[0][0]), _entry(rows[0][1:])) if rows else None


def of_kind(db: Database, incident_id: int, kind: str) -> list[Entry]:
    return [_entry(row) for row in db.select(_OF_KIND, {"id": incident_id, "kind": kind})]


def entry(db: Database, incident_id: int, seq: int) -> Entry | None:
    rows = db.select(_ENTRY, {"id": incident_id, "seq": seq})
    return _entry(rows[0]) if rows else None


def timeline(db: Database, incident_id: int, page: int = 2000) -> Iterator[Entry]:
    """Every entry in order, read a page at a time so exports of long incidents stay small in memory."""
    after = 0
    while True:
        entries = [_entry(row) for row in db.select(_PAGE, {"id": incident_id, "after": after, "limit": page})]
        yield from entries
        if len(entries) < page:
            return
        after = entries[-1].seq


def tasks(db: Database, incident_id: int) -> list[TaskItem]:
    """The incident's tasks in order, each with its owner's name (read with it, not looked up per task)."""
    return [
        TaskItem(number, title, PersonView(owner_id, owner_name) if owner_id is not None else None, state)
        for number, title, owner_id, owner_name, state in db.select(_TASKS, {"id": incident_id})
    ]


def channels(db: Database, incident_id: int) -> list[ConversationRef]:
    """The incident's own channels, on every platform, as references replies and invitations go to."""
    return [
        ConversationRef(platform, conversation, name)
        for platform, conversation, name in db.select(_CHANNELS, {"id": incident_id})
    ]


def role_history(db: Database, incident_id: int) -> list[tuple[str, int, datetime, datetime | None]]:
    """Every role assignment in order: (role, person id, since, until)."""
    return [(role, int(person), since, until) for role, person, since, until in db.select(_ROLES, {"id": incident_id})]


def incident_ids(db: Database) -> list[int]:
    """Every incident, newest first."""
    return [int(incident_id) for (incident_id,) in db.select(_INCIDENT_IDS)]
