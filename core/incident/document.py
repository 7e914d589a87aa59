"""The living incident document, rendered from a Jinja2 template.

Chat holds timestamped facts that never change; the document is what
evolves, and what someone rotating in reads first. Templates run in Jinja2's
sandbox and user text only ever arrives as data, so a title like
``{{ config }}`` is printed, never evaluated.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from warroom.core.incident.render import affected_text, headline, impact_text, stamp
from warroom.core.incident.service import IncidentService
from warroom.core.incident.state import IncidentState
from warroom.core.storage import queries

DEFAULT_TEMPLATE = "incident-doc.md.j2"


@lru_cache(maxsize=8)
def _template_source(path: str | None) -> str:
    if path is None:
        return (resources.files("warroom.config") / "templates" / DEFAULT_TEMPLATE).read_text(encoding="utf-8")
    return Path(path).read_text(encoding="utf-8")


def document_context(service: IncidentService, incident: IncidentState, now: Any) -> dict[str, Any]:
    db, names = service.db, service.people.name
    last_update = queries.last_of_kind(db, incident.id, "update")
    return {
        "reference": incident.reference,
        "headline": headline(incident, service.config),
        "title": incident.title,
        "status": incident.status,
        "severity": incident.severity,
        "kind": incident.kind,
        "private": incident.private,
        "declared_by": names(incident.declared_by),
        "declared_at": stamp(incident.declared_at, now),
        "summary": incident.summary,
        "roles": {
            role: names(incident.roles[role]) if role in incident.roles else None
            for role in service.config.role_descriptions()
        },
        "impact": impact_text(incident),
        "affected": affected_text(service.config, incident),
        "key_events": [
            {"at": stamp(e.at, now), "seq": e.seq, "text": e.text, "author": e.author}
            for e in queries.key_events(db, incident.id)
        ],
        "tasks": [
            {"number": t.number, "title": t.title, "state": t.state, "owner": t.owner.name if t.owner else None}
            for t in queries.tasks(db, incident.id)
        ],
        "attachments": [
            {"seq": e.seq, "name": e.data.get("name", "snippet"), "text": e.text, "author": e.author}
            for e in queries.of_kind(db, incident.id, "attachment")
        ],
        "last_update": {"at": stamp(last_update.at, now), "author": last_update.author, "text": last_update.text}
        if last_update
        else None,
    }


def render_document(service: IncidentService, incident: IncidentState, now: Any) -> str:
    environment = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    template = environment.from_string(_template_source(service.config.templates.incident_doc))
    return template.render(document_context(service, incident, now))
