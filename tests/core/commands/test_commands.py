"""The command language end to end: declaring, steering and listing incidents, roles and help."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select
from warroom.core.adapter.events import CommandInvoked
from warroom.core.commands.parse import command_help, parse, usage
from warroom.core.incident.state import load_incident
from warroom.core.storage import queries
from warroom.core.storage.tables import RoleAssignment
from warroom.core.testing import Harness

from tests.core.commands.helpers import VIA, entries, person, run

# --- declare -----------------------------------------------------------------------------------


async def test_declare_with_defaults_opens_channel_and_records(harness: Harness) -> None:
    h = harness
    replies = await h.say("/incident declare Checkout is down", user="alice", event_id="d1")
    state = h.app.service.get(1)
    assert (state.title, state.severity, state.kind, state.status) == (
        "Checkout is down",
        3,
        "technical",
        "investigating",
    )
    assert not state.private and state.affected == []
    assert state.declared_by == person(h, "alice") and state.declared_at == h.clock.now()
    assert [spec.name for spec in h.adapter.opened] == ["inc-1-checkout-is-down"]
    spec = h.adapter.opened[0]
    assert (spec.private, spec.members, spec.requested_in) == (False, (h.user("alice"),), h.lobby)
    channel = h.channel("INC-1")
    head = "🚨 INC-1 · Checkout is down [SEV3 · technical · investigating]"
    assert [(s.conversation, s.text.splitlines()[0]) for s in h.adapter.sent] == [(channel, head), (h.lobby, head)]
    assert "role take commander" in replies[0] and "Join inc-1-checkout-is-down to help." in replies[1]
    declared, opened = entries(h)
    assert (declared.seq, declared.kind, declared.text, declared.key) == (1, "declared", "Checkout is down", True)
    assert declared.source_event == "fake:d1" and declared.author == "alice"
    assert declared.data == {"severity": 3, "kind": "technical", "private": False, "affected": []}
    assert (opened.seq, opened.kind, opened.text) == (2, "channel", "Channel inc-1-checkout-is-down opened")


async def test_declare_with_every_flag(harness: Harness) -> None:
    h = harness
    await h.say('/incident declare "Card data   exposed" -s 1 --kind security --private --affected api,db,api')
    state = h.app.service.get(1)
    assert (state.title, state.severity, state.kind, state.private) == ("Card data exposed", 1, "security", True)
    assert state.affected == ["api", "db"]
    assert h.adapter.opened[0].private is True
    assert "[SEV1 · security · investigating · private]" in h.adapter.texts()[0]
    await h.say("/incident declare Refunds stuck --severity 2 -k Business -a ledger")
    second = h.app.service.get(2)
    assert (second.severity, second.kind, second.private, second.affected) == (2, "business", False, ["ledger"])


@pytest.mark.parametrize(
    ("command", "error"),
    [
        ("/incident declare " + "x" * 201, "That title is 201 characters; keep it under 200"),
        ("/incident declare Checkout is down -s 9", "There is no severity 9. Severities: 1 (SEV1), 2 (SEV2), 3 (SEV3)"),
        ("/incident declare Checkout is down -k weird", "“weird” is not an incident kind. Kinds: technical, security"),
    ],
)
async def test_declare_rejects_bad_values_and_creates_nothing(harness: Harness, command: str, error: str) -> None:
    replies = await harness.say(command)
    assert len(replies) == 1 and replies[0].startswith(error)
    assert queries.incident_ids(harness.app.db) == []
    assert harness.adapter.opened == []
    # a rejected declaration does not use up the number
    await harness.say("/incident declare Checkout is down")
    assert queries.incident_ids(harness.app.db) == [1]


async def test_declare_accepts_a_title_of_exactly_the_limit(harness: Harness) -> None:
    await harness.say("/incident declare " + "y" * 200)
    assert harness.app.service.get(1).title == "y" * 200


async def test_declare_points_out_similar_open_incidents(harness: Harness) -> None:
    h = harness
    await h.say("/incident declare Checkout is down -a api")
    await h.say("/incident declare Search is slow")
    replies = await h.say("/incident declare Payments failing -a api,web", user="bob")
    assert replies[0] == (
        "Heads up: open incidents that look like this one: INC-1 “Checkout is down” (also affects api). "
        "If it is the same problem, join that channel instead."
    )
    replies = await h.say("/incident declare Checkout page is down", user="bob")
    assert replies[0].startswith("Heads up:") and "INC-1 “Checkout is down” (similar title)" in replies[0]
    assert "INC-2" not in replies[0] and "INC-3" not in replies[0]
    assert h.app.service.get(4).title == "Checkout page is down"  # a heads-up does not block


async def test_resolved_incidents_are_not_pointed_out(harness: Harness) -> None:
    h = harness
    await h.say("/incident declare Checkout is down -a api")
    await h.say("/incident resolve", channel=h.channel("INC-1"))
    replies = await h.say("/incident declare Checkout is down -a api")
    assert not any("Heads up" in r for r in replies)
    assert len(replies) == 2


async def test_private_incidents_are_pointed_out_only_to_those_who_can_see_them(harness: Harness) -> None:
    h = harness
    await h.say("/incident declare Card data exposed -a vault --private", user="bob")
    replies = await h.say("/incident declare Vault sealed -a vault", user="carol")
    assert not any("Heads up" in r for r in replies)
    replies = await h.say("/incident declare Vault unreachable -a vault", user="bob")
    assert replies[0].startswith("Heads up:") and "INC-1 “Card data exposed” (also affects vault)" in replies[0]


# --- status, resolve, severity ----------------------------------------------------------------


@VIA
async def test_status_shows_the_incident(declared: Harness, via: str) -> None:
    replies = await run(declared, via, "/incident status")
    assert replies == [
        "INC-1 · Checkout is down [SEV1 · technical · investigating]\n"
        "Status: investigating (since 00:00 UTC)\n"
        "Roles: commander: vacant · communicator: vacant\n"
        "Impact: not assessed yet\n"
        "Affected: none recorded"
    ]
    assert len(entries(declared)) == 2


@VIA
async def test_status_moves_and_records_a_key_event(declared: Harness, via: str) -> None:
    h = declared
    h.advance(timedelta(minutes=10))
    assert await run(h, via, "/incident status Identified", event_id="s1") == ["INC-1 is now identified (#3)."]
    state = load_incident(h.app.db, 1)
    assert state is not None and state.status == "identified"
    assert state.status_times["identified"] == h.clock.now().isoformat()
    entry = entries(h)[-1]
    assert (entry.seq, entry.kind, entry.text, entry.key) == (3, "status", "Status investigating → identified", True)
    assert entry.data == {"from": "investigating", "to": "identified"} and entry.source_event == "fake:s1"
    assert entry.at == h.clock.now()
    # The team break that mitigation calls for comes from the reminders plugin, not the core.
    assert await run(h, via, "/incident status mitigated") == ["INC-1 is now mitigated (#4)."]
    status_line = (await run(h, via, "/incident status"))[0].splitlines()[1]
    assert status_line == "Status: mitigated (since 00:10 UTC)"


@VIA
async def test_status_rejects_unknown_and_unchanged_statuses(declared: Harness, via: str) -> None:
    assert await run(declared, via, "/incident status bogus") == [
        "“bogus” is not a status. Statuses: investigating, identified, mitigated, resolved."
    ]
    assert await run(declared, via, "/incident status investigating") == ["INC-1 is already investigating."]
    assert len(entries(declared)) == 2


@VIA
async def test_resolve_with_a_note(declared: Harness, via: str) -> None:
    h = declared
    h.advance(timedelta(hours=1, minutes=30))
    replies = await run(h, via, "/incident resolve Rolled back to v41", event_id="r1")
    assert replies == ["✅ INC-1 resolved after 1h 30m (#3). Thank you all. Write the post-mortem while it is fresh."]
    state = load_incident(h.app.db, 1)
    assert state is not None and state.status == "resolved" and state.resolved_at == h.clock.now()
    status, note = entries(h)[-2:]
    assert (status.kind, status.data, status.source_event) == (
        "status",
        {"from": "investigating", "to": "resolved"},
        "fake:r1",
    )
    assert (note.seq, note.kind, note.text, note.key, note.author) == (4, "note", "Rolled back to v41", True, "alice")
    assert await run(h, via, "/incident resolve") == ["INC-1 is already resolved."]
    assert len(entries(h)) == 4


@VIA
async def test_severity_changes(declared: Harness, via: str) -> None:
    h = declared
    assert await run(h, via, "/incident severity 2") == [
        "INC-1 · Checkout is down [SEV2 · technical · investigating] (#3)"
    ]
    assert load_incident(h.app.db, 1).severity == 2  # type: ignore[union-attr]
    entry = entries(h)[-1]
    assert (entry.kind, entry.text, entry.data, entry.key) == ("severity", "Severity 1 → 2", {"from": 1, "to": 2}, True)
    assert (await run(h, via, "/incident severity 7"))[0].startswith("There is no severity 7. Severities: 1, 2, 3, 4")
    assert await run(h, via, "/incident severity 2") == ["INC-1 is already severity 2."]
    assert len(entries(h)) == 3


# --- roles -------------------------------------------------------------------------------------


@VIA
async def test_role_assign_and_take(declared: Harness, via: str) -> None:
    h = declared
    replies = await run(h, via, "/incident role commander @bob", event_id="r1")
    assert replies == [
        "bob is now the commander of INC-1 (#3). Leads the response: sets priorities, assigns work and decides "
        "when the incident is over."
    ]
    replies = await run(h, via, "/incident role take communicator", user="carol")
    assert replies[0].startswith("carol is now the communicator of INC-1 (#4). Keeps stakeholders")
    state = load_incident(h.app.db, 1)
    assert state is not None
    assert state.roles == {"commander": person(h, "bob"), "communicator": person(h, "carol")}
    assert {person(h, "bob"), person(h, "carol")} <= state.members
    first = entries(h)[2]
    assert (first.kind, first.text, first.author, first.key, first.source_event) == (
        "role",
        "bob is now commander",
        "alice",
        True,
        "fake:r1",
    )
    assert first.data == {"role": "commander", "person_id": person(h, "bob"), "previous_person_id": None}
    assert await run(h, via, "/incident role janitor @bob") == [
        "“janitor” is not a role here. Roles: commander, communicator."
    ]
    assert await run(h, via, "/incident role commander @bob") == ["bob is already the commander of INC-1."]
    assert len(entries(h)) == 4


@VIA
async def test_handover_ends_the_previous_assignment(declared: Harness, via: str) -> None:
    h = declared
    await run(h, via, "/incident role commander @bob")
    assigned_at = h.clock.now()
    h.advance(timedelta(minutes=20))
    replies = await run(h, via, "/incident role commander @carol", user="bob")
    assert replies[0].startswith("carol is now the commander of INC-1 (#4).")
    entry = entries(h)[-1]
    assert entry.text == "carol is now commander (was bob)"
    assert entry.data["previous_person_id"] == person(h, "bob")
    with Session(h.app.sql_engine) as session:
        rows = session.exec(select(RoleAssignment).order_by(RoleAssignment.id)).all()
    assert [(r.role, r.person_id, r.assigned_by) for r in rows] == [
        ("commander", person(h, "bob"), person(h, "alice")),
        ("commander", person(h, "carol"), person(h, "bob")),
    ]
    assert rows[0].since.replace(tzinfo=None) == assigned_at.replace(tzinfo=None)
    assert rows[0].until is not None and rows[0].until.replace(tzinfo=None) == h.clock.now().replace(tzinfo=None)
    assert rows[1].until is None
    assert load_incident(h.app.db, 1).roles == {"commander": person(h, "carol")}  # type: ignore[union-attr]


@VIA
async def test_roles_explains_each_role_and_vacancies(declared: Harness, via: str) -> None:
    h = declared
    lines = (await run(h, via, "/incident roles"))[0].splitlines()
    assert lines[0].startswith("commander — vacant: Leads the response")
    assert lines[1].startswith("communicator — vacant: Keeps stakeholders and customers informed")
    assert lines[2] == "Nobody leads INC-1 yet: “/incident role take commander”."
    await run(h, via, "/incident role take commander", user="bob")
    lines = (await run(h, via, "/incident roles"))[0].splitlines()
    assert lines[0].startswith("commander — bob: Leads the response")
    assert lines[1].startswith("communicator — vacant:") and len(lines) == 2


async def test_roles_outside_an_incident_only_explains(harness: Harness) -> None:
    lines = (await harness.say("/incident roles"))[0].splitlines()
    assert lines[0].startswith("commander: Leads the response") and lines[1].startswith("communicator: Keeps")
    assert len(lines) == 2 and "vacant" not in lines[0]


# --- list and help -----------------------------------------------------------------------------


async def test_list_open_and_all(harness: Harness) -> None:
    h = harness
    assert await h.say("/incident list") == ["No open incidents. 🎉"]
    assert await h.say("/incident list --all") == ["No incidents yet."]
    await h.say("/incident declare Checkout is down -s 1")
    h.advance(timedelta(minutes=5))
    await h.say("/incident declare Search is slow")
    await h.say("/incident resolve", channel=h.channel("INC-1"))
    h.advance(timedelta(hours=2))
    assert await h.say("/incident list", user="bob") == [
        "INC-2 · Search is slow [SEV3 · technical · investigating] — 2h ago"
    ]
    assert await h.say("/incident list --all", user="bob") == [
        "INC-2 · Search is slow [SEV3 · technical · investigating] — 2h ago\n"
        "INC-1 · Checkout is down [SEV1 · technical · resolved] — 2h 5m ago"
    ]


async def test_help_lists_every_command(harness: Harness) -> None:
    (text,) = await harness.say("/incident help")
    for spec in harness.app.commands.registry.specs():
        assert usage(spec, "/incident") in text
        assert spec.summary in text
    assert text.endswith("Details on one command: /incident help <command>")


async def test_help_for_one_command_and_a_family(harness: Harness) -> None:
    registry = harness.app.commands.registry
    (text,) = await harness.say("/incident help task add")
    assert text == command_help(registry.find(["task", "add"])[0], "/incident")  # type: ignore[index]
    assert text.startswith("/incident task add <title…> [--owner @person]")
    assert "Examples:\n  /incident task add Scale down the export queue --owner @bob" in text
    (text,) = await harness.say("/incident help log")
    assert "Also written: /incident note" in text
    (text,) = await harness.say("/incident help task")
    heads = [block.splitlines()[0] for block in text.split("\n\n/incident ")]
    assert heads == ["/incident task add <title…> [--owner @person]", "task assign <task> <person>", "task done <task>"]
    (text,) = await harness.say("/incident help nosuch")
    assert text.splitlines() == [
        "There is no command “nosuch”.",
        "Usage: /incident help [command…]",
        "Example: /incident help",
    ]


async def test_every_help_example_parses(harness: Harness) -> None:
    registry = harness.app.commands.registry
    specs = registry.specs()
    assert len(specs) >= 20
    for spec in specs:
        assert spec.examples, f"{spec.name} has no example"
        for example in spec.examples:
            assert example.startswith("/incident ")
            parsed = parse(example.removeprefix("/incident "), registry)
            assert parsed.spec is spec, example


async def test_builtin_examples_are_checked_like_plugin_examples(harness: Harness) -> None:
    assert harness.app.commands.owners == {}  # only built-ins here
    assert harness.example_problems() == []


async def test_native_command_forms_run_the_same_commands(declared: Harness) -> None:
    h = declared
    channel = h.channel("INC-1")
    words = ("log", 'said "it\'s the “cache”" --force')
    event = CommandInvoked("n1", channel, h.user("bob"), h.clock.now(), argv=words)
    assert await h.feed(event) == ["📝 Logged #3."]
    assert await h.feed(event) == []  # redelivered: acted on once
    entry = entries(h)[-1]
    assert (entry.text, entry.source_event) == ('said "it\'s the “cache”" --force', "fake:n1")
    argv = ("role", "commander", "@carol")
    role = CommandInvoked("n2", channel, h.user("bob"), h.clock.now(), argv=argv, mentions={"carol": h.user("carol")})
    assert (await h.feed(role))[0].startswith("carol is now the commander of INC-1 (#4).")
