"""A real Synapse homeserver for the Matrix tests: installed on demand, started on 127.0.0.1, stopped after.

Synapse lives in a venv of its own (its pins are not ours): ``.venv-synapse`` at
the repository root, or wherever ``WARROOM_SYNAPSE_VENV`` points. CI creates it
up front; on a developer machine the first test session creates it (~15 s).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from tests import REPO

ROOT = REPO
SERVER_NAME = "localhost"
PASSWORD = "correct-horse-battery-staple"
BOT = "warroom"
PEOPLE = ("alice", "bob", "carol", "dave", "mallory")
_GENEROUS = {"per_second": 1000, "burst_count": 1000}


def venv_path() -> Path:
    return Path(os.environ.get("WARROOM_SYNAPSE_VENV") or ROOT / ".venv-synapse")


def ensure_installed(venv: Path) -> Path:
    """The venv's python, creating the venv and installing Synapse into it when missing."""
    python = venv / "bin" / "python"
    if python.exists():
        probe = subprocess.run([python, "-c", "import synapse"], check=False, capture_output=True)
        if probe.returncode == 0:
            return python
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "matrix-synapse"], check=True)
    return python


@contextmanager
def running_synapse(directory: Path) -> Iterator[Synapse]:
    """Synapse (installed if needed) with the bot and the people registered; stopped on exit."""
    server = Synapse(ensure_installed(venv_path()), directory)
    server.start()
    try:
        server.register(BOT, *PEOPLE, password=PASSWORD)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """One real Synapse for the whole test session (the Matrix tests and the shared contract use it)."""
    with running_synapse(tmp_path_factory.mktemp("synapse")) as server:
        yield server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Synapse:
    """One homeserver process with its own data directory; ``url`` is where clients connect."""

    def __init__(self, python: Path, directory: Path) -> None:
        self.python = python
        self.directory = directory
        self.config = directory / "homeserver.yaml"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._log = directory / "stdout.log"

    def start(self, timeout: float = 60) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._generate()
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                [self.python, "-m", "synapse.app.homeserver", "--config-path", str(self.config)],
                cwd=self.directory,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_ready(timeout)

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def register(self, *names: str, password: str) -> None:
        """Register users (in parallel: each is a short-lived process) with the shared secret."""

        def one(name: str) -> None:
            command = [
                str(self.python.parent / "register_new_matrix_user"),
                "-c",
                str(self.config),
                "-u",
                name,
                "-p",
                password,
                "--no-admin",
                self.url,
            ]
            result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=60)
            if result.returncode != 0 and "User ID already taken" not in result.stdout + result.stderr:
                raise RuntimeError(f"registering {name} failed: {result.stdout}{result.stderr}")

        with ThreadPoolExecutor(max_workers=max(1, len(names))) as pool:
            list(pool.map(one, names))

    def _generate(self) -> None:
        subprocess.run(
            [
                self.python,
                "-m",
                "synapse.app.homeserver",
                "--server-name",
                SERVER_NAME,
                "--config-path",
                str(self.config),
                "--data-directory",
                str(self.directory),
                "--generate-config",
                "--report-stats=no",
            ],
            cwd=self.directory,
            check=True,
            capture_output=True,
        )
        config = yaml.safe_load(self.config.read_text())
        config.update(
            listeners=[
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            trusted_key_servers=[],
            suppress_key_server_warning=True,
            federation_domain_whitelist=[],
            use_presence=False,
            url_preview_enabled=False,
            enable_registration=False,
            room_list_publication_rules=[{"action": "allow"}],
            rc_message=_GENEROUS,
            rc_registration=_GENEROUS,
            rc_room_creation=_GENEROUS,
            rc_login={"address": _GENEROUS, "account": _GENEROUS, "failed_attempts": _GENEROUS},
            rc_joins={"local": _GENEROUS, "remote": _GENEROUS},
            rc_invites={"per_room": _GENEROUS, "per_user": _GENEROUS, "per_issuer": _GENEROUS},
            rc_3pid_validation=_GENEROUS,
            rc_admin_redaction=_GENEROUS,
        )
        config.pop("log_config", None)  # Synapse then logs to stderr, which goes to stdout.log
        self.config.write_text(yaml.safe_dump(config))

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"Synapse exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_matrix/client/versions", timeout=2) as response:
                    if json.load(response).get("versions"):
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"Synapse did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        if not self._log.exists():
            return ""
        return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])
