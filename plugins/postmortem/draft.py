"""From an incident's record to the two drafts: one source, an internal and an external rendering.

The record is read once (incident, timeline, tasks, role history) and both
versions are built from it, so they never disagree about what happened. The
external one gets only customer-relevant sections and goes through the
redactor field by field; it never sees authors, roles or internal sections.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from warroom.core.plugin import Entry, IncidentView, PluginContext, RoleSpell, TaskItem, duration
from warroom.plugins.postmortem.language import Hint, Reviewer
from warroom.plugins.postmortem.redact import SOMEONE, Redactor, role_wording
from warroom.plugins.postmortem.render import EXTERNAL, INTERNAL, render
from warroom.plugins.postmortem.settings import PostmortemSettings

_KEY_LABELS = {"declared": "Declared", "decision": "Decision", "update": "Stakeholder update"}
_CUSTOMER_KINDS = frozenset({"declared", "status", "update"})
_BOT = "Warroom"


@dataclass(frozen=True, slots=True)
class Record:
    incident: IncidentView
    entries: tuple[Entry, ...]
    tasks: tuple[TaskItem, ...]
    roles: tuple[RoleSpell, ...]
    people: tuple[str, ...]
    drafted_at: datetime


def read_record(context: PluginContext, incident_id: int) -> Record:
    """Everything the drafts use; raises LookupError when there is no such incident."""
    incident = context.incident(incident_id)
    entries = tuple(context.timeline(incident_id))
    tasks = tuple(context.tasks(incident_id))
    roles = tuple(context.role_history(incident_id))
    names = [incident.declared_by.name, *(p.name for p in context.members(incident_id))]
    names += [spell.person.name for spell in roles] + [t.owner.name for t in tasks if t.owner]
    names += [e.author for e in entries if e.author != _BOT]
    return Record(incident, entries, tasks, roles, tuple(dict.fromkeys(names)), context.clock.now())


def internal_draft(record: Record, settings: PostmortemSettings) -> str:
    return render(INTERNAL, settings.internal_template, internal_context(record, settings))


def external_draft(record: Record, settings: PostmortemSettings) -> str:
    return render(EXTERNAL, settings.external_template, external_context(record, settings))


class Times:
    """Times of day in UTC, with the date on every one when the incident spans days."""

    def __init__(self, record: Record) -> None:
        moments = [record.incident.declared_at, *(e.at for e in record.entries)]
        self.first, self.last = min(moments), max(moments)
        self.spans_days = _utc(self.first).date() != _utc(self.last).date()

    def __call__(self, at: datetime) -> str:
        return f"{_utc(at):%Y-%m-%d %H:%M}" if self.spans_days else f"{_utc(at):%H:%M}"

    def dates(self) -> str:
        first, last = _utc(self.first), _utc(self.last)
        if not self.spans_days:
            return f"{first:%A} {first.day} {first:%B %Y}"
        return f"{first:%A} {first.day} {first:%B %Y} to {last:%A} {last.day} {last:%B %Y}"


def milestones(incident: IncidentView) -> dict[str, Any]:
    """When it was declared, mitigated and resolved, and how long each took (``status_times``)."""
    mitigated = _parse(incident.status_times.get("mitigated"))
    resolved = incident.resolved_at
    if mitigated is not None and (mitigated < incident.declared_at or (resolved and mitigated > resolved)):
        mitigated = None
    mitigated = mitigated or resolved  # resolved straight away: the impact stopped then
    return {
        "mitigated": mitigated,
        "resolved": resolved,
        "time_to_mitigate": duration(mitigated - incident.declared_at) if mitigated else None,
        "time_to_resolve": duration(resolved - incident.declared_at) if resolved else None,
    }


def internal_context(record: Record, settings: PostmortemSettings) -> dict[str, Any]:
    incident, times = record.incident, Times(record)
    hints = Reviewer(settings.blame_phrases).review(record.entries)
    flagged = {hint.seq for hint in hints}

    def item(entry: Entry, text: str | None = None) -> dict[str, Any]:
        return {
            "seq": entry.seq,
            "at": times(entry.at),
            "author": entry.author,
            "text": entry.text if text is None else text,
            "flagged": entry.seq in flagged,
        }

    def of(*kinds: str) -> list[dict[str, Any]]:
        return [item(e) for e in record.entries if e.kind in kinds]

    done = milestones(incident)
    messages = [e for e in record.entries if e.kind == "message"]
    return {
        **_facts(incident, times, done),
        "declared_by": incident.declared_by.name,
        "private": incident.private,
        "affected": list(incident.affected),
        "key_events": [item(e, _key_text(e)) for e in record.entries if e.key],
        "status_path": _status_path(record, times),
        "attachments": [
            {**item(e), "name": str(e.data.get("name", "snippet")), "fence": _fence(e.text)}
            for e in record.entries
            if e.kind == "attachment"
        ],
        "assumptions": of("assumption"),
        "verifications": [
            {**item(e), "command": str(e.data.get("command") or ""), "result": str(e.data.get("result") or "")}
            for e in record.entries
            if e.kind == "verification"
        ],
        "decisions": of("decision"),
        "notes": of("note"),
        "tasks": [_task(t) for t in record.tasks],
        "open_tasks": [_task(t) for t in record.tasks if not t.done],
        "confirmations": _confirmations(record.entries, times),
        "roles": _roles(record.roles, times, incident.resolved),
        "updates": of("update"),
        "hints": _by_entry(hints, times),
        "discussion": {"messages": len(messages), "people": len({e.author for e in messages})},
        "entries": len(record.entries),
        "drafted_at": f"{_utc(record.drafted_at):%Y-%m-%d %H:%M} UTC",
    }


def external_context(record: Record, settings: PostmortemSettings) -> dict[str, Any]:
    incident, times = record.incident, Times(record)
    redact = Redactor(settings, _wordings(record))
    done = milestones(incident)
    timeline = [
        {"at": times(e.at), "kind": e.kind, "status": str(e.data.get("to", "")), "text": redact(e.text)}
        for e in record.entries
        if e.kind in _CUSTOMER_KINDS
    ]
    facts = _facts(incident, times, done)
    context = {
        **facts,
        "title": redact(incident.title),
        "summary": redact(incident.summary),
        "impact": {key: redact(value) for key, value in facts["impact"].items()},
        "timeline": timeline,
        "prevention": [redact(t.title) for t in record.tasks if not t.done],
    }
    reviewer = Reviewer(settings.blame_phrases)
    texts = [context["title"], context["summary"], *(e["text"] for e in timeline), *context["prevention"]]
    context["wording"] = list(dict.fromkeys(m.group() for text in texts for m, _ in reviewer.phrases(text)))
    return context


def _facts(incident: IncidentView, times: Times, done: dict[str, Any]) -> dict[str, Any]:
    return {
        "reference": incident.reference,
        "title": incident.title,
        "severity": f"SEV{incident.severity}",
        "kind": incident.kind,
        "status": incident.status,
        "resolved": incident.resolved,
        "dates": times.dates(),
        "spans_days": times.spans_days,
        "declared_at": times(incident.declared_at),
        "mitigated_at": times(done["mitigated"]) if done["mitigated"] else None,
        "resolved_at": times(done["resolved"]) if done["resolved"] else None,
        "time_to_mitigate": done["time_to_mitigate"],
        "time_to_resolve": done["time_to_resolve"],
        "summary": incident.summary,
        "impact": {
            "who": incident.impact_who,
            "count": f"{incident.impact_count:,}" if incident.impact_count is not None else "",
            "where": incident.impact_where,
        },
    }


def _status_path(record: Record, times: Times) -> list[dict[str, str]]:
    """Each status the incident went through and when, starting with the one it was declared in."""
    changes = [e for e in record.entries if e.kind == "status"]
    first = str(changes[0].data.get("from", "")) if changes else record.incident.status
    path = [{"status": first, "at": times(record.incident.declared_at)}]
    return path + [{"status": str(e.data.get("to", "")), "at": times(e.at)} for e in changes]


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in ``text``, so pasted logs can't end it early."""
    return "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))


def _key_text(entry: Entry) -> str:
    label = _KEY_LABELS.get(entry.kind)
    return f"{label}: {entry.text}" if label else entry.text


def _task(task: TaskItem) -> dict[str, Any]:
    return {
        "number": task.number,
        "title": task.title,
        "owner": task.owner.name if task.owner else None,
        "done": task.done,
    }


def _confirmations(entries: Iterable[Entry], times: Times) -> list[dict[str, Any]]:
    """One line per confirmation: what was asked, by whom, and how it ended."""
    found: dict[Any, dict[str, Any]] = {}
    for entry in entries:
        if entry.kind != "confirmation":
            continue
        number, state = entry.data.get("confirmation"), str(entry.data.get("state", ""))
        if state == "requested":
            found[number] = {
                "seq": entry.seq,
                "action": str(entry.data.get("action", entry.text)),
                "requested_by": entry.author,
                "requested_at": times(entry.at),
                "outcome": "pending",
                "decided_by": None,
                "decided_at": None,
                "reason": "",
            }
        elif number in found:
            found[number].update(
                outcome=state,
                decided_at=times(entry.at),
                reason=str(entry.data.get("reason") or ""),
                decided_by=entry.author if entry.author != _BOT else None,
            )
    return list(found.values())


def _roles(spells: Iterable[RoleSpell], times: Times, resolved: bool) -> list[dict[str, Any]]:
    by_role: dict[str, list[dict[str, Any]]] = {}
    for spell in spells:
        until = times(spell.until) if spell.until else ("the end" if resolved else "now")
        by_role.setdefault(spell.role, []).append(
            {"name": spell.person.name, "since": times(spell.since), "until": until}
        )
    return [{"role": role, "holders": holders} for role, holders in by_role.items()]


def _by_entry(hints: Iterable[Hint], times: Times) -> list[dict[str, Any]]:
    """One line per entry in the language review, with every phrase found in it."""
    grouped: dict[int, dict[str, Any]] = {}
    for hint in hints:
        line = grouped.setdefault(
            hint.seq,
            {
                "seq": hint.seq,
                "at": times(hint.at),
                "author": hint.author,
                "kind": hint.kind,
                "excerpt": hint.excerpt,
                "phrases": [],
            },
        )
        line["phrases"].append({"phrase": hint.phrase, "suggestion": hint.suggestion})
    return list(grouped.values())


def _wordings(record: Record) -> dict[str, str]:
    """How the external draft refers to each person: by the role they held, else as a responder."""
    held: dict[str, str] = {}
    for spell in sorted(record.roles, key=lambda s: s.role != "commander"):
        held.setdefault(spell.person.name, role_wording(spell.role))
    return {name: held.get(name, SOMEONE) for name in record.people}


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
