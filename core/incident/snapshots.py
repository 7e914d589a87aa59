"""Frozen snapshots of incidents and people, for plugins: safe to keep, never the core's live state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warroom.core.incident.service import IncidentService
from warroom.core.incident.state import IncidentState


@dataclass(frozen=True, slots=True)
class PersonView:
    """A person as Warroom knows them: ``id`` is stable across platforms, ``name`` is how to address them."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class IncidentView:
    """A snapshot of an incident, safe to keep and pass around."""

    id: int
    reference: str
    title: str
    kind: str
    severity: int
    status: str
    private: bool
    declared_at: datetime
    declared_by: PersonView
    roles: dict[str, PersonView]
    next_update_at: datetime | None
    resolved_at: datetime | None
    summary: str
    affected: tuple[str, ...]
    impact_who: str
    impact_count: int | None
    impact_where: str
    status_times: dict[str, str]  # status -> ISO time it was last entered

    @property
    def resolved(self) -> bool:
        """Whether the incident is over (its status is ``resolved``); a resolved incident can be reopened."""
        return self.status == "resolved"


def incident_view(service: IncidentService, state: IncidentState) -> IncidentView:
    people = service.people
    return IncidentView(
        id=state.id,
        reference=state.reference,
        title=state.title,
        kind=state.kind,
        severity=state.severity,
        status=state.status,
        private=state.private,
        declared_at=state.declared_at,
        declared_by=PersonView(state.declared_by, people.name(state.declared_by)),
        roles={role: PersonView(pid, people.name(pid)) for role, pid in state.roles.items()},
        next_update_at=state.next_update_at,
        resolved_at=state.resolved_at,
        summary=state.summary,
        affected=tuple(state.affected),
        impact_who=state.impact_who,
        impact_count=state.impact_count,
        impact_where=state.impact_where,
        status_times=dict(state.status_times),
    )


@dataclass(frozen=True, slots=True)
class TaskItem:
    """A task on an incident: ``number`` is how people refer to it, ``owner`` None while nobody has it."""

    number: int
    title: str
    owner: PersonView | None
    done: bool


@dataclass(frozen=True, slots=True)
class RoleSpell:
    """One person holding one role for a while (``until`` None: still holding it)."""

    role: str
    person: PersonView
    since: datetime
    until: datetime | None
