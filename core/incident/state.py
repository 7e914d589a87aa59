"""The in-memory view of an incident that commands check against.

Loaded once per incident and kept in step with every write, so the hot path
(capturing chat, logging) needs no query; dropped whenever a transaction rolls
back, so it never holds a change the database does not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from warroom.core.storage.database import Database
from warroom.core.storage.tables import ENTRIES, INCIDENTS, MEMBERS, ROLES, TASKS

COMMANDER = "commander"
COMMUNICATOR = "communicator"

STORED = tuple(column.name for column in INCIDENTS.c if column.name != "id")
"""The incident's own fields, as its table lists them: loading, saving and snapshots all go by this.
:class:`IncidentState` and the plugins' ``IncidentView`` declare each of them, with its type."""
_JSON = frozenset(column.name for column in INCIDENTS.c if column.info.get("json"))


@dataclass(slots=True)
class IncidentState:
    # Its row: the table's columns by the same names (STORED), JSON ones as the values they hold.
    id: int
    title: str
    kind: str
    severity: int
    status: str
    private: bool
    declared_by: int
    declared_at: datetime
    summary: str = ""
    impact_who: str = ""
    impact_count: int | None = None
    impact_where: str = ""
    affected: list[str] = field(default_factory=list)
    status_times: dict[str, str] = field(default_factory=dict)
    next_update_at: datetime | None = None
    resolved_at: datetime | None = None
    # Kept beside the row, from the other tables.
    roles: dict[str, int] = field(default_factory=dict)  # role -> person id of the current holder
    role_rows: dict[str, int] = field(default_factory=dict)  # role -> id of the current assignment row
    members: set[int] = field(default_factory=set)
    next_seq: int = 1
    next_task: int = 1

    @property
    def reference(self) -> str:
        return f"INC-{self.id}"

    @property
    def resolved(self) -> bool:
        return self.status == "resolved"

    def row(self, *names: str) -> dict[str, Any]:
        """The incident's own columns as stored: all of them, or only ``names``."""
        row = {name: getattr(self, name) for name in names or STORED}
        for name in _JSON.intersection(row):
            row[name] = json.dumps(row[name])
        return row


_LOAD_INCIDENT = select(*(INCIDENTS.c[name] for name in STORED)).where(INCIDENTS.c.id == bindparam("id"))
_LOAD_ROLES = select(ROLES.c.role, ROLES.c.person_id, ROLES.c.id).where(
    ROLES.c.incident_id == bindparam("id"),
    ROLES.c.until.is_(None),
)
_LOAD_MEMBERS = select(MEMBERS.c.person_id).where(MEMBERS.c.incident_id == bindparam("id"))
_MAX_SEQ = select(func.max(ENTRIES.c.seq)).where(ENTRIES.c.incident_id == bindparam("id"))
_MAX_TASK = select(func.max(TASKS.c.number)).where(TASKS.c.incident_id == bindparam("id"))


def load_incident(db: Database, incident_id: int) -> IncidentState | None:
    rows = db.select(_LOAD_INCIDENT, {"id": incident_id})
    if not rows:
        return None
    values = dict(zip(STORED, rows[0], strict=True))
    for name in _JSON:
        values[name] = json.loads(values[name])
    state = IncidentState(id=incident_id, **values)
    for role, person, row_id in db.select(_LOAD_ROLES, {"id": incident_id}):
        state.roles[role] = person
        state.role_rows[role] = row_id
    state.members = {person for (person,) in db.select(_LOAD_MEMBERS, {"id": incident_id})}
    state.next_seq = (db.select(_MAX_SEQ, {"id": incident_id})[0][0] or 0) + 1
    state.next_task = (db.select(_MAX_TASK, {"id": incident_id})[0][0] or 0) + 1
    return state
