"""The database schema, as SQLModel tables.

These tables are the durable record; migrations in ``migrations/`` create and
evolve them, and the hot write path reuses their SQL compiled once per dialect.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Float, Index, LargeBinary, Table, Unicode, UniqueConstraint, column
from sqlmodel import Field, SQLModel

# Key events are a few entries in thousands: their index holds only those, so appending an ordinary
# entry does not touch it. SQLite uses a partial index only for a query whose WHERE contains the
# index's condition written the same way, so this is the very expression ``queries.key_events``
# filters on (``"key" IS 1`` on SQLite, ``key IS true`` on PostgreSQL).
_IS_KEY = column("key").is_(True)


def _json_text(default: str) -> Any:
    """A text column holding JSON, marked so that code turning rows into objects and back can tell."""
    return Field(default=default, sa_column_kwargs={"info": {"json": True}})


class Incident(SQLModel, table=True):
    """An incident's own fields: the one list of them that its state, its loading and saving, and the
    snapshots plugins get all go by (see ``incident.state``)."""

    id: int | None = Field(default=None, primary_key=True)
    title: str
    kind: str
    severity: int
    status: str
    private: bool = False
    declared_by: int = Field(foreign_key="person.id")
    declared_at: datetime
    summary: str = ""
    impact_who: str = ""
    impact_count: int | None = None
    impact_where: str = ""
    affected: str = _json_text("[]")  # list of system names
    status_times: str = _json_text("{}")  # status -> ISO time it was last entered
    next_update_at: datetime | None = None
    resolved_at: datetime | None = None


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    display_name: str
    created_at: datetime


class Identity(SQLModel, table=True):
    """A person's account on one platform; permissions key on this, never on names."""

    __table_args__ = (UniqueConstraint("platform", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    platform: str
    user_id: str
    display_name: str


class RoleAssignment(SQLModel, table=True):
    __table_args__ = (Index("ix_role_current", "incident_id", "role", "until"),)
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    role: str
    person_id: int = Field(foreign_key="person.id")
    assigned_by: int = Field(foreign_key="person.id")
    since: datetime
    until: datetime | None = None


class IncidentMember(SQLModel, table=True):
    """Who may see a private incident: its declarer, role holders, and anyone in its channel."""

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)


class ChannelBinding(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "conversation_id"),)
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    platform: str
    conversation_id: str
    name: str
    created_at: datetime


class TimelineEntry(SQLModel, table=True):
    """One append-only fact; ``source_event`` makes a redelivered platform event land once."""

    __tablename__ = "timeline_entry"
    __table_args__ = (
        UniqueConstraint("incident_id", "seq"),
        Index("ix_timeline_kind", "incident_id", "kind", "seq"),
        Index("ix_timeline_key", "incident_id", "seq", sqlite_where=_IS_KEY, postgresql_where=_IS_KEY),
    )
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    seq: int
    at: datetime
    kind: str
    author_id: int | None = Field(default=None, foreign_key="person.id")
    author_name: str = ""
    text: str = ""
    data: str = "{}"  # JSON object with the entry kind's structured fields
    key: bool = False
    source_event: str | None = Field(default=None, unique=True)


class Task(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("incident_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    number: int
    title: str
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    state: str = "open"
    created_at: datetime
    done_at: datetime | None = None


class ProcessedEvent(SQLModel, table=True):
    """Every inbound platform event handled, recorded in the same transaction as its effect.

    On SQLite the table is ``WITHOUT ROWID``: the rows live in their primary key's B-tree, so each
    event written touches one B-tree instead of two (the table's and its key's index).
    """

    __tablename__ = "processed_event"
    __table_args__ = {"sqlite_with_rowid": False}
    event_key: str = Field(primary_key=True)
    processed_at: datetime


def _table(model: type[SQLModel]) -> Table:
    """The model's Core table: typed columns for the statements the hot path compiles."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


INCIDENTS = _table(Incident)
PEOPLE = _table(Person)
IDENTITIES = _table(Identity)
ROLES = _table(RoleAssignment)
MEMBERS = _table(IncidentMember)
CHANNELS = _table(ChannelBinding)
ENTRIES = _table(TimelineEntry)
TASKS = _table(Task)
PROCESSED = _table(ProcessedEvent)


# The mechanisms plugins use: confirmations, posted messages, plugin storage, scheduled jobs.
class Confirmation(SQLModel, table=True):
    """A destructive action waiting for approval; durable, so a restart neither loses nor repeats it."""

    __table_args__ = (Index("ix_confirmation_incident", "incident_id", "state"),)
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    action: str
    requested_by: int = Field(foreign_key="person.id")
    requested_at: datetime
    approver_roles: str = '["commander"]'  # JSON list of roles whose holders may decide
    allow_self: bool = False
    expires_at: datetime
    state: str = "pending"  # pending, approved, rejected, expired
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = None
    reason: str = ""
    plugin: str = ""  # who asked, so its hooks can tell their own confirmations apart


class PostedMessage(SQLModel, table=True):
    """A message Warroom posted that people may answer by reacting, or that it may edit later."""

    __tablename__ = "posted_message"
    platform: str = Field(primary_key=True)
    conversation_id: str = Field(primary_key=True)
    message_id: str = Field(primary_key=True)
    key: str = Field(index=True)  # what it is about, e.g. "confirmation:7"
    posted_at: datetime


class PluginValue(SQLModel, table=True):
    """One key of one plugin's own storage."""

    __tablename__ = "plugin_value"
    plugin: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    value: str  # JSON
    updated_at: datetime


# APScheduler's job store, declared here too so migrations and models describe one schema.
SCHEDULED_JOBS = Table(
    "apscheduler_jobs",
    SQLModel.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)

CONFIRMATIONS = _table(Confirmation)
POSTED = _table(PostedMessage)
PLUGIN_VALUES = _table(PluginValue)
