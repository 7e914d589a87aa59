"""Frozen snapshots of incidents, people and tasks, for plugins: safe to keep, never the core's live state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from warroom.core.incident.service import IncidentService
from warroom.core.incident.state import STORED, IncidentState
from warroom.core.storage.queries import PersonView, TaskItem

# PersonView and TaskItem are read from storage as they are; plugins get them from here with the rest.
__all__ = ["IncidentView", "PersonView", "RoleSpell", "TaskItem", "incident_view"]


@dataclass(frozen=True, slots=True)
class IncidentView:
    """A snapshot of an incident, safe to keep and pass around: its stored fields (``state.STORED``, each
    declared here with the type plugins see), plus its reference and who holds which role."""

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
    """Every stored field of ``state``, copied so the snapshot shares nothing mutable with it."""
    name = service.people.name
    fields = {field: _frozen(getattr(state, field)) for field in STORED}
    fields["declared_by"] = PersonView(state.declared_by, name(state.declared_by))
    roles = {role: PersonView(pid, name(pid)) for role, pid in state.roles.items()}
    return IncidentView(id=state.id, reference=state.reference, roles=roles, **fields)


def _frozen(value: Any) -> Any:
    """A list as a tuple, a dict as a copy: the state changes them in place."""
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        return dict(value)
    return value


@dataclass(frozen=True, slots=True)
class RoleSpell:
    """One person holding one role for a while (``until`` None: still holding it)."""

    role: str
    person: PersonView
    since: datetime
    until: datetime | None
