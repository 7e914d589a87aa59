"""The plugin host: discovery of installed packages, atomic loading, isolation, durable jobs."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel, Field
from warroom.core.cli import main
from warroom.core.config.loader import load_config
from warroom.core.plugin import Call, IncidentDeclared, Plugin, StatusChanged, TextArg, command, hook, job
from warroom.core.testing import Harness

from tests import REPO

FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(scope="module")
def installed_plugins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The example and the broken plugin, pip-installed as real packages into a directory on sys.path."""
    target = tmp_path_factory.mktemp("site")
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(FIXTURES / "example_plugin"),
            str(FIXTURES / "broken_plugin"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    yield target
    sys.path.remove(str(target))
    for name in [m for m in sys.modules if m.startswith("warroom_example")]:
        del sys.modules[name]


def config_file(tmp_path: Path, plugins: str) -> Path:
    path = tmp_path / "warroom.yaml"
    path.write_text(f"database:\n  url: sqlite:///{tmp_path / 'w.db'}\nplugins:\n{plugins}", encoding="utf-8")
    return path


async def test_an_installed_plugin_is_discovered_configured_and_runs(installed_plugins: Path, tmp_path: Path) -> None:
    path = config_file(
        tmp_path, "  example:\n    status_page: https://status.acme.test\n    remind_after: 30m\n  broken: {}\n"
    )
    h = Harness(tmp_path / "w.db", config=load_config(path, environ={}))
    await h.start()
    await h.app.plugins.load_all()
    statuses = h.app.plugins.statuses
    assert statuses["example"].state == "loaded"
    assert statuses["example"].source == "warroom-example-plugin 1.0.0"
    assert statuses["broken"].state == "failed"
    assert "No module named 'warroom_missing_dependency'" in statuses["broken"].reason

    await h.say('/incident declare "Checkout is down"')
    channel = h.channel("INC-1")
    assert await h.say("/incident statuspage Investigating checkout errors", channel=channel) == [
        "Noted (#3). Status page: https://status.acme.test"
    ]
    assert await h.elapse(timedelta(minutes=29)) == []
    assert await h.elapse(timedelta(minutes=2)) == ["Has the status page been updated? https://status.acme.test"]
    assert await h.elapse(timedelta(hours=1)) == []
    entries = [(e.kind, e.text) for e in h.app.plugins.plugins().__next__().context.timeline(1)]
    assert ("action", "Status page: Investigating checkout errors") in entries
    assert ("reminder", "Has the status page been updated? https://status.acme.test") in entries
    await h.close()


def test_warroom_plugins_lists_states_and_reasons(
    installed_plugins: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config_file(tmp_path, "  example:\n    remind_after: -5m\n  broken: {}\n")
    assert main(["--config", str(path), "plugins"]) == 1
    out = capsys.readouterr().out
    assert "example\tfailed\twarroom-example-plugin 1.0.0  (invalid config: plugins.example.remind_after:" in out
    assert "broken\tfailed" in out and "warroom_missing_dependency" in out
    assert main(["--config", str(path), "check-config"]) == 2
    assert "plugins.example: invalid config" in capsys.readouterr().err


class Greeter(Plugin):
    class Config(BaseModel):
        greeting: str = Field(default="hello", min_length=1)

    runs: int = 0

    @command("greet", examples=["/incident greet the on-call team"])
    def greet(self, call: Call, whom: TextArg) -> None:
        """Greet someone (and put it on the timeline)."""
        call.record("note", f"{self.context.config.greeting} {whom}")
        call.reply(f"{self.context.config.greeting}, {whom}!")

    @command("explode")
    def explode(self, call: Call) -> None:
        """Fail halfway, after writing."""
        call.record("note", "half done")
        raise RuntimeError("boom")

    @hook(IncidentDeclared)
    async def failing_hook(self, event: IncidentDeclared) -> None:
        raise RuntimeError("hook boom")

    @hook(StatusChanged)
    async def on_status(self, event: StatusChanged) -> None:
        await self.context.announce(event.incident_id, f"status is now {event.new}", key=f"s:{event.new}")

    @job(every=timedelta(minutes=10))
    async def tick(self) -> None:
        type(self).runs += 1
        if type(self).runs == 1:
            raise RuntimeError("a job that raises keeps its schedule")


class Clashing(Plugin):
    @command("greeting")
    def fine(self, call: Call) -> None:
        """A command that would be fine on its own."""

    @command("log")
    def log(self, call: Call) -> None:
        """Clashes with the built-in log command."""


class FailsSetup(Plugin):
    @command("never")
    def never(self, call: Call) -> None:
        """Never registered, because setup fails."""

    async def setup(self) -> None:
        raise ConnectionError("cannot reach the CMDB")


async def test_commands_hooks_and_jobs_run_and_failures_stay_isolated(tmp_path: Path) -> None:
    Greeter.runs = 0
    h = Harness(
        tmp_path / "w.db",
        plugins={"greeter": Greeter, "clashing": Clashing, "setup": FailsSetup},
        plugin_config={"greeter": {"greeting": "hej"}},
    )
    await h.say('/incident declare "Checkout is down"')
    assert h.app.plugins.statuses["greeter"].state == "loaded"
    assert h.app.plugins.statuses["clashing"].state == "failed"
    assert "log" in h.app.plugins.statuses["clashing"].reason
    assert h.app.plugins.statuses["setup"].reason == "setup failed: cannot reach the CMDB"
    channel = h.channel("INC-1")
    # Atomic: nothing of the clashing or failed plugins was registered.
    assert "I don't know the command “greeting”" in (await h.say("/incident greeting", channel=channel))[0]
    assert "I don't know the command “never”" in (await h.say("/incident never", channel=channel))[0]

    assert await h.say("/incident greet the on-call team", channel=channel) == ["hej, the on-call team!"]
    before = [e.text for e in h.plugin("greeter").context.timeline(1)]
    assert await h.say("/incident explode", channel=channel) == [
        "Sorry — the greeter plugin failed on that; nothing from it was recorded."
    ]
    assert [e.text for e in h.plugin("greeter").context.timeline(1)] == before
    # The failing IncidentDeclared hook did not stop the StatusChanged hook.
    assert await h.say("/incident status identified", channel=channel) == [
        "INC-1 is now identified (#4).",
        "status is now identified",
    ]
    await h.elapse(timedelta(minutes=10))
    await h.elapse(timedelta(minutes=10))
    assert Greeter.runs == 2
    assert h.example_problems() == []
    await h.close()


async def test_unloading_a_plugin_ends_its_commands_and_jobs(tmp_path: Path) -> None:
    h = Harness(tmp_path / "w.db", plugins={"greeter": Greeter})
    await h.start()
    assert h.app.scheduler.job_ids() == ["greeter:tick"]
    await h.app.plugins.unload("greeter")
    assert h.app.scheduler.job_ids() == []
    assert "I don't know the command “greet”" in (await h.say("/incident greet all"))[0]
    await h.close()


async def test_interval_jobs_survive_a_restart_without_being_rescheduled(tmp_path: Path) -> None:
    Greeter.runs = 0
    h = Harness(tmp_path / "w.db", plugins={"greeter": Greeter})
    await h.start()
    due = h.app.scheduler.next_run("greeter:tick")
    await h.close()
    again = Harness(tmp_path / "w.db", plugins={"greeter": Greeter})
    again.clock.set(h.clock.now() + timedelta(minutes=3))
    await again.start()
    assert again.app.scheduler.next_run("greeter:tick") == due
    await again.elapse(timedelta(minutes=7))
    assert Greeter.runs == 1
    await again.close()


async def test_a_plugin_with_invalid_config_is_left_out_and_the_core_runs(tmp_path: Path) -> None:
    h = Harness(tmp_path / "w.db", plugins={"greeter": Greeter}, plugin_config={"greeter": {"greeting": ""}})
    replies = await h.say('/incident declare "Checkout is down"')
    assert replies and replies[0].startswith("🚨 INC-1")
    status = h.app.plugins.statuses["greeter"]
    assert (status.state, status.reason) == ("failed", "invalid config: plugins.greeter.greeting: must not be empty")
    await h.close()


async def test_the_installed_pytest_plugin_provides_a_harness_factory(warroom: Callable[..., Harness]) -> None:
    h = warroom(plugins={"greeter": Greeter}, plugin_config={"greeter": {"greeting": "hi"}})
    await h.say('/incident declare "Checkout is down"')
    assert await h.say("/incident greet everyone", channel=h.channel("INC-1")) == ["hi, everyone!"]
    second = warroom()
    assert await second.say("/incident list") == ["No open incidents. 🎉"]
