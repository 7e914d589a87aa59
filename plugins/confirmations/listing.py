"""What ``/incident actions`` shows, read back from the timeline.

The core writes one ``confirmation`` entry when an action is asked for and one
when it is decided or expires; folding those gives every request's state
without a store of the plugin's own that could drift from the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warroom.core.plugin import Command, Entry, Message

SHOWN_CLOSED = 10


@dataclass
class Asked:
    number: int
    action: str
    asked_by: str
    asked_at: datetime
    approvers: tuple[str, ...]
    expires_at: datetime
    state: str = "pending"
    decided_by: str = ""
    decided_at: datetime | None = None
    reason: str = ""


def fold(entries: list[Entry]) -> list[Asked]:
    """Each confirmation with its latest state, in the order they were asked for."""
    asked: dict[int, Asked] = {}
    for entry in entries:
        number, state = entry.data.get("confirmation"), entry.data.get("state")
        if not isinstance(number, int):
            continue
        if state == "requested":
            asked[number] = Asked(
                number,
                str(entry.data.get("action", entry.text)),
                entry.author,
                entry.at,
                tuple(entry.data.get("approvers", ())),
                datetime.fromisoformat(str(entry.data["expires_at"])),
            )
        elif number in asked:
            found = asked[number]
            found.state, found.decided_at = str(state), entry.at
            found.decided_by = entry.author
            found.reason = str(entry.data.get("reason") or "")
    return list(asked.values())


def render(reference: str, asked: list[Asked], now: datetime) -> Message | str:
    """Waiting requests first (oldest first: they block someone), then the latest decisions."""
    if not asked:
        return Message.of(
            f"No actions have been announced on {reference}. Before a destructive step, announce it: “",
            Command("action restart db-1"),
            "”.",
        )
    waiting = [a for a in asked if a.state == "pending" and now < a.expires_at]
    closed = [a for a in reversed(asked) if a not in waiting]
    lines = [f"Actions on {reference}: {len(waiting)} waiting, {len(closed)} closed."]
    lines.extend(_line(a, now) for a in waiting + closed[:SHOWN_CLOSED])
    if len(closed) > SHOWN_CLOSED:
        lines.append(f"… and {len(closed) - SHOWN_CLOSED} older ones on the timeline.")
    return "\n".join(lines)


def _line(asked: Asked, now: datetime) -> str:
    if asked.state == "pending" and now < asked.expires_at:
        status = f"⏳ waiting for the {' or '.join(asked.approvers)} until {_at(asked.expires_at, now)}"
    elif asked.state in ("pending", "expired"):
        status = f"⌛ expired at {_at(asked.expires_at, now)}, nobody decided"
    else:
        assert asked.decided_at is not None  # set with every state but pending
        mark = "✅" if asked.state == "approved" else "❌"
        status = f"{mark} {asked.state} by {asked.decided_by} at {_at(asked.decided_at, now)}"
        status += f": {asked.reason}" if asked.reason else ""
    return f"{asked.number}. {asked.action} — {status} (asked by {asked.asked_by} at {_at(asked.asked_at, now)})"


def _at(when: datetime, now: datetime) -> str:
    return f"{when:%H:%M} UTC" if when.date() == now.date() else f"{when:%b %d %H:%M} UTC"
