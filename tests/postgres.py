"""A PostgreSQL server for the storage tests: ``$WARROOM_TEST_POSTGRES_URL``, or a throwaway local cluster."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """``$WARROOM_TEST_POSTGRES_URL``, else a throwaway local cluster, else skip."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        yield url
        return
    pytest.importorskip("psycopg", reason="PostgreSQL: psycopg is not installed (pip install 'psycopg[binary]')")
    binaries = _postgres_bin()
    if binaries is None:
        pytest.skip(f"PostgreSQL: set {POSTGRES_ENV}, or install PostgreSQL so initdb and pg_ctl can be found")
    prefix, user = _run_as()
    base = Path(tempfile.mkdtemp(prefix="warroom-pg-"))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    data, log = base / "data", base / "server.log"
    port = _free_port()

    def run(*command: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*prefix, *map(str, command)], capture_output=True, text=True, check=False)

    started = False
    try:
        init = run(binaries / "initdb", "-D", data, "-U", "warroom", "--auth=trust", "-E", "UTF8", "--no-sync")
        if init.returncode != 0:
            pytest.skip(f"PostgreSQL: initdb failed: {init.stderr.strip()[-500:]}")
        options = f"-h 127.0.0.1 -p {port} -k {base} -F"
        start = run(binaries / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start")
        if start.returncode != 0:
            server_log = log.read_text(errors="replace")[-800:] if log.exists() else ""
            pytest.skip(f"PostgreSQL: pg_ctl start failed: {start.stderr.strip()} {server_log}")
        started = True
        import psycopg

        with psycopg.connect(f"postgresql://warroom@127.0.0.1:{port}/postgres", autocommit=True) as connection:
            connection.execute("CREATE DATABASE warroom")
        yield f"postgresql://warroom@127.0.0.1:{port}/warroom"
    finally:
        if started:
            run(binaries / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)
