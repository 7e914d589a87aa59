"""Tables behind the mechanisms plugins use: confirmations, posted messages, plugin storage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, Index, LargeBinary, Table, Unicode
from sqlmodel import Field, SQLModel

from .models import _table


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
