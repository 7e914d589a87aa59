"""Opening the database: engine settings per backend, and bringing the schema up to date.

SQLite is tuned for a single writer that commits in groups: WAL so readers
never block the writer, ``synchronous=NORMAL`` by default (a commit survives a
crash of the process; only a power loss or kernel crash can lose the last
commits) or ``FULL`` (every commit fsynced; group commit amortises the cost).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from warroom.core.config.loader import Config

POSTGRES_CONNECT_TIMEOUT_S = 5


def open_engine(config: Config) -> Engine:
    url = make_url(config.database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, config.database.synchronous, config.database.busy_timeout_ms)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    # A (re)connection runs on the event loop: a server that does not answer at all (a network cut)
    # must cost a bounded wait, not the driver's default of waiting for ever. A URL may set its own.
    connect_args = {} if "connect_timeout" in url.query else {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_engine(url: Any, synchronous: str, busy_timeout_ms: int) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Transactions are begun explicitly (below and in core.db), which is
        # what makes SAVEPOINT work with Python's sqlite3 driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration; a no-op on an up-to-date database."""
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _alembic_config(connection: Any) -> AlembicConfig:
    alembic = AlembicConfig()
    alembic.set_main_option("script_location", str(resources.files("warroom.core.storage") / "migrations"))
    alembic.attributes["connection"] = connection
    return alembic
