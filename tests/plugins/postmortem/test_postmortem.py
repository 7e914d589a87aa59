"""The post-mortem plugin's drafts: internal and external from one record, blameless hints, safe templates."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from warroom.core.adapter.messages import CodeBlock, Paragraph
from warroom.core.testing import Harness

from tests.plugins.postmortem.script import BLAMING, NEUTRAL, PEOPLE, SECRETS, TITLE, entry_number, harness, scripted

INTERNAL_SECTIONS = (
    "## Summary",
    "## Impact",
    "## Timeline of key events",
    "## What happened",
    "## Why",
    "### How we verified",
    "### Decisions",
    "## What was done",
    "### Tasks",
    "## Follow-ups",
    "## Who held which role",
    "## Stakeholder updates",
    "## Language review",
)


@pytest.fixture
async def incident(warroom: Any) -> Harness:
    h = harness(warroom)
    await scripted(h)
    return h


async def draft(h: Harness, *, external: bool = False, user: str = "Alice") -> str:
    """The draft as posted in the incident's channel."""
    replies = await h.say("/incident postmortem" + (" --external" if external else ""), channel=h.channel("INC-1"))
    assert len(replies) == 1, replies
    blocks = h.adapter.sent[-1].message.blocks
    assert isinstance(blocks[0], CodeBlock) and blocks[0].language == "markdown"
    return blocks[0].text


def section(text: str, heading: str) -> str:
    """The body of one ``## heading`` section."""
    start = text.index(heading + "\n") + len(heading) + 1
    end = text.find("\n## ", start)
    return text[start : end if end != -1 else len(text)]


async def test_the_internal_draft_has_every_section_and_the_record_in_it(incident: Harness) -> None:
    text = await draft(incident)

    assert text.startswith(f"# Post-mortem: {TITLE} (INC-1)\n")
    for heading in INTERNAL_SECTIONS:
        assert heading + "\n" in text, heading
    assert "- **Date:** Thursday 1 January 2026 to Friday 2 January 2026 (all times UTC)" in text
    assert "- **Declared:** 2026-01-01 22:40 by Alice" in text
    assert "- **Mitigated:** 2026-01-01 23:10 (time to mitigate: 30m)" in text
    assert "- **Resolved:** 2026-01-02 09:10 (duration, declared to resolved: 10h 30m)" in text
    assert "- **How many:** 1,200" in text and "- **Affected systems:** api, db" in text

    timeline = section(text, "## Timeline of key events")
    assert f"- **2026-01-01 22:40** — Declared: {TITLE} (Alice, #1)" in timeline
    assert "- **2026-01-01 23:10** — Status investigating → mitigated (Alice," in timeline
    assert "- **2026-01-02 09:10** — Status mitigated → resolved (Erin," in timeline
    assert "Decision: Roll back ledgerd to v41" in timeline

    why = section(text, "## Why")
    assert "The 22:30 deploy of ledgerd leaks connections (Bob," in why
    assert (
        "Connections maxed on db-1: ran `psql -h db-1.internal.example.com -c 'select count(*) from "
        "pg_stat_activity'` → 500 of 500 (Bob," in why
    )
    done = section(text, "## What was done")
    assert "Rolled back ledgerd on api-3 and api-4; connections dropping (Bob," in done
    assert "- [x] 1. Roll back ledgerd to v41 — Bob (done)" in done
    assert "- [ ] 2. Alert on connection-pool use of db-1.internal.example.com — Dave (open)" in done
    assert (
        "- restart ledgerd on api-3 — asked by Bob at 2026-01-01 22:50; approved by Alice at 2026-01-01 22:50" in done
    )
    assert "rejected by Alice at 2026-01-01 22:50: not while the rollback runs" in done
    follow_ups = section(text, "## Follow-ups")
    assert "Alert on connection-pool use of db-1.internal.example.com — Dave (task 2, still open)" in follow_ups
    assert "Roll back ledgerd" not in follow_ups  # done, so not a follow-up
    assert "_Prevent:" in follow_ups

    roles = section(text, "## Who held which role")
    assert (
        "- **commander:** Alice (2026-01-01 22:40 – 2026-01-02 01:10), then Erin (2026-01-02 01:10 – the end)" in roles
    )
    assert "- **communicator:** Carol (2026-01-01 22:40 – the end)" in roles
    updates = section(text, "## Stakeholder updates")
    assert "**2026-01-01 23:10** (Carol, #" in updates and "Payments are working again" in updates
    assert "FATAL: remaining connection slots are reserved (db-1:5432)" in section(text, "## What happened")
    for name in PEOPLE:
        assert name in text


async def test_the_external_draft_leaves_out_people_hosts_addresses_and_configured_terms(incident: Harness) -> None:
    text = await draft(incident, external=True)

    assert text.startswith("> **Draft — review before publishing.**\n")
    assert "Nothing has been published." in text
    for name in PEOPLE:
        assert not re.search(rf"\b{name}\b", text, re.IGNORECASE), name
    for secret in SECRETS:
        assert secret.lower() not in text.lower(), secret
    assert "@" not in text and "https://" not in text

    assert "# Incident report: Checkout failing after a responder's deploy to [internal host]" in text
    assert "the a new feature deploy" in text  # the operator's rule, verbatim: the reviewer fixes the wording
    assert "customers; the communicator is rolling back one of our internal services." in text
    assert "Dashboard: [internal link]" in text
    assert "- **How many:** about 1,200" in text
    assert "- **When:** from 2026-01-01 22:40 UTC until 2026-01-01 23:10 UTC (30m)" in text
    assert "We became aware of the problem and started investigating." in text
    assert "- **2026-01-01 23:10** — We mitigated the impact" in text
    prevention = section(text, "## What we're doing to prevent it")
    assert "Alert on connection-pool use of [internal host]" in prevention
    for internal_only in ("## Why", "## Who held which role", "## Language review", "Decision", "max_connections"):
        assert internal_only not in text


async def test_blaming_phrases_are_flagged_with_their_entry_and_neutral_ones_are_not(incident: Harness) -> None:
    text = await draft(incident)
    review = section(text, "## Language review")
    blaming, neutral = entry_number(incident, BLAMING), entry_number(incident, NEUTRAL)

    assert f"- **#{blaming}** (message by Bob, 2026-01-01 22:43): “{BLAMING}”" in review
    assert "_Dave's fault_: Name the condition that let it happen" in review
    assert "_forgot to_: Describe the step that nothing enforced or automated" in review
    assert f"#{neutral}" not in review


async def test_flagged_entries_are_marked_where_the_draft_shows_them(warroom: Any) -> None:
    h = harness(warroom)
    await h.say('/incident declare "Payments down"', user="Alice")
    ch = h.channel("INC-1")
    await h.say("/incident log Restarted the queue; human error in the config", channel=ch, user="Bob")
    await h.say("/incident log Raised the pool size to 200", channel=ch, user="Bob")

    notes = section(await draft(h), "## What was done")
    assert "human error in the config (Bob, #3) ⚑" in notes
    assert "Raised the pool size to 200 (Bob, #4)\n" in notes


async def test_template_syntax_in_titles_and_log_text_is_printed_not_run(warroom: Any) -> None:
    h = harness(warroom)
    title = "{{ 7*7 }} {% for x in range(3) %}x{% endfor %}"
    await h.say(f"/incident declare {title}", user="Alice")
    ch = h.channel("INC-1")
    await h.say("/incident log {{ config.items() }} {%- raw %}", channel=ch, user="Alice")
    await h.say("/incident role take communicator", channel=ch, user="Alice")
    await h.say("/incident update {{ self.__init__.__globals__ }} ```", channel=ch, user="Alice")

    internal, external = await draft(h), await draft(h, external=True)
    assert f"# Post-mortem: {title} (INC-1)" in internal
    assert "{{ config.items() }} {%- raw %}" in internal
    assert f"# Incident report: {title}" in external
    assert "{{ self.__init__.__globals__ }} ```" in external
    assert "49" not in internal + external and "xxx" not in internal + external


async def test_a_draft_too_long_for_chat_comes_in_part_with_the_command_for_the_rest(warroom: Any) -> None:
    h = harness(warroom, chat_limit=600)
    await scripted(h)
    await h.say("/incident postmortem --external", channel=h.channel("INC-1"))

    message = h.adapter.sent[-1].message
    code, how = message.blocks
    assert isinstance(code, CodeBlock) and isinstance(how, Paragraph)
    assert len(code.text) <= 600 and code.text.startswith("> **Draft — review before publishing.**")
    assert "warroom postmortem INC-1 --external --out INC-1-postmortem-external.md" in message.plain_text()


async def test_an_operators_template_replaces_the_bundled_one(warroom: Any, tmp_path: Path) -> None:
    custom = tmp_path / "ours.md.j2"
    custom.write_text("Ours: {{ title }} ({{ time_to_resolve }})\n", encoding="utf-8")
    h = harness(warroom, internal_template=str(custom))
    await scripted(h)

    assert await draft(h) == f"Ours: {TITLE} (10h 30m)\n"


async def test_a_template_that_uses_an_unknown_name_fails_with_a_reason(warroom: Any, tmp_path: Path) -> None:
    custom = tmp_path / "ours.md.j2"
    custom.write_text("{{ nothing_like_this }}\n", encoding="utf-8")
    h = harness(warroom, external_template=str(custom))
    await h.say('/incident declare "Payments down"', user="Alice")

    replies = await h.say("/incident postmortem --external", channel=h.channel("INC-1"))
    assert replies == [f"The post-mortem template {custom} failed: 'nothing_like_this' is undefined"]


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"internal_template": "/nowhere/pm.md.j2"}, "file not found: /nowhere/pm.md.j2"),
        ({"redact": [{"pattern": "db-("}]}, "not a valid regular expression"),
        ({"review_after": "40d"}, "must be between 1m and 30d"),
        ({"redcat": []}, "unknown option"),
    ],
)
async def test_bad_config_keeps_the_plugin_out_with_the_reason(
    warroom: Any, options: dict[str, Any], reason: str
) -> None:
    h = harness(warroom, **options)
    await h.start()

    status = h.app.plugins.statuses["postmortem"]
    assert status.state == "failed" and reason in status.reason


async def test_a_template_with_a_syntax_error_is_refused_at_load(warroom: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.md.j2"
    broken.write_text("# {{ title }\n", encoding="utf-8")
    h = harness(warroom, external_template=str(broken))
    await h.start()

    assert "template error on line 1" in h.app.plugins.statuses["postmortem"].reason


async def test_outside_an_incident_the_command_says_where_to_run_it(incident: Harness) -> None:
    (reply,) = await incident.say("/incident postmortem")
    assert reply.startswith("This isn't an incident channel") and "--incident INC-<n>" in reply
    await incident.say("/incident postmortem --incident INC-1")
    assert incident.adapter.sent[-1].message.title == "Post-mortem draft for INC-1 (internal)"


async def test_every_help_example_parses(incident: Harness) -> None:
    assert incident.example_problems() == []
    help_text = await incident.say("/incident help postmortem review")
    assert "--in" in help_text[0]
