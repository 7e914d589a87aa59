"""``warroom run`` as a service manager runs it: SIGTERM or SIGINT drains, a second signal does not wait.

The real process, with the console adapter reading a pipe that stays open (so
end of input never stops it): commands are written, a signal arrives while it
works, and whatever it acknowledged must be in the database and answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest
from warroom.core.app import Warroom
from warroom.core.config.loader import load_config

from tests.adapters.console.test_console import environment, warroom

LOGS = 3000  # more than it handles before the signal arrives, so the signal lands mid-work
LOGGED = re.compile(r"Warroom: 📝 Logged #(\d+)\.")
# ``warroom run`` on a console that takes ``delay`` seconds to show each reply, like a slow platform.
SLOW_CONSOLE = """
import asyncio, sys
from warroom.adapters.console import ConsoleAdapter
from warroom.core.cli import main

shown = ConsoleAdapter.send
async def slowly(self, *args, **kwargs):
    await asyncio.sleep({delay})
    return await shown(self, *args, **kwargs)
ConsoleAdapter.send = slowly
sys.exit(main(["run"]))
"""


class Running:
    """``warroom run`` in a subprocess, its output collected as it comes."""

    def __init__(self, tmp_path: Path, extra_config: str = "", reply_delay: float = 0.0) -> None:
        env = environment(tmp_path)
        if extra_config:
            config = Path(env["WARROOM_CONFIG"])
            config.write_text(config.read_text(encoding="utf-8") + extra_config, encoding="utf-8")
        command = ["-c", SLOW_CONSOLE.format(delay=reply_delay)] if reply_delay else ["-m", "warroom.core.cli", "run"]
        self.process = subprocess.Popen(
            [sys.executable, *command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=tmp_path,
            env=env,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [self._collect(self.process.stdout, self.out), self._collect(self.process.stderr, self.err)]

    @staticmethod
    def _collect(stream: IO[str] | None, into: list[str]) -> threading.Thread:
        assert stream is not None
        reader = threading.Thread(target=lambda: into.extend(iter(stream.readline, "")), daemon=True)
        reader.start()
        return reader

    def type(self, lines: list[str]) -> None:
        """Write ``lines`` from a thread (more than a pipe holds), keeping the input open afterwards."""
        stdin = self.process.stdin
        assert stdin is not None

        def write() -> None:
            try:
                stdin.write("".join(line + "\n" for line in lines))
                stdin.flush()
            except (BrokenPipeError, ValueError):  # it stopped reading: what was not read was never acknowledged
                pass

        threading.Thread(target=write, daemon=True).start()

    def wait_for(self, pattern: re.Pattern[str], count: int = 1, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while sum(1 for line in list(self.out) if pattern.search(line)) < count:
            assert self.process.poll() is None, f"warroom exited early: {''.join(self.err)}"
            assert time.monotonic() < deadline, f"timed out waiting for {pattern.pattern}"
            time.sleep(0.01)

    def wait_for_err(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in list(self.err)):
            assert time.monotonic() < deadline, f"timed out waiting for {text!r} on stderr"
            time.sleep(0.005)

    def finish(self, timeout: float = 60) -> int:
        """Wait for the exit (the input still open), then close it."""
        code = self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=10)
        if self.process.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
        return code


def script() -> list[str]:
    return ["/incident declare Checkout is down", ":join INC-1", *(f"/incident log step {i}" for i in range(LOGS))]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_finishes_what_was_acknowledged_and_exits_0(signum: signal.Signals, tmp_path: Path) -> None:
    bot = Running(tmp_path)
    bot.type(script())
    bot.wait_for(LOGGED, count=5)
    bot.process.send_signal(signum)
    code = bot.finish()

    err = "".join(bot.err)
    assert code == 0, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert f"INFO warroom.core.cli: {signum.name} received: finishing the work in flight" in lines[0]
    assert f"INFO warroom.core.cli: stopped after {signum.name}" in lines[1]

    answered = [int(m[1]) for line in bot.out if (m := LOGGED.search(line))]
    result = warroom(tmp_path, "timeline", "INC-1", "--format", "json")
    assert result.returncode == 0, result.stderr
    notes = [entry["seq"] for entry in json.loads(result.stdout) if entry["kind"] == "note"]
    assert len(answered) < LOGS, "the signal should have arrived before all the input was handled"
    assert answered == notes  # every entry recorded was answered, every answer is on the record


def test_a_second_signal_exits_at_once(tmp_path: Path) -> None:
    bot = Running(tmp_path, reply_delay=0.5)  # the drain takes seconds: the second signal lands inside it
    bot.type(script())
    bot.wait_for(LOGGED, count=1)
    bot.process.send_signal(signal.SIGTERM)
    bot.wait_for_err("SIGTERM received: finishing")
    started = time.monotonic()
    bot.process.send_signal(signal.SIGTERM)
    code = bot.finish()
    assert time.monotonic() - started < 2
    err = "".join(bot.err)
    assert code == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    assert "SIGTERM received again: exiting now, without finishing the work in flight" in err
    assert "stopped after" not in err


def test_the_drain_is_bounded_by_lifecycle_drain_seconds(tmp_path: Path) -> None:
    bot = Running(tmp_path, extra_config="lifecycle:\n  drain_seconds: 0.5\n", reply_delay=3)
    bot.type(script())
    bot.wait_for(re.compile("Warroom: 🚨 INC-1"))  # the first reply of the declaration; two more are queued
    started = time.monotonic()
    bot.process.send_signal(signal.SIGTERM)
    code = bot.finish()
    assert time.monotonic() - started < 2.5  # not the 6 s the replies in flight would take
    err = "".join(bot.err)
    assert code == 0, err
    assert "Traceback" not in err
    assert "WARNING warroom.core.app: shutdown: work was still in flight after lifecycle.drain_seconds (0.5 s)" in err
    assert "stopped after SIGTERM, dropping the work lifecycle.drain_seconds left no time for" in err


async def test_run_without_adapters_returns_at_once(tmp_path: Path) -> None:
    """Nothing to take events from: nothing to wait for, as before signals were handled."""
    config = load_config(None, environ={"WARROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"})
    await asyncio.wait_for(Warroom(config).run(), 10)
