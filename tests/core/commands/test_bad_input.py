"""Bad input answers with a friendly, specific message and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from warroom.core.incident.state import load_incident
from warroom.core.storage import queries
from warroom.core.testing import Harness


def snapshot(h: Harness) -> tuple[Any, ...]:
    """Everything a command could have changed, read from the database."""
    ids = queries.incident_ids(h.app.db)
    return (
        ids,
        [load_incident(h.app.db, i) for i in ids],
        [list(queries.timeline(h.app.db, i)) for i in ids],
        [queries.tasks(h.app.db, i) for i in ids],
        h.adapter.opened[:],
    )


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "/incident delcare Checkout is down",
            "I don't know the command “delcare”. Did you mean “declare”? Send “/incident help” to see every command.",
        ),
        (
            "/incident tsk add Drain the queue",
            "I don't know the command “tsk”. Did you mean “task add”? Send “/incident help” to see every command.",
        ),
        (
            "/incident task",
            "“task” needs one more word: “task add”, “task assign”, “task done”. "
            "Send “/incident help” to see every command.",
        ),
        ("/incident", "Which command? Send “/incident help” to see every command."),
        ("/incident   ", "Which command? Send “/incident help” to see every command."),
        (
            "/incident log",
            "“log” needs text: what happened or what you did.\n"
            "Usage: /incident log <text…>\n"
            "Example: /incident log Restarted api-3; error rate unchanged",
        ),
        (
            "/incident role commander",
            "“role” needs person: who takes it.\n"
            "Usage: /incident role <role> <person>\n"
            "Example: /incident role commander @alice",
        ),
        (
            "/incident severity high",
            "level must be a whole number, not “high”.\n"
            "Usage: /incident severity <level>\n"
            "Example: /incident severity 2",
        ),
        ("/incident status --incident INC-99", "There is no incident INC-99."),
        ("/incident log Restarted api-3 --incident INC-99", "There is no incident INC-99."),
        ("/incident brief -i 99", "There is no incident INC-99."),
    ],
)
async def test_bad_commands_answer_and_change_nothing(declared: Harness, command: str, expected: str) -> None:
    h = declared
    before = snapshot(h)
    for channel in (h.lobby, h.channel("INC-1")):
        assert await h.say(command, channel=channel, user="bob") == [expected]
        assert snapshot(h) == before


async def test_a_flag_typo_gets_a_suggestion(declared: Harness) -> None:
    before = snapshot(declared)
    assert await declared.say("/incident list --al") == [
        "“list” has no flag --al. Did you mean --all?\nUsage: /incident list [--all]\nExample: /incident list"
    ]
    assert snapshot(declared) == before
    # after a title, an unknown flag is part of the text (titles may contain dashes)
    await declared.say("/incident declare Search is slow --severiti 2")
    assert declared.app.service.get(2).title == "Search is slow --severiti 2"


async def test_incident_commands_outside_an_incident_channel_say_how(declared: Harness) -> None:
    before = snapshot(declared)
    assert await declared.say("/incident status") == [
        "This isn't an incident channel. Run “/incident status” in the incident's channel, or add --incident INC-<n>."
    ]
    assert await declared.say("/incident task add Drain the queue") == [
        "This isn't an incident channel. Run “/incident task add” in the incident's channel, or add --incident INC-<n>."
    ]
    assert snapshot(declared) == before


async def test_a_huge_command_line_is_refused(declared: Harness) -> None:
    h = declared
    before = snapshot(h)
    text = "/incident log " + "x" * 100_000
    (reply,) = await h.say(text, channel=h.channel("INC-1"))
    assert reply.startswith("That command is 100,004 characters long; the limit is 8,000.")
    assert snapshot(h) == before
    (reply,) = await h.say("/incident declare " + "y" * 100_000)
    assert reply.startswith("That command is 100,008 characters long")
    assert snapshot(h) == before


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x9b"])
async def test_control_characters_in_a_command_are_refused(declared: Harness, char: str) -> None:
    h = declared
    before = snapshot(h)
    (reply,) = await h.say(f"/incident log tail shows {char}[31mERROR", channel=h.channel("INC-1"))
    assert reply == (
        f"That command contains an invisible control character (U+{ord(char):04X}). "
        "Please retype it without pasting terminal output into the command itself."
    )
    assert snapshot(h) == before


async def test_unterminated_quote_is_explained(declared: Harness) -> None:
    before = snapshot(declared)
    (reply,) = await declared.say('/incident declare "Checkout is down')
    assert reply.startswith('unterminated quote in “"Checkout is down”: add the closing quote.')
    assert snapshot(declared) == before


async def test_tabs_and_newlines_are_not_control_characters(declared: Harness) -> None:
    h = declared
    assert await h.say("/incident log first\tsecond\nthird", channel=h.channel("INC-1")) == ["📝 Logged #3."]
    assert queries.entry(h.app.db, 1, 3).text == "first\tsecond\nthird"  # type: ignore[union-attr]


async def test_plain_chat_outside_incidents_gets_no_answer(declared: Harness) -> None:
    before = snapshot(declared)
    assert await declared.say("what is /incident anyway?") == []
    assert await declared.say("/incidents are fun") == []
    assert snapshot(declared) == before
