"""A PostgreSQL server for the storage tests: ``$WARROOM_TEST_POSTGRES_URL``, or a throwaway local cluster."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import make_url

POSTGRES_ENV = "WARROOM_TEST_POSTGRES_URL"


def drop_everything(url: str) -> None:
    """Start each PostgreSQL test from an empty database (tables and Alembic's version)."""
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        metadata.drop_all(engine)
    finally:
        engine.dispose()


def _postgres_bin() -> Path | None:
    candidates = []
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(found).resolve().parent)
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _version(p.parent.name), reverse=True)
    candidates.extend(versions)
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    return None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _run_as() -> tuple[list[str], str | None]:
    """The command prefix that runs PostgreSQL's tools as a non-root user (initdb refuses root)."""
    if os.geteuid() != 0:
        return [], None
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("PostgreSQL: running as root and runuser is not available to drop privileges")
    for user in ("postgres", "warroom-pg"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return [runuser, "-u", user, "--"], user
    created = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "warroom-pg"],
        capture_output=True,
        text=True,
        check=False,
    )
    if created.returncode != 0:
        pytest.skip(f"PostgreSQL: running as root and could not create a user for it: {created.stderr.strip()}")
    return [runuser, "-u", "warroom-pg", "--"], "warroom-pg"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Cluster:
    """A throwaway local PostgreSQL cluster, which a test may stop (as a crash would) and start again."""

    def __init__(self, binaries: Path, prefix: list[str], base: Path, port: int) -> None:
        self.binaries, self.prefix, self.base, self.port = binaries, prefix, base, port
        self.data, self.log = base / "data", base / "server.log"
        self.url = f"postgresql://warroom@127.0.0.1:{port}/warroom"
        self.running = False

    def run(self, *command: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.prefix, *map(str, command)], capture_output=True, text=True, check=False)

    def start(self) -> subprocess.CompletedProcess[str]:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.base} -F"
        done = self.run(
            self.binaries / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "60", "start"
        )
        self.running = done.returncode == 0
        return done

    def stop(self, mode: str = "immediate") -> None:
        """``immediate`` kills the server without a clean shutdown: connections die mid-sentence."""
        done = self.run(self.binaries / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")
        assert done.returncode == 0, done.stderr
        self.running = False

    def server_log(self) -> str:
        return self.log.read_text(errors="replace")[-800:] if self.log.exists() else ""


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A new cluster with an empty ``warroom`` database, removed afterwards; skips when PostgreSQL is missing."""
    pytest.importorskip("psycopg", reason="PostgreSQL: psycopg is not installed (pip install 'psycopg[binary]')")
    binaries = _postgres_bin()
    if binaries is None:
        pytest.skip(f"PostgreSQL: set {POSTGRES_ENV}, or install PostgreSQL so initdb and pg_ctl can be found")
    prefix, user = _run_as()
    base = Path(tempfile.mkdtemp(prefix="warroom-pg-"))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    cluster = Cluster(binaries, prefix, base, _free_port())
    try:
        init = cluster.run(
            binaries / "initdb", "-D", cluster.data, "-U", "warroom", "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        if init.returncode != 0:
            pytest.skip(f"PostgreSQL: initdb failed: {init.stderr.strip()[-500:]}")
        start = cluster.start()
        if start.returncode != 0:
            pytest.skip(f"PostgreSQL: pg_ctl start failed: {start.stderr.strip()} {cluster.server_log()}")
        import psycopg

        with psycopg.connect(f"postgresql://warroom@127.0.0.1:{cluster.port}/postgres", autocommit=True) as connection:
            connection.execute("CREATE DATABASE warroom")
        yield cluster
    finally:
        if cluster.running:
            cluster.run(binaries / "pg_ctl", "-D", cluster.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """``$WARROOM_TEST_POSTGRES_URL``, else a throwaway local cluster, else skip."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        yield url
        return
    with throwaway_cluster() as cluster:
        yield cluster.url
