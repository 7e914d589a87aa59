"""The ``warroom`` command line: config checks, listings, exports, exit codes and friendly errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import pytest
from alembic import command
from warroom.core.cli import main
from warroom.core.config.loader import load_config
from warroom.core.storage.connect import _alembic_config, current_revision, open_engine, upgrade
from warroom.core.testing import Harness

EXAMPLE = Path(str(resources.files("warroom.config").joinpath("warroom.example.yaml")))

BROKEN = """\
database:
  synchronous: sometimes
  busy_timeout_ms: -5
commands:
  prefixs: ["/x"]
severities:
  - level: one
    name: SEV1
incidents:
  channel_prefix: "Bad Prefix"
adapters:
  console:
    colour: red
  nosuch: {}
"""
BROKEN_PATHS = [
    "database.synchronous:",
    "database.busy_timeout_ms:",
    "commands.prefixs: unknown option (did you mean prefixes?)",
    "severities.0.level: must be an integer",
    "incidents.channel_prefix:",
    "adapters.console.colour: unknown option",
    "adapters.nosuch: unknown adapter (known adapters: console, discord, matrix, teams, web)",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No config or database from the developer's shell; relative paths land in tmp_path."""
    monkeypatch.delenv("WARROOM_CONFIG", raising=False)
    monkeypatch.delenv("WARROOM_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def database(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setenv("WARROOM_DATABASE_URL", f"sqlite:///{path}")


def no_traceback(captured: pytest.CaptureResult[str]) -> None:
    assert "Traceback" not in captured.out + captured.err


# --- check-config ----------------------------------------------------------------------------------


def test_check_config_accepts_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", "--config", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Config OK.") and "Adapters: console, web." in out


def test_check_config_reports_every_problem_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = write(tmp_path / "broken.yaml", BROKEN)
    assert main(["check-config", "--config", str(broken)]) == 2
    captured = capsys.readouterr()
    no_traceback(captured)
    assert captured.out == ""
    assert captured.err.startswith("Configuration problems:\n")
    for path in BROKEN_PATHS:
        assert path in captured.err, f"{path} missing from:\n{captured.err}"


def test_check_config_reports_every_adapter_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file whose only problems are in adapter sections: each one is reported, not just the first."""
    config = write(
        tmp_path / "adapters.yaml",
        """\
        adapters:
          console:
            colour: red
          nosuch: {}
          matrix:
            enabled: false
        """,
    )
    assert main(["check-config", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "adapters.console.colour: unknown option" in err
    assert "adapters.nosuch: unknown adapter (known adapters: console, discord, matrix, teams, web)" in err
    assert "adapters.matrix" not in err  # disabled: not checked


def test_a_missing_config_file_is_a_friendly_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(tmp_path / "nope.yaml"), "incidents"]) == 2
    captured = capsys.readouterr()
    no_traceback(captured)
    assert f"{tmp_path / 'nope.yaml'}: no such config file" in captured.err
    assert not (tmp_path / "warroom.db").exists()


def test_config_is_accepted_before_and_after_the_subcommand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write(tmp_path / "custom.yaml", "database:\n  url: sqlite:///custom.db\n")
    assert main(["--config", str(config), "check-config"]) == 0
    assert "custom.db" in capsys.readouterr().out
    assert main(["check-config", "--config", str(config)]) == 0
    assert "custom.db" in capsys.readouterr().out


def test_the_config_env_var_is_honoured_and_the_flag_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from_env = write(tmp_path / "env.yaml", "database:\n  url: sqlite:///from-env.db\n")
    from_flag = write(tmp_path / "flag.yaml", "database:\n  url: sqlite:///from-flag.db\n")
    monkeypatch.setenv("WARROOM_CONFIG", str(from_env))
    assert main(["check-config"]) == 0
    assert "from-env.db" in capsys.readouterr().out
    assert main(["check-config", "--config", str(from_flag)]) == 0
    assert "from-flag.db" in capsys.readouterr().out

    monkeypatch.setenv("WARROOM_CONFIG", str(tmp_path / "gone.yaml"))
    assert main(["check-config"]) == 2
    assert "gone.yaml: no such config file" in capsys.readouterr().err


def test_without_any_config_the_built_in_defaults_are_used(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config"]) == 0
    assert "Adapters: console." in capsys.readouterr().out


# --- incidents and timeline ------------------------------------------------------------------------


async def make_incidents(path: Path) -> None:
    h = Harness(path)
    try:
        await h.say("/incident declare Checkout is down --severity 1", event_id="d1")
        await h.say("/incident declare Leaked API key --kind security --private", event_id="d2", user="bob")
        await h.say("/incident log rotated the key", channel=h.channel("INC-2"), user="bob", event_id="l1")
    finally:
        await h.close()


async def test_incidents_lists_every_incident_newest_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await make_incidents(tmp_path / "w.db")
    database(monkeypatch, tmp_path / "w.db")
    assert main(["incidents"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(r[0], r[1], r[2], r[4]) for r in rows] == [
        ("INC-2", "investigating", "SEV3", "Leaked API key (private)"),
        ("INC-1", "investigating", "SEV1", "Checkout is down"),
    ]


def test_incidents_on_an_empty_database_lists_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database(monkeypatch, tmp_path / "w.db")
    upgrade(open_engine(load_config(None, environ={"WARROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"})))
    assert main(["incidents"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("command", [["incidents"], ["timeline", "INC-1"]])
def test_reading_a_missing_database_says_so_and_creates_nothing(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database(monkeypatch, tmp_path / "typo" / "w.db")
    assert main(command) == 1
    assert "There is no Warroom database at" in capsys.readouterr().err
    assert not (tmp_path / "typo").exists()


async def test_timeline_exports_json_and_markdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await make_incidents(tmp_path / "w.db")
    database(monkeypatch, tmp_path / "w.db")
    assert main(["timeline", "inc-2", "--format", "json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [(e["seq"], e["kind"], e["author"], e["text"]) for e in entries] == [
        (1, "declared", "bob", "Leaked API key"),
        (2, "channel", "Warroom", "Channel inc-2-leaked-api-key opened"),
        (3, "note", "bob", "rotated the key"),
    ]
    assert main(["timeline", "INC-2"]) == 0
    markdown = capsys.readouterr().out.splitlines()
    assert markdown[0] == "# INC-2: Leaked API key"
    assert markdown[-1].endswith(" · note · bob: rotated the key")


@pytest.mark.parametrize(
    ("reference", "message"),
    [("INC-99", "There is no incident INC-99."), ("checkout", "“checkout” is not an incident reference like INC-3.")],
)
def test_timeline_of_an_unknown_incident_is_a_friendly_error(
    reference: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database(monkeypatch, tmp_path / "w.db")
    upgrade(open_engine(load_config(None, environ={"WARROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"})))
    assert main(["timeline", reference]) == 1
    captured = capsys.readouterr()
    no_traceback(captured)
    assert captured.err.strip() == message
    assert captured.out == ""


def test_a_missing_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "usage: warroom" in capsys.readouterr().err


# --- run -------------------------------------------------------------------------------------------


def test_run_brings_an_old_database_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "w.db"
    engine = open_engine(load_config(None, environ={"WARROOM_DATABASE_URL": f"sqlite:///{path}"}))
    upgrade(engine)
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "base")
    assert current_revision(engine) is None
    database(monkeypatch, path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("/incident list\n"))

    assert main(["run"]) == 0

    assert current_revision(engine) is not None
    assert "No open incidents." in capsys.readouterr().out
    engine.dispose()


def test_the_console_script_exits_with_the_right_codes(tmp_path: Path) -> None:
    """The installed ``warroom`` entry point, as a shell would run it."""
    script = Path(sys.executable).parent / "warroom"
    assert script.exists(), "the warroom console script is not installed next to this Python"
    broken = write(tmp_path / "broken.yaml", BROKEN)
    env = {"PATH": str(script.parent), "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [str(script), "check-config", "--config", str(broken)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert all(path in result.stderr for path in BROKEN_PATHS), result.stderr
    result = subprocess.run(
        [str(script), "check-config", "--config", str(EXAMPLE)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
