"""Adapters under supervision: an unexpected failure restarts the adapter, and /health says so meanwhile."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from warroom.core import supervisor
from warroom.core.adapter import Sink
from warroom.core.app import Warroom
from warroom.core.config.loader import load_config
from warroom.core.testing.harness import FakeAdapter

from tests.adapters.console.test_console import environment

FAILING_CONSOLE = """
import sys
from warroom.adapters.console import ConsoleAdapter
from warroom.core.cli import main

async def fails(self, sink):
    raise RuntimeError("gateway lost, token=s3cret")
ConsoleAdapter.start = fails
sys.exit(main(["run"]))
"""


class Flaky(FakeAdapter):
    """Raises on its first ``failures`` starts; the start after that records /health and returns."""

    def __init__(self, failures: int) -> None:
        super().__init__(platform="flaky")
        self.failures = failures
        self.starts = 0
        self.app: Warroom | None = None
        self.seen: list[dict[str, Any]] = []

    async def start(self, sink: Sink) -> None:
        self.starts += 1
        if self.starts <= self.failures:
            raise ConnectionResetError(
                f"lost the gateway (attempt {self.starts}) at https://bot:hunter2@example.test/x"
            )
        assert self.app is not None
        self.seen.append(self.app.health())


def config(tmp_path: Path, policy: str) -> Any:
    path = tmp_path / "w.yaml"
    path.write_text(
        f"lifecycle:\n  on_adapter_failure: {policy}\n  restart_initial_seconds: 1\n  restart_max_seconds: 4\n"
        "adapters: {}\n",
        encoding="utf-8",
    )
    return load_config(path, environ={"WARROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"})


async def test_a_failing_adapter_is_restarted_and_health_shows_it_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = Warroom(config(tmp_path, "restart"))
    flaky = Flaky(failures=4)
    flaky.app = app
    app.add_adapter(flaky)
    waits: list[float] = []
    during: list[dict[str, Any]] = []

    async def no_wait(seconds: float) -> None:  # virtual time: record the backoff and /health instead of sleeping
        waits.append(seconds)
        during.append(app.health())

    monkeypatch.setattr(supervisor, "pause", no_wait)
    caplog.set_level(logging.DEBUG, logger="warroom.core.supervisor")
    await asyncio.wait_for(app.run(), 30)

    assert flaky.starts == 5  # the same object, started again each time
    assert len(during) == 4
    for restarts, health in enumerate(during):
        entry = health["adapters"]["flaky"]
        assert health["ok"] is False
        assert entry["ok"] is False
        assert entry["state"] == "restarting"
        assert entry["restarts"] == restarts
        assert entry["last_error"].startswith(f"ConnectionResetError: lost the gateway (attempt {restarts + 1})")
        assert "hunter2" not in entry["last_error"]
        assert "since" in entry
    # Doubling from 1 s, capped at 4 s, with jitter taking off at most half.
    for wait, ceiling in zip(waits, [1, 2, 4, 4], strict=True):
        assert ceiling / 2 <= wait <= ceiling
    after = flaky.seen[0]
    assert after["ok"] is True
    assert after["adapters"]["flaky"]["state"] == "running"
    assert after["adapters"]["flaky"]["restarts"] == 4
    assert after["scheduler"]["state"] in ("running", "paused", "stopped")
    assert set(after) >= {"ok", "adapters", "plugins", "engine", "database", "scheduler"}

    failures = [r for r in caplog.records if r.name == "warroom.core.supervisor" and r.levelno >= logging.WARNING]
    assert len(failures) == 4
    assert all("flaky" in r.getMessage() and "ConnectionResetError" in r.getMessage() for r in failures)
    assert all(r.exc_info is None for r in caplog.records if r.levelno >= logging.INFO)
    assert any(r.exc_info for r in caplog.records if r.levelno == logging.DEBUG)


async def test_a_config_error_stays_fatal_under_supervision(tmp_path: Path) -> None:
    from warroom.core.errors import ConfigError

    class Refused(FakeAdapter):
        async def start(self, sink: Sink) -> None:
            raise ConfigError(["adapters.fake.token: refused"])

    app = Warroom(config(tmp_path, "restart"))
    app.add_adapter(Refused())
    with pytest.raises(ConfigError):
        await asyncio.wait_for(app.run(), 30)
    assert app.supervisors["fake"].restarts == 0


def test_policy_exit_ends_warroom_run_non_zero_with_one_line(tmp_path: Path) -> None:
    env = environment(tmp_path)
    path = Path(env["WARROOM_CONFIG"])
    path.write_text(path.read_text(encoding="utf-8") + "\nlifecycle:\n  on_adapter_failure: exit\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", FAILING_CONSOLE],
        input="",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines() == ["adapter console failed: RuntimeError: gateway lost, token=***"]
    assert "Traceback" not in result.stderr
    assert "s3cret" not in result.stderr
