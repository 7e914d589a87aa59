"""The console adapter end to end: ``warroom run`` with piped input, then the exports of what it recorded."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from warroom.adapters.console import ConsoleAdapter, ConsoleSettings
from warroom.core.app import Warroom
from warroom.core.config.loader import Config, load_config
from warroom.core.storage import queries

CHANNEL = "inc-1-checkout-is-down"
PREFIX = f"[#{CHANNEL}] Warroom: "

INCIDENT_SCRIPT = [
    ":as erin",
    "/incident declare Checkout is down --severity 2",
    ":join INC-1",
    ":as alice",
    "/incident role take commander",
    "/incident role communicator @bob",
    ":as bob",
    "/incident log Restarted api-3; error rate unchanged",
    '/incident verify DB replication healthy --cmd "SELECT now() - pg_last_xact_replay_timestamp()" --result "0.4 s"',
    "/incident assume The 14:02 deploy caused the error spike",
    "/incident decide Roll back api to v41 rather than hotfix",
    '/incident impact --who "EU card customers" --count 1200 --where checkout',
    "/incident affected add api db",
    "/incident task add Scale down the export queue --owner @carol",
    "/incident task done 1",
    '/incident update "Payments recovering; EU customers may see retries" --next 30m',
    "hello everyone, looking at the dashboards",
    "   ",
    "errors are dropping since the rollback",
    ":as alice",
    "/incident status identified",
    "/incident status mitigated",
    "/incident resolve Rolled back to v41; error rate normal for 30 minutes",
]

# (kind, author, text) of every entry the script records, in order.
EXPECTED = [
    ("declared", "erin", "Checkout is down"),
    ("channel", "Warroom", f"Channel {CHANNEL} opened"),
    ("role", "alice", "alice is now commander"),
    ("role", "alice", "bob is now communicator"),
    ("note", "bob", "Restarted api-3; error rate unchanged"),
    ("verification", "bob", "DB replication healthy"),
    ("assumption", "bob", "The 14:02 deploy caused the error spike"),
    ("decision", "bob", "Roll back api to v41 rather than hotfix"),
    ("impact", "bob", "Impact: EU card customers · 1200 · checkout"),
    ("affected", "bob", "Affected systems: api, db"),
    ("task", "bob", "Task 1 added: Scale down the export queue (owner carol)"),
    ("task", "bob", "Task 1 done: Scale down the export queue"),
    ("update", "bob", "Payments recovering; EU customers may see retries"),
    ("message", "bob", "hello everyone, looking at the dashboards"),
    ("message", "bob", "errors are dropping since the rollback"),
    ("status", "alice", "Status investigating → identified"),
    ("status", "alice", "Status identified → mitigated"),
    ("status", "alice", "Status mitigated → resolved"),
    ("note", "alice", "Rolled back to v41; error rate normal for 30 minutes"),
]


# These tests are about the core and the console; the bundled plugins' own console
# sessions are in test_console_plugins.py.
CORE_ONLY = (
    "plugins:\n  reminders: {enabled: false}\n  confirmations: {enabled: false}\n  postmortem: {enabled: false}\n"
)


def core_only_config(tmp_path: Path) -> Path:
    path = tmp_path / "core-only.yaml"
    path.write_text(CORE_ONLY, encoding="utf-8")
    return path


def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_")}
    env["WARROOM_DATABASE_URL"] = f"sqlite:///{tmp_path / 'warroom.db'}"
    env["WARROOM_CONFIG"] = str(core_only_config(tmp_path))
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def warroom(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warroom.core.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=environment(tmp_path),
        timeout=120,
        check=False,
    )


def console(tmp_path: Path, lines: list[str]) -> subprocess.CompletedProcess[str]:
    result = warroom(tmp_path, "run", stdin="".join(line + "\n" for line in lines))
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "nothing should be logged when nothing went wrong"
    return result


def exported(tmp_path: Path) -> list[dict[str, Any]]:
    result = warroom(tmp_path, "timeline", "INC-1", "--format", "json")
    assert result.returncode == 0, result.stderr
    entries: list[dict[str, Any]] = json.loads(result.stdout)
    return entries


def replies(stdout: str) -> list[str]:
    """Warroom's messages, one string each (continuation lines joined back)."""
    messages: list[str] = []
    for line in stdout.splitlines():
        if line.startswith("    ") and messages:
            messages[-1] += "\n" + line[4:]
        elif line.startswith("[#"):
            messages.append(line)
    return messages


@pytest.fixture
def incident_run(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return console(tmp_path, INCIDENT_SCRIPT)


def test_a_whole_incident_through_the_console(tmp_path: Path, incident_run: subprocess.CompletedProcess[str]) -> None:
    said = replies(incident_run.stdout)
    # The declaration: an intro in the new channel, and a pointer to it where it was declared.
    assert said[0].startswith(f"{PREFIX}🚨 INC-1 · Checkout is down [SEV2")
    assert said[1].startswith("[#general] Warroom: 🚨 INC-1") and CHANNEL in said[1]
    # Everything after that happens in the incident's channel, one answer per command.
    assert all(reply.startswith(PREFIX) for reply in said[2:]), said
    assert not any("⚠" in reply for reply in said), said
    answers = [reply.removeprefix(PREFIX).split("\n")[0] for reply in said[2:]]
    assert answers[0].startswith("alice is now the commander of INC-1 (#3)")
    assert answers[1].startswith("bob is now the communicator of INC-1 (#4)")
    assert answers[2] == "📝 Logged #5."
    assert answers[3] == "🔎 Verification #6 recorded."
    assert answers[9].startswith("✅ Task 1 done: Scale down the export queue (#12)")
    assert answers[10].startswith("📣 Update #13 posted. Next update due")
    assert answers[11] == "INC-1 is now identified (#16)."
    assert answers[-1].startswith("✅ INC-1 resolved within a minute") and "(#18)" in answers[-1]
    assert "(you are in #inc-1-checkout-is-down)" in incident_run.stdout
    assert "(you are now bob)" in incident_run.stdout

    entries = exported(tmp_path)
    assert [(e["kind"], e["author"], e["text"]) for e in entries] == EXPECTED
    assert [e["seq"] for e in entries] == list(range(1, len(EXPECTED) + 1))
    verification = entries[5]["data"]
    assert verification["command"] == "SELECT now() - pg_last_xact_replay_timestamp()"
    assert verification["result"] == "0.4 s"
    assert entries[8]["data"] == {"who": "EU card customers", "count": 1200, "where": "checkout"}
    # Each platform event is recorded once, under its own id.
    sources = [e["event"] for e in entries if e["event"]]
    assert len(sources) == len(set(sources))

    markdown = warroom(tmp_path, "timeline", "INC-1")
    assert markdown.returncode == 0, markdown.stderr
    lines = markdown.stdout.splitlines()
    assert lines[0] == "# INC-1: Checkout is down"
    items = [line for line in lines if line.startswith("- ")]
    assert len(items) == len(EXPECTED)
    for item, (kind, author, text) in zip(items, EXPECTED, strict=True):
        assert f" · {kind} · {author}: {text}" in item, item
    assert sum("**(key)**" in item for item in items) == sum(e["key"] for e in entries)


def test_bad_input_gets_clear_answers_and_records_nothing(
    tmp_path: Path, incident_run: subprocess.CompletedProcess[str]
) -> None:
    before = exported(tmp_path)
    result = console(
        tmp_path,
        [
            ":join INC-1",
            "/incident frobnicate",
            "/incident log",
            "/incident log " + "x" * 100_000,
            "/incident log \x1b[31mERROR\x1b[0m upstream timeout",
            "/incident task done 99",
            "/incident status sideways",
            ":join INC-9",
            ":nonsense",
        ],
    )
    said = [reply.removeprefix(PREFIX) for reply in replies(result.stdout)]
    assert len(said) == 6, said
    assert all(reply.startswith("⚠ ") for reply in said), said
    assert "I don't know the command “frobnicate”" in said[0]
    assert "“log” needs text" in said[1] and "Usage: /incident log" in said[1]
    assert "100,004 characters long; the limit is 8,000" in said[2]
    assert "control character (U+001B)" in said[3]
    assert "There is no task 99 on INC-1" in said[4]
    assert "“sideways” is not a status" in said[5]
    assert "(no console channel for INC-9; is that the right incident?)" in result.stdout
    assert "Console controls" in result.stdout
    assert len(result.stdout) < 10_000, "a rejected line is echoed back in full"
    assert exported(tmp_path) == before


def test_a_huge_chat_line_outside_an_incident_is_ignored(tmp_path: Path) -> None:
    result = console(tmp_path, ["x" * 100_000, "/incident list"])
    assert replies(result.stdout) == ["[#general] Warroom: No open incidents. 🎉"]


def test_a_second_session_on_the_same_database_continues_the_incident(
    tmp_path: Path, incident_run: subprocess.CompletedProcess[str]
) -> None:
    before = exported(tmp_path)
    result = console(tmp_path, [":join INC-1", ":as dave", "back after the restart", "/incident tasks"])
    assert f"(you are in #{CHANNEL})" in result.stdout
    assert replies(result.stdout) == [f"{PREFIX}✅ 1. Scale down the export queue — carol"]
    after = exported(tmp_path)
    assert after[: len(before)] == before
    assert [(e["seq"], e["kind"], e["author"], e["text"]) for e in after[len(before) :]] == [
        (len(before) + 1, "message", "dave", "back after the restart")
    ]


# --- the adapter in-process ------------------------------------------------------------------------


def config_for(tmp_path: Path) -> Config:
    return load_config(core_only_config(tmp_path), environ={"WARROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"})


async def run_console(config: Config, text: str, settings: ConsoleSettings | None = None) -> str:
    app = Warroom(config)
    stdout = io.StringIO()
    app.add_adapter(ConsoleAdapter(settings or ConsoleSettings(), app, stdin=io.StringIO(text), stdout=stdout))
    await app.run()
    return stdout.getvalue()


async def timeline_of(config: Config, incident_id: int = 1) -> list[tuple[str, str, str]]:
    app = Warroom(config)
    try:
        return [(e.kind, e.author, e.text) for e in queries.timeline(app.db, incident_id)]
    finally:
        await app.close()


async def test_the_adapter_in_process(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    script = "\n".join(
        [
            ":where",
            "/incident declare Search is slow",
            ":join INC-1",
            "/incident role take commander",
            "p99 is 4 s",
            ":as @bob",
            ":where",
            "/incident log cache hit rate 12%",
            ":quit",
            "never read",
        ]
    )
    out = await run_console(config, script, ConsoleSettings(user="alice", channel="ops"))
    lines = out.splitlines()
    assert lines[0] == "(you are alice in #ops)"
    assert "[#ops] Warroom: 🚨 INC-1 · Search is slow" in out
    assert "(you are in #inc-1-search-is-slow)" in lines
    assert "[#inc-1-search-is-slow] Warroom: alice is now the commander of INC-1 (#3)." in out
    assert "(you are bob in #inc-1-search-is-slow)" in lines
    assert "[#inc-1-search-is-slow] Warroom: 📝 Logged #5." in lines
    assert "never read" not in out
    assert await timeline_of(config) == [
        ("declared", "alice", "Search is slow"),
        ("channel", "Warroom", "Channel inc-1-search-is-slow opened"),
        ("role", "alice", "alice is now commander"),
        ("message", "alice", "p99 is 4 s"),
        ("note", "bob", "cache hit rate 12%"),
    ]


async def test_the_adapter_stops_at_end_of_input_without_a_newline(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    out = await run_console(config, "/incident declare Disk full on db-2", ConsoleSettings(user="erin"))
    assert "🚨 INC-1 · Disk full on db-2" in out
    assert await timeline_of(config) == [
        ("declared", "erin", "Disk full on db-2"),
        ("channel", "Warroom", "Channel inc-1-disk-full-on-db-2 opened"),
    ]


async def test_command_hints_are_printed_with_the_prefix_people_type(tmp_path: Path) -> None:
    path = tmp_path / "prefixed.yaml"
    path.write_text(CORE_ONLY + "commands:\n  prefixes: ['!ir']\n", encoding="utf-8")
    config = load_config(path, environ={"WARROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"})
    out = await run_console(config, "!ir declare Disk full\n:join INC-1\n!ir nonsense\n", ConsoleSettings(user="erin"))
    assert "Take a role with “!ir role take commander” and “!ir role take communicator”." in out
    assert "Send “!ir help” to see every command." in out
    assert "/incident" not in out
