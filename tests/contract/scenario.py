"""One scripted incident that every adapter must carry the same way.

Each platform runs it against its own peer; the resulting timelines, reduced
to what a responder reads (kind, author, text), must all equal the one below.
That is the adapter contract: whatever the platform, the record is the same.
"""

from __future__ import annotations

from pathlib import Path

from warroom.core.app import Warroom
from warroom.core.clock import Clock
from warroom.core.config.loader import load_config
from warroom.core.storage import queries

from tests.contract.driver import PlatformDriver

EXPECTED = [
    ("declared", "alice", "Payment API is down"),
    ("channel", "Warroom", "Channel opened"),
    ("role", "alice", "alice is now commander"),
    ("role", "alice", "bob is now communicator"),
    ("message", "carol", "error rate is 40% since 14:02"),
    ("note", "alice", "restarted api-3, no change"),
    ("confirmation", "bob", "Asked to: restart db-1"),
    ("confirmation", "alice", "Approved: restart db-1"),
    ("status", "alice", "Status investigating → mitigated"),
    ("status", "alice", "Status mitigated → resolved"),
]


def make_app(tmp_path: Path, clock: Clock | None = None) -> Warroom:
    """An app on a fresh database with the confirmations and post-mortem plugins; drivers add their adapter."""
    path = tmp_path / "contract.yaml"
    path.write_text(
        f"database:\n  url: sqlite:///{tmp_path / 'contract.db'}\n"
        "plugins:\n  confirmations: {}\n  postmortem: {}\n",
        encoding="utf-8",
    )
    return Warroom(load_config(path, environ={}), clock=clock)


async def run_scripted_incident(driver: PlatformDriver, app: Warroom) -> list[tuple[str, str, str]]:
    """Declare, lead, log, confirm, mitigate, resolve and draft the post-mortem; return the timeline."""
    await driver.post("alice", '/incident declare "Payment API is down" --severity 2')
    await driver.settle()
    channel = driver.channel_of("INC-1")
    assert any("INC-1" in text for text in driver.bot_texts(channel)), driver.bot_texts(channel)
    await driver.post("alice", "/incident role take commander", channel=channel)
    await driver.post("alice", "/incident role communicator @bob", channel=channel)
    await driver.post("carol", "error rate is 40% since 14:02", channel=channel)
    await driver.post("alice", "/incident log restarted api-3, no change", channel=channel)
    await driver.post("bob", "/incident action restart db-1", channel=channel)
    await driver.settle()
    await driver.approve_last_confirmation("alice", channel)
    await driver.post("alice", "/incident status mitigated", channel=channel)
    await driver.post("alice", "/incident resolve", channel=channel)
    await driver.post("alice", "/incident postmortem", channel=channel)
    await driver.settle()
    assert any("Post-mortem" in text or "post-mortem" in text for text in driver.bot_texts(channel))
    return timeline(app)


def timeline(app: Warroom) -> list[tuple[str, str, str]]:
    """Kind, author and the first line of the text, for the entries a responder sees (no plugin reminders)."""
    return [
        (entry.kind, entry.author, _headline(entry.kind, entry.text))
        for entry in queries.timeline(app.db, 1)
        if entry.kind != "reminder"
    ]


def _headline(kind: str, text: str) -> str:
    first = text.splitlines()[0] if text else ""
    return "Channel opened" if kind == "channel" else first.split(" — ")[0]
