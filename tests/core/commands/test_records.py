"""Recording commands (log, verify, impact, tasks, updates…) and the views built from them (brief, doc)."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from warroom.core.config.loader import load_config
from warroom.core.incident.state import load_incident
from warroom.core.storage import queries
from warroom.core.testing import Harness

from tests.core.commands.helpers import VIA, entries, person, run


@pytest.fixture
async def catalog(tmp_path: Path) -> AsyncIterator[Harness]:
    """A Warroom whose config has a service catalog: web -> api -> db, cache."""
    path = tmp_path / "warroom.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            services:
              api: {depends_on: [db, cache]}
              db: {}
              cache: {}
              web: {depends_on: [api]}
            """
        ),
        encoding="utf-8",
    )
    database = tmp_path / "w.db"
    config = load_config(path, environ={"WARROOM_DATABASE_URL": f"sqlite:///{database}"})
    h = Harness(database, config=config)
    yield h
    await h.close()


# --- notes, assumptions, decisions, verifications -------------------------------------------------


@VIA
@pytest.mark.parametrize("word", ["log", "note"])
async def test_log_and_its_alias(declared: Harness, via: str, word: str) -> None:
    h = declared
    replies = await run(h, via, f"/incident {word} Restarted api-3; error rate unchanged", user="bob", event_id="l1")
    assert replies == ["📝 Logged #3."]
    entry = entries(h)[-1]
    assert (entry.seq, entry.kind, entry.text, entry.author) == (
        3,
        "note",
        "Restarted api-3; error rate unchanged",
        "bob",
    )
    assert (entry.key, entry.source_event, entry.at) == (False, "fake:l1", h.clock.now())
    assert person(h, "bob") in load_incident(h.app.db, 1).members  # type: ignore[union-attr]


@VIA
async def test_verify_keeps_command_and_result(declared: Harness, via: str) -> None:
    h = declared
    replies = await run(h, via, '/incident verify DB replication healthy --cmd "SELECT 1 FROM pg" -r "0.4 s"')
    assert replies == ["🔎 Verification #3 recorded."]
    entry = entries(h)[-1]
    assert (entry.kind, entry.text) == ("verification", "DB replication healthy")
    assert entry.data == {"what": "DB replication healthy", "command": "SELECT 1 FROM pg", "result": "0.4 s"}
    assert await run(h, via, "/incident verify Disk has room") == [
        "🔎 Verification #4 recorded (tip: add --cmd with what you ran)."
    ]
    assert entries(h)[-1].data == {"what": "Disk has room"}


@VIA
async def test_assume_and_decide(declared: Harness, via: str) -> None:
    h = declared
    replies = await run(h, via, "/incident assume The 14:02 deploy caused it")
    assert replies == ["🤔 Assumption #3 recorded. Verify it with “/incident verify …” when you can."]
    assert await run(h, via, "/incident decide Roll back api to v41") == ["⚖️ Decision #4 recorded (key event)."]
    assumption, decision = entries(h)[-2:]
    assert (assumption.kind, assumption.text, assumption.key) == ("assumption", "The 14:02 deploy caused it", False)
    assert (decision.kind, decision.text, decision.key) == ("decision", "Roll back api to v41", True)
    assert [e.seq for e in queries.key_events(h.app.db, 1)] == [1, 4]


# --- impact and affected systems -------------------------------------------------------------------


@VIA
async def test_impact_is_stored_merged_and_shown_in_the_brief(declared: Harness, via: str) -> None:
    h = declared
    replies = await run(h, via, '/incident impact --who "EU card customers" --count 1200 --where checkout')
    assert replies == ["Impact: EU card customers · 1200 · checkout (#3)."]
    await run(h, via, "/incident impact -n 1500")
    state = load_incident(h.app.db, 1)
    assert state is not None
    assert (state.impact_who, state.impact_count, state.impact_where) == ("EU card customers", 1500, "checkout")
    entry = entries(h)[-1]
    assert entry.kind == "impact" and entry.key
    assert entry.data == {"who": "EU card customers", "count": 1500, "where": "checkout"}
    (brief,) = await run(h, via, "/incident brief")
    assert "Impact: EU card customers · 1,500 affected · checkout" in brief.splitlines()
    assert await run(h, via, "/incident impact") == ["Tell me at least one of --who, --count or --where."]
    assert await run(h, via, "/incident impact --count -3") == ["--count can't be negative."]
    assert len(entries(h)) == 4


async def test_an_impact_count_of_zero_is_an_answer(declared: Harness) -> None:
    h = declared
    channel = h.channel("INC-1")
    assert await h.say("/incident impact --count 0 --where eu", channel=channel) == ["Impact: 0 · eu (#3)."]
    assert load_incident(h.app.db, 1).impact_count == 0  # type: ignore[union-attr]
    (brief,) = await h.say("/incident brief", channel=channel)
    assert "Impact: 0 affected · eu" in brief.splitlines()


@VIA
async def test_affected_with_upstream_and_downstream(catalog: Harness, via: str) -> None:
    h = catalog
    await h.say("/incident declare Checkout is down -a api")
    assert await run(h, via, "/incident affected") == ["Affected: api (upstream: cache, db) (downstream: web)"]
    replies = await run(h, via, "/incident affected add db billing")
    assert replies == [
        "Affected: api, db, billing (upstream: cache) (downstream: web) (#3) (not in the service catalog: billing)"
    ]
    entry = entries(h)[-1]
    assert entry.kind == "affected" and entry.data == {"added": ["db", "billing"], "now": ["api", "db", "billing"]}
    assert await run(h, via, "/incident affected remove api billing") == ["Affected: db (downstream: api, web) (#4)"]
    assert load_incident(h.app.db, 1).affected == ["db"]  # type: ignore[union-attr]
    assert await run(h, via, "/incident affected remove api") == ["Nothing changed: not listed."]
    assert await run(h, via, "/incident affected add db") == ["Nothing changed: already listed."]
    (error,) = await run(h, via, "/incident affected add")
    assert error.startswith("Name the systems to add, e.g. “/incident affected add api”")
    assert len(entries(h)) == 4


async def test_affected_add_makes_later_declarations_point_to_it(declared: Harness) -> None:
    h = declared
    await h.say("/incident affected add ledger", channel=h.channel("INC-1"))
    replies = await h.say("/incident declare Refunds stuck -a ledger", user="bob")
    assert replies[0].startswith(
        "Heads up: open incidents that look like this one: INC-1 “Checkout is down” (also affects ledger)."
    )


# --- tasks -------------------------------------------------------------------------------------


@VIA
async def test_tasks_add_assign_done_and_list(declared: Harness, via: str) -> None:
    h = declared
    assert await run(h, via, "/incident tasks") == ["No tasks on INC-1 yet: “/incident task add …”."]
    assert await run(h, via, "/incident task add Scale down the export queue --owner @bob") == [
        "☑️ Task 1 added: Scale down the export queue (owner bob) (#3)."
    ]
    assert await run(h, via, "/incident task add Roll back api") == ["☑️ Task 2 added: Roll back api (#4)."]
    assert await run(h, via, "/incident task assign 2 @carol") == ["Task 2 assigned to carol (#5)."]
    assert await run(h, via, "/incident task done 1") == ["✅ Task 1 done: Scale down the export queue (#6)."]
    assert await run(h, via, "/incident tasks") == [
        "✅ 1. Scale down the export queue — bob\n☐ 2. Roll back api — carol"
    ]
    assert await run(h, via, "/incident task list") == await run(h, via, "/incident tasks")
    tasks = queries.tasks(h.app.db, 1)
    assert [(t.number, t.owner_id, t.state) for t in tasks] == [
        (1, person(h, "bob"), "done"),
        (2, person(h, "carol"), "open"),
    ]
    assert [e.data["event"] for e in entries(h) if e.kind == "task"] == ["added", "added", "assigned", "done"]
    assert {person(h, "bob"), person(h, "carol")} <= load_incident(h.app.db, 1).members  # type: ignore[union-attr]
    assert await run(h, via, "/incident task done 1") == ["Task 1 is already done."]
    assert await run(h, via, "/incident task done 9") == ["There is no task 9 on INC-1; see “/incident tasks”."]
    assert len(entries(h)) == 6


# --- updates and the summary -----------------------------------------------------------------------


@VIA
async def test_update_with_next_time_shown_and_overdue_in_the_brief(declared: Harness, via: str) -> None:
    h = declared
    await run(h, via, "/incident role take communicator", user="carol")
    replies = await run(h, via, '/incident update "Payments recovering" --next 30m', user="carol")
    assert replies == ["📣 Update #4 posted. Next update due 00:30 UTC."]
    state = load_incident(h.app.db, 1)
    assert state is not None and state.next_update_at == h.clock.now() + timedelta(minutes=30)
    entry = entries(h)[-1]
    assert (entry.kind, entry.text, entry.key) == ("update", "Payments recovering", True)
    assert entry.data == {"next_update_at": "2026-01-01T00:30:00+00:00"}
    (brief,) = await run(h, via, "/incident brief")
    assert "Last update: 00:00 UTC carol: Payments recovering (next update due 00:30 UTC)" in brief.splitlines()
    h.advance(timedelta(minutes=31))
    (brief,) = await run(h, via, "/incident brief")
    assert "Last update: 00:00 UTC carol: Payments recovering (next update due 00:30 UTC — overdue)" in brief
    (status,) = await run(h, via, "/incident status")
    assert "Updates: next update due 00:30 UTC — overdue" in status.splitlines()
    assert await run(h, via, "/incident update All clear", user="carol") == ["📣 Update #5 posted."]
    assert load_incident(h.app.db, 1).next_update_at is None  # type: ignore[union-attr]


@VIA
async def test_summary_show_and_set(declared: Harness, via: str) -> None:
    h = declared
    assert await run(h, via, "/incident summary") == ["Summary of INC-1: (none yet)"]
    assert await run(h, via, "/incident summary Card payments fail for EU customers") == ["Summary updated (#3)."]
    assert await run(h, via, "/incident summary") == ["Summary of INC-1: Card payments fail for EU customers"]
    assert load_incident(h.app.db, 1).summary == "Card payments fail for EU customers"  # type: ignore[union-attr]
    assert (entries(h)[-1].kind, entries(h)[-1].text) == ("summary", "Card payments fail for EU customers")
    assert "Summary: Card payments fail for EU customers" in (await run(h, via, "/incident brief"))[0].splitlines()


# --- attachments and key events --------------------------------------------------------------------


@VIA
async def test_attach_keeps_content_verbatim(declared: Harness, via: str) -> None:
    h = declared
    content = 'ERROR 14:02:11 upstream timeout (db-1:5432)\n    at pool.get "x"  \\n\n\tretry=3  --force'
    assert await run(h, via, f"/incident attach --name api-error {content}") == ["📎 Attached “api-error” as #3."]
    entry = entries(h)[-1]
    assert (entry.kind, entry.text) == ("attachment", content)
    assert entry.data == {"name": "api-error", "lines": 3}
    await run(h, via, "/incident attach just one line")
    assert entries(h)[-1].data == {"name": "snippet", "lines": 1}


@VIA
async def test_key_marks_and_unmarks_an_entry(declared: Harness, via: str) -> None:
    h = declared
    await run(h, via, "/incident log Restarted api-3")
    assert await run(h, via, "/incident key 3") == ["#3 is now a key event: Restarted api-3"]
    assert queries.entry(h.app.db, 1, 3).key is True  # type: ignore[union-attr]
    assert entries(h)[-1].data == {"entry": 3, "key": True}
    assert 3 in [e.seq for e in queries.key_events(h.app.db, 1)]
    assert await run(h, via, "/incident key 3 --off") == ["#3 is no longer a key event: Restarted api-3"]
    assert queries.entry(h.app.db, 1, 3).key is False  # type: ignore[union-attr]
    assert (entries(h)[-1].text, entries(h)[-1].data) == ("#3 unmarked as key event", {"entry": 3, "key": False})
    assert await run(h, via, "/incident key 99") == ["INC-1 has no entry #99."]
    assert len(entries(h)) == 5


# --- brief and the living document --------------------------------------------------------------------


@VIA
async def test_brief_catches_someone_up(declared: Harness, via: str) -> None:
    h = declared
    await run(h, via, "/incident role take commander", user="bob")
    await run(h, via, "/incident task add Roll back api --owner @carol")
    await run(h, via, "/incident task add Page the DBA")
    h.advance(timedelta(hours=1, minutes=5))
    (brief,) = await run(h, via, "/incident brief", user="dave")
    assert [line.strip() for line in brief.splitlines()] == [
        "Brief: INC-1 · Checkout is down [SEV1 · technical · investigating]",
        "Status: investigating · declared by alice 1h 5m ago",
        "Roles: commander: bob · communicator: vacant",
        "Impact: not assessed yet",
        "Affected: none recorded",
        "Open tasks: #1 Roll back api (carol)",
        "#2 Page the DBA (unowned)",
        "Key events (latest): 00:00 UTC #1 Checkout is down",
        "00:00 UTC #3 bob is now commander",
    ]


@VIA
async def test_doc_renders_the_living_document(declared: Harness, via: str) -> None:
    h = declared
    await run(h, via, "/incident role take commander", user="bob")
    await run(h, via, "/incident summary Card payments fail", user="bob")
    await run(h, via, "/incident decide Roll back api")
    await run(h, via, "/incident task add Drain queue --owner @carol")
    await run(h, via, "/incident attach --name trace line one\n  line two")
    (doc,) = await run(h, via, "/incident doc")
    assert doc.startswith("```markdown\n# INC-1 · Checkout is down [SEV1 · technical · investigating]\n")
    for expected in [
        "## Summary\nCard payments fail\n",
        "- **commander**: bob\n- **communicator**: vacant\n",
        "- 00:00 UTC — Roll back api (alice, #5)",
        "- [ ] 1. Drain queue — carol",
        "### trace (#7, alice)\n```\nline one\n  line two\n```",
    ]:
        assert expected in doc
    assert len(entries(h)) == 7  # showing the document records nothing


async def test_doc_prints_template_syntax_in_a_title_literally(harness: Harness) -> None:
    h = harness
    await h.say('/incident declare "{{ 7*7 }} {% if true %}x{% endif %}"')
    (doc,) = await h.say("/incident doc", channel=h.channel("INC-1"))
    assert "# INC-1 · {{ 7*7 }} {% if true %}x{% endif %} [SEV3" in doc
    assert "49" not in doc
