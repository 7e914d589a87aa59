"""Turning incident state into portable messages people read under stress: short, scannable."""

from __future__ import annotations

from datetime import datetime, timedelta

from warroom.core.adapter.messages import Command, Field, Message, Paragraph, Text, Tone
from warroom.core.config.loader import Config
from warroom.core.incident.service import IncidentService
from warroom.core.incident.state import IncidentState
from warroom.core.storage import queries


def clock_time(at: datetime) -> str:
    return at.strftime("%H:%M UTC")


def stamp(at: datetime, reference: datetime) -> str:
    """Time of day, with the date when the incident spans days."""
    return at.strftime("%Y-%m-%d %H:%M UTC") if at.date() != reference.date() else clock_time(at)


def ago(delta: timedelta) -> str:
    return f"{duration(delta)} ago" if delta >= timedelta(minutes=1) else "just now"


def duration(delta: timedelta) -> str:
    """A span people read at a glance: ``2d 3h``, ``1h 5m``, ``under a minute``."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    return " ".join(p for p in parts if p)


def headline(incident: IncidentState, config: Config) -> str:
    severity = config.severity(incident.severity)
    label = severity.name if severity else f"SEV{incident.severity}"
    private = " · private" if incident.private else ""
    return f"{incident.reference} · {incident.title} [{label} · {incident.kind} · {incident.status}{private}]"


def roles_text(service: IncidentService, incident: IncidentState) -> str:
    parts = []
    for role in service.config.role_descriptions():
        holder = incident.roles.get(role)
        parts.append(f"{role}: {service.people.name(holder) if holder else 'vacant'}")
    return " · ".join(parts)


def impact_text(incident: IncidentState) -> str:
    parts = [
        incident.impact_who,
        f"{incident.impact_count:,} affected" if incident.impact_count is not None else "",
        incident.impact_where,
    ]
    return " · ".join(p for p in parts if p) or "not assessed yet"


def affected_text(config: Config, incident: IncidentState) -> str:
    if not incident.affected:
        return "none recorded"
    upstream = sorted({s for name in incident.affected for s in config.upstream(name)} - set(incident.affected))
    downstream = sorted({s for name in incident.affected for s in config.downstream(name)} - set(incident.affected))
    text = ", ".join(incident.affected)
    if upstream:
        text += f" (upstream: {', '.join(upstream)})"
    if downstream:
        text += f" (downstream: {', '.join(downstream)})"
    return text


def next_update_text(incident: IncidentState, now: datetime) -> str:
    if incident.next_update_at is None:
        return ""
    due = incident.next_update_at
    late = " — overdue" if due < now else ""
    return f"next update due {clock_time(due)}{late}"


def status_message(service: IncidentService, incident: IncidentState, now: datetime) -> Message:
    fields = [
        Field("Status", f"{incident.status} (since {clock_time(_entered(incident, incident.status))})"),
        Field("Roles", roles_text(service, incident), inline=False),
        Field("Impact", impact_text(incident), inline=False),
        Field("Affected", affected_text(service.config, incident), inline=False),
    ]
    update = next_update_text(incident, now)
    if update:
        fields.append(Field("Updates", update))
    return Message(title=headline(incident, service.config), fields=tuple(fields))


def brief_message(service: IncidentService, incident: IncidentState, now: datetime) -> Message:
    """The catch-up for someone joining: who leads, where it stands, what's open, what happened."""
    db = service.db
    started = f"declared by {service.people.name(incident.declared_by)} {ago(now - incident.declared_at)}"
    fields = [
        Field("Status", f"{incident.status} · {started}", inline=False),
        Field("Roles", roles_text(service, incident), inline=False),
        Field("Impact", impact_text(incident), inline=False),
        Field("Affected", affected_text(service.config, incident), inline=False),
    ]
    if incident.summary:
        fields.append(Field("Summary", incident.summary, inline=False))
    open_tasks = [t for t in queries.tasks(db, incident.id) if t.state == "open"]
    if open_tasks:
        lines = [f"#{t.number} {t.title}" + (f" ({t.owner.name})" if t.owner else " (unowned)") for t in open_tasks]
        fields.append(Field("Open tasks", "\n".join(lines), inline=False))
    events = queries.key_events(db, incident.id, limit=10)
    if events:
        lines = [f"{stamp(e.at, now)} #{e.seq} {e.text}" for e in events]
        fields.append(Field("Key events (latest)", "\n".join(lines), inline=False))
    update = queries.last_of_kind(db, incident.id, "update")
    if update:
        due = next_update_text(incident, now)
        text = f"{stamp(update.at, now)} {update.author}: {update.text}" + (f" ({due})" if due else "")
        fields.append(Field("Last update", text, inline=False))
    return Message(title="Brief: " + headline(incident, service.config), fields=tuple(fields))


def declared_message(incident: IncidentState, config: Config, channel: str, intro: bool) -> Message:
    """Posted where the incident was declared, and as the first message of its channel."""
    head = Text(f"🚨 {headline(incident, config)}", bold=True)
    if intro:
        hint = Paragraph.of(
            "Who is leading? Take a role with “",
            Command("role take commander"),
            "” and “",
            Command("role take communicator"),
            "”. Everything said here goes on the timeline.",
        )
        return Message(blocks=(Paragraph((head,)), hint), tone=Tone.WARNING)
    where = f"Join {channel} to help." if channel else "I couldn't open a channel for it; use --incident with commands."
    return Message(blocks=(Paragraph((head,)), Paragraph((Text(where),))), tone=Tone.WARNING)


def _entered(incident: IncidentState, status: str) -> datetime:
    at = incident.status_times.get(status)
    return datetime.fromisoformat(at) if at else incident.declared_at
