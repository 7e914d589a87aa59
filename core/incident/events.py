"""Domain events: published after the change they describe is committed, for plugins and the core's own listeners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class DomainEvent:
    incident_id: int
    reference: str
    at: datetime


@dataclass(frozen=True, slots=True)
class IncidentDeclared(DomainEvent):
    title: str
    severity: int
    private: bool


@dataclass(frozen=True, slots=True)
class StatusChanged(DomainEvent):
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class IncidentResolved(DomainEvent):
    pass


@dataclass(frozen=True, slots=True)
class RoleAssigned(DomainEvent):
    role: str
    person_id: int
    previous_person_id: int | None


@dataclass(frozen=True, slots=True)
class TimelineEntryAdded(DomainEvent):
    entry_id: int
    seq: int
    kind: str
    text: str = ""
    author_id: int | None = None


@dataclass(frozen=True, slots=True)
class PersonJoined(DomainEvent):
    """Someone became part of an incident: spoke in its channel, joined it, or was given a role."""

    person_id: int


@dataclass(frozen=True, slots=True)
class ConfirmationRequested(DomainEvent):
    confirmation_id: int
    action: str
    requested_by: int
    plugin: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ConfirmationDecided(DomainEvent):
    """``state`` is approved, rejected or expired; ``decided_by`` is None for an expiry."""

    confirmation_id: int
    action: str
    requested_by: int
    state: str
    decided_by: int | None
    plugin: str
