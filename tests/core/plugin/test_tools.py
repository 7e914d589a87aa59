"""Plugin command-line tools: ``warroom <name>`` from a ``warroom.cli`` entry point naming a ``Tool``."""

from __future__ import annotations

import argparse
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import OperationalError
from warroom.core.cli import main
from warroom.core.plugin import Call, Plugin, Tool, ToolRun, command
from warroom.core.plugin import tools as tools_module
from warroom.core.testing import Harness


class CounterSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = "incidents"


class Counter(Plugin[CounterSettings]):
    @command("count", examples=["/incident count"])
    def count(self, call: Call) -> None:
        """Count this incident, in the plugin's own storage."""
        call.save("counted", call.load("counted", 0) + 1)


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--broken-database", action="store_true")


async def _run(tool_run: ToolRun[CounterSettings]) -> int:
    if tool_run.args.broken_database:
        raise OperationalError("SELECT 1", {}, Exception("no such host"))
    async with tool_run.context() as context:
        assert context.name == "counter"
        open_ = len(context.open_incidents())
        print(f"{open_} open {context.config.label}, counted {context.load('counted', 0)} times")
    return 0


TOOL = Tool("counter", Counter, _run, arguments=_arguments, help="count what the counter plugin counted")


async def _settings_only(tool_run: ToolRun[CounterSettings]) -> int:
    print(f"label: {tool_run.settings.label}")
    return 3


SETTINGS_ONLY = Tool("counter", Counter, _settings_only)
NOT_A_TOOL = object()


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three ``warroom.cli`` entry points as an installed package would declare them, one of them broken."""
    points = [
        EntryPoint("count", f"{__name__}:TOOL", tools_module.CLI_GROUP),
        EntryPoint("label", f"{__name__}:SETTINGS_ONLY", tools_module.CLI_GROUP),
        EntryPoint("bogus", f"{__name__}:NOT_A_TOOL", tools_module.CLI_GROUP),
    ]
    monkeypatch.setattr(tools_module, "entry_points", lambda group: points if group == tools_module.CLI_GROUP else [])


@pytest.fixture
async def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Warroom database with one open incident the counter plugin counted twice, and the CLI pointed at it."""
    path = tmp_path / "tools.db"
    h = Harness(path, plugins={"counter": Counter})
    await h.say('/incident declare "Checkout is down"')
    for _ in range(2):
        await h.say("/incident count", channel=h.channel("INC-1"))
    await h.close()
    monkeypatch.delenv("WARROOM_CONFIG", raising=False)
    monkeypatch.setenv("WARROOM_DATABASE_URL", f"sqlite:///{path}")
    return path


@pytest.mark.usefixtures("installed")
def test_a_tool_gets_its_arguments_settings_and_the_plugins_context(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["count"]) == 0
    assert capsys.readouterr().out == "1 open incidents, counted 2 times\n"

    config = tmp_path / "warroom.yaml"
    config.write_text("plugins:\n  counter:\n    label: outages\n", encoding="utf-8")
    assert main(["count", "--config", str(config)]) == 0
    assert capsys.readouterr().out == "1 open outages, counted 2 times\n"


@pytest.mark.usefixtures("installed")
def test_a_tool_that_needs_no_database_does_not_open_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.db"
    monkeypatch.delenv("WARROOM_CONFIG", raising=False)
    monkeypatch.setenv("WARROOM_DATABASE_URL", f"sqlite:///{missing}")

    assert main(["label"]) == 3
    assert capsys.readouterr().out == "label: incidents\n"
    assert not missing.exists()


@pytest.mark.usefixtures("installed")
def test_a_tool_never_creates_a_database_that_is_not_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.db"
    monkeypatch.delenv("WARROOM_CONFIG", raising=False)
    monkeypatch.setenv("WARROOM_DATABASE_URL", f"sqlite:///{missing}")

    assert main(["count"]) == 1
    assert capsys.readouterr().err == (
        f"There is no Warroom database at {missing}. Check --config or WARROOM_DATABASE_URL.\n"
    )
    assert not missing.exists()


@pytest.mark.usefixtures("installed")
def test_invalid_plugin_settings_end_a_tool_as_configuration_problems(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "warroom.yaml"
    config.write_text("plugins:\n  counter:\n    lable: outages\n", encoding="utf-8")

    assert main(["--config", str(config), "count"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Configuration problems:\n") and "plugins.counter.lable" in err


@pytest.mark.usefixtures("installed")
def test_an_unreadable_database_is_explained(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count", "--broken-database"]) == 1
    assert capsys.readouterr().err == "I couldn't read the Warroom database: OperationalError. Check database.url.\n"


@pytest.mark.usefixtures("installed")
def test_an_entry_point_that_is_not_a_tool_is_left_out_with_a_warning(
    database: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(SystemExit):
        main(["bogus"])
    assert "invalid choice: 'bogus'" in capsys.readouterr().err
    assert f"the “bogus” command from {__name__}:NOT_A_TOOL is unavailable" in caplog.text
    assert "is not a warroom Tool" in caplog.text
    assert main(["count"]) == 0  # the others still work


def test_the_tool_settings_are_the_plugins_own_model() -> None:
    from warroom.core.config.loader import Config, ConfigError

    config = Config.model_validate({"plugins": {"counter": {"label": "pages"}}})
    assert TOOL.settings(config) == CounterSettings(label="pages")
    with pytest.raises(ConfigError, match=r"plugins\.counter\.label"):
        TOOL.settings(Config.model_validate({"plugins": {"counter": {"label": 5}}}))
