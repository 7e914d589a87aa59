"""Migrations: they build exactly the schema the models describe, on every backend, and re-run safely."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from postgres import drop_everything
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel
from warroom.core import models  # noqa: F401  (registers the tables)
from warroom.core.app import Warroom
from warroom.core.config import load_config
from warroom.core.store import _alembic_config, current_revision, open_engine, upgrade

TABLES = set(SQLModel.metadata.tables)


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database, configured exactly as Warroom configures it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'w.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        drop_everything(url)
    engine = open_engine(load_config(None, environ={"WARROOM_DATABASE_URL": url}))
    yield engine
    engine.dispose()


def migrate(engine: Engine, direction: str, revision: str) -> None:
    with engine.begin() as connection:
        getattr(command, direction)(_alembic_config(connection), revision)


def head() -> str:
    heads = ScriptDirectory.from_config(_alembic_config(None)).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    return heads[0]


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, SQLModel.metadata))


def schema_snapshot(engine: Engine) -> dict[str, object]:
    inspector = inspect(engine)
    return {
        name: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)],
            sorted(str(sorted(i.items())) for i in inspector.get_indexes(name)),
            sorted(str(sorted(u.items())) for u in inspector.get_unique_constraints(name)),
        )
        for name in sorted(inspector.get_table_names())
    }


def test_the_revision_history_is_one_line() -> None:
    script = ScriptDirectory.from_config(_alembic_config(None))
    revisions = list(script.walk_revisions())
    assert revisions, "no migrations found"
    assert revisions[-1].down_revision is None
    for newer, older in itertools.pairwise(revisions):
        assert newer.down_revision == older.revision


def test_upgrade_on_an_empty_database_creates_every_table(engine: Engine) -> None:
    assert current_revision(engine) is None
    upgrade(engine)
    assert tables(engine) == TABLES
    assert current_revision(engine) == head()


def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    upgrade(engine)
    assert differences(engine) == []


def test_upgrading_twice_changes_nothing(engine: Engine) -> None:
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO person (display_name, created_at) VALUES ('alice', :at)"), {"at": datetime.now(UTC)}
        )
    before = schema_snapshot(engine)
    upgrade(engine)
    assert schema_snapshot(engine) == before
    assert current_revision(engine) == head()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT display_name FROM person")).all() == [("alice",)]


def test_down_to_base_and_back_up_to_head(engine: Engine) -> None:
    upgrade(engine)
    migrate(engine, "downgrade", "base")
    assert tables(engine) == set()
    assert current_revision(engine) is None
    upgrade(engine)
    assert tables(engine) == TABLES
    assert current_revision(engine) == head()
    assert differences(engine) == []


def test_a_database_at_every_earlier_revision_comes_up_to_date_with_its_data(engine: Engine) -> None:
    script = ScriptDirectory.from_config(_alembic_config(None))
    for revision in reversed(list(script.walk_revisions())):
        migrate(engine, "downgrade", "base")
        migrate(engine, "upgrade", revision.revision)
        assert current_revision(engine) == revision.revision
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO person (display_name, created_at) VALUES ('alice', :at)"), {"at": datetime.now(UTC)}
            )
        upgrade(engine)
        assert current_revision(engine) == head()
        assert differences(engine) == []
        with engine.connect() as connection:
            assert connection.execute(text("SELECT display_name FROM person")).all() == [("alice",)]


async def test_starting_warroom_upgrades_an_old_database_file(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    config = load_config(None, environ={"WARROOM_DATABASE_URL": f"sqlite:///{path}"})
    old = open_engine(config)
    upgrade(old)
    migrate(old, "downgrade", "base")
    old.dispose()

    app = Warroom(config)
    try:
        assert current_revision(app.sql_engine) == head()
        assert tables(app.sql_engine) == TABLES
    finally:
        await app.close()
