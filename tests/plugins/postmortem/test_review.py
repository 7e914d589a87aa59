"""The post-mortem review reminder (durable, said once) and ``warroom postmortem`` on the command line."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from warroom.core.cli import main
from warroom.core.testing import Harness
from warroom.plugins.postmortem import Postmortem

from tests.plugins.postmortem.script import PEOPLE, SECRETS, harness, restart, scripted

DUE = "🗓️ Time for the post-mortem review of INC-1"
OFFER = "Schedule the post-mortem review? /incident postmortem review --in 3d"


def reminders(h: Harness) -> list[str]:
    """The review reminders on INC-1's timeline."""
    context = h.plugin("postmortem").context
    return [e.text for e in context.timeline(1, kinds=("postmortem",)) if e.text.startswith(DUE)]


async def declared(h: Harness) -> None:
    await h.say('/incident declare "Payments down"', user="Alice")
    await h.say("/incident role take commander", channel=h.channel("INC-1"), user="Alice")


async def test_resolving_offers_to_schedule_the_review(warroom: Any) -> None:
    h = harness(warroom)
    await declared(h)

    replies = await h.say("/incident resolve", channel=h.channel("INC-1"), user="Alice")
    assert OFFER in replies


async def test_the_review_is_announced_once_three_days_after_resolution_even_across_restarts(
    warroom: Any,
) -> None:
    h = harness(warroom)
    await declared(h)
    ch = h.channel("INC-1")
    await h.say("/incident resolve", channel=ch, user="Alice")
    h.advance(timedelta(hours=1))

    replies = await h.say("/incident postmortem review", channel=ch, user="Carol")
    assert replies == [
        "📅 Post-mortem review of INC-1: Sun 4 Jan 00:00 UTC (3d after it was resolved). I'll remind this "
        "channel then; the draft is one command away: “/incident postmortem”."
    ]
    assert await h.elapse(timedelta(days=2, hours=22)) == []
    posted = await h.elapse(timedelta(hours=1))
    assert len(posted) == 1 and posted[0].startswith(DUE + " “Payments down” (resolved 3d ago)")
    assert h.adapter.sent[-1].conversation == ch
    assert await h.elapse(timedelta(days=3)) == []

    again = await restart(warroom, h)
    assert await again.elapse(timedelta(days=7)) == []
    assert len(reminders(again)) == 1


async def test_a_review_planned_before_a_restart_still_comes(warroom: Any) -> None:
    h = harness(warroom)
    await declared(h)
    await h.say("/incident resolve", channel=h.channel("INC-1"), user="Alice")
    await h.say("/incident postmortem review --in 2d", channel=h.channel("INC-1"), user="Alice")

    again = await restart(warroom, h)
    assert await again.elapse(timedelta(days=1)) == []
    posted = await again.elapse(timedelta(days=1))
    assert len(posted) == 1 and posted[0].startswith(DUE)
    assert len(reminders(again)) == 1


async def test_asked_before_resolution_the_review_is_planned_when_it_is_resolved(warroom: Any) -> None:
    h = harness(warroom)
    await declared(h)
    ch = h.channel("INC-1")

    replies = await h.say("/incident postmortem review --in 2d", channel=ch, user="Bob")
    assert replies == ["📅 I'll schedule the post-mortem review of INC-1 for 2d after it is resolved, and say so here."]
    assert await h.elapse(timedelta(days=3)) == []
    replies = await h.say("/incident resolve", channel=ch, user="Alice")
    assert "📅 Post-mortem review of INC-1 scheduled for Tue 6 Jan 00:00 UTC, 2d after resolution." in replies
    assert OFFER not in replies
    posted = await h.elapse(timedelta(days=2))
    assert len(posted) == 1 and posted[0].startswith(DUE)


async def test_a_reopened_incident_gets_its_review_after_it_is_resolved_again(warroom: Any) -> None:
    h = harness(warroom)
    await declared(h)
    ch = h.channel("INC-1")
    await h.say("/incident postmortem review --in 1d", channel=ch, user="Alice")
    await h.say("/incident resolve", channel=ch, user="Alice")
    h.advance(timedelta(hours=12))
    await h.say("/incident status investigating", channel=ch, user="Alice")

    assert await h.elapse(timedelta(days=1)) == []
    await h.say("/incident resolve", channel=ch, user="Alice")
    posted = await h.elapse(timedelta(days=1))
    assert len(posted) == 1 and posted[0].startswith(DUE)


async def test_late_planning_counts_from_now_and_says_so(warroom: Any) -> None:
    h = harness(warroom)
    await declared(h)
    await h.say("/incident resolve", channel=h.channel("INC-1"), user="Alice")
    h.advance(timedelta(days=5))

    replies = await h.say("/incident postmortem review --in 1d", channel=h.channel("INC-1"), user="Alice")
    assert "Wed 7 Jan 00:00 UTC (1d from now: 1d after resolution has passed)" in replies[0]


async def test_a_review_delay_of_nothing_is_refused(warroom: Any) -> None:
    h = harness(warroom)
    await declared(h)

    replies = await h.say("/incident postmortem review --in 0m", channel=h.channel("INC-1"), user="Alice")
    assert replies[0].startswith("--in must be longer than zero.")


# --- warroom postmortem ------------------------------------------------------------------------------------------


@pytest.fixture
async def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Warroom database holding the scripted incident, closed, and the CLI pointed at it."""
    path = tmp_path / "cli.db"
    h = harness(lambda **options: Harness(path, **options))
    await scripted(h)
    await h.close()
    monkeypatch.delenv("WARROOM_CONFIG", raising=False)
    monkeypatch.setenv("WARROOM_DATABASE_URL", f"sqlite:///{path}")
    return path


def test_the_cli_writes_the_external_draft_to_a_file(database: Path, tmp_path: Path) -> None:
    out = tmp_path / "INC-1-external.md"

    assert main(["postmortem", "INC-1", "--external", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("> **Draft — review before publishing.**")
    assert "# Incident report: Checkout failing after a responder's deploy to [internal host]" in text
    for name in PEOPLE:
        assert not re.search(rf"\b{name}\b", text, re.IGNORECASE), name
    # Not configured on the command line, so the operator's terms are the only ones that stay.
    assert [s for s in SECRETS if s.lower() in text.lower()] == ["ledgerd", "Nimbus"]


def test_the_cli_prints_the_internal_draft(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["postmortem", "inc-1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Post-mortem: Checkout failing after Bob's deploy") and "## Language review" in out


@pytest.mark.parametrize(
    ("incident", "message"),
    [
        ("INC-99", "There is no incident INC-99 in this Warroom's database.\n"),
        ("payments", "“payments” is not an incident reference like INC-3.\n"),
    ],
)
def test_the_cli_explains_a_wrong_incident(
    database: Path, capsys: pytest.CaptureFixture[str], incident: str, message: str
) -> None:
    assert main(["postmortem", incident]) == 1
    assert capsys.readouterr().err == message


def test_the_cli_does_not_create_a_database_that_is_not_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.db"
    monkeypatch.delenv("WARROOM_CONFIG", raising=False)
    monkeypatch.setenv("WARROOM_DATABASE_URL", f"sqlite:///{missing}")

    assert main(["postmortem", "INC-1"]) == 1
    assert capsys.readouterr().err == (
        f"There is no Warroom database at {missing}. Check --config or WARROOM_DATABASE_URL.\n"
    )
    assert not missing.exists()


def test_the_cli_uses_the_plugin_config(database: Path, tmp_path: Path) -> None:
    config = tmp_path / "warroom.yaml"
    config.write_text("plugins:\n  postmortem:\n    internal_services: [ledgerd]\n", encoding="utf-8")
    out = tmp_path / "external.md"

    assert main(["--config", str(config), "postmortem", "INC-1", "--external", "--out", str(out)]) == 0
    assert "ledgerd" not in out.read_text(encoding="utf-8")


def test_postmortem_is_the_plugin_the_entry_point_names() -> None:
    from importlib.metadata import entry_points

    (point,) = [p for p in entry_points(group="warroom.plugins") if p.name == "postmortem"]
    assert point.load() is Postmortem
