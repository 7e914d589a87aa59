"""Domain events: published after the change they describe is committed, for plugins and the core's own listeners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Something that happened to an incident, published once it is committed; hook this type for all of them."""

    incident_id: int
    reference: str
    at: datetime


@dataclass(frozen=True, slots=True)
class IncidentDeclared(DomainEvent):
    """An incident was declared; its channel may not exist yet (a ``channel`` timeline entry says when it does)."""

    title: str
    severity: int
    private: bool


@dataclass(frozen=True, slots=True)
class StatusChanged(DomainEvent):
    """The incident's status went from ``old`` to ``new`` (reopening is a change away from ``resolved``)."""

    old: str
    new: str


@dataclass(frozen=True, slots=True)
class IncidentResolved(DomainEvent):
    """The incident was resolved; it may still be reopened later."""



@dataclass(frozen=True, slots=True)
class RoleAssigned(DomainEvent):
    """Someone took or was given ``role``; ``previous_person_id`` held it before, if anyone did."""

    role: str
    person_id: int
    previous_person_id: int | None


@dataclass(frozen=True, slots=True)
class TimelineEntryAdded(DomainEvent):
    """An entry landed on the timeline; ``kind`` says what it is (``message`` for captured chat, ``update``, …)."""

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
    """Someone asked for approval of ``action``; it is decided, or expires at ``expires_at``."""

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
