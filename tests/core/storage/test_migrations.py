"""Migrations: they build exactly the schema the models describe, on every backend, and re-run safely."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Index, inspect, text
from sqlmodel import SQLModel
from warroom.core.app import Warroom
from warroom.core.config.loader import load_config
from warroom.core.storage import queries
from warroom.core.storage import tables as models
from warroom.core.storage.connect import _alembic_config, current_revision, open_engine, upgrade

from tests.postgres import drop_everything

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
            sorted(str(sorted(_with_plain_options(i).items())) for i in inspector.get_indexes(name)),
            sorted(str(sorted(u.items())) for u in inspector.get_unique_constraints(name)),
            inspector.get_table_options(name),
        )
        for name in sorted(inspector.get_table_names())
    }


def _with_plain_options(index: Mapping[str, Any]) -> dict[str, Any]:
    """A reflected index whose dialect options (a partial index's WHERE) compare by their SQL text."""
    options = {name: str(value) for name, value in index.get("dialect_options", {}).items()}
    return {**index, "dialect_options": options}


def _sql(text_: str) -> str:
    """SQL text compared loosely: databases give back a partial index's WHERE re-quoted and re-cased."""
    return re.sub(r"[\s()\"]+", " ", text_).strip().lower()


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


def test_the_key_event_index_is_partial_as_in_the_models(engine: Engine) -> None:
    """compare_metadata does not look at a partial index's WHERE: compare it here."""
    upgrade(engine)
    (model,) = [index for index in models.ENTRIES.indexes if index.name == "ix_timeline_key"]
    (built,) = [index for index in inspect(engine).get_indexes("timeline_entry") if index["name"] == "ix_timeline_key"]
    assert built["column_names"] == ["incident_id", "seq"]
    where = f"{engine.dialect.name}_where"
    assert _sql(str(built["dialect_options"][where])) == _sql(_where(model, engine))


def _where(index: Index, engine: Engine) -> str:
    clause = index.dialect_options[engine.dialect.name]["where"]
    return str(clause.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


def test_processed_event_has_no_rowid_on_sqlite(engine: Engine) -> None:
    """One B-tree per processed event; compare_metadata does not look at table options either."""
    upgrade(engine)
    options = inspect(engine).get_table_options("processed_event")
    if engine.dialect.name == "sqlite":
        assert options == {"sqlite_with_rowid": False}
        assert models.PROCESSED.dialect_options["sqlite"]["with_rowid"] is False
    else:
        assert "sqlite_with_rowid" not in options
    assert inspect(engine).get_pk_constraint("processed_event")["constrained_columns"] == ["event_key"]


def test_timeline_source_events_stay_unique(engine: Engine) -> None:
    upgrade(engine)
    unique = [u["column_names"] for u in inspect(engine).get_unique_constraints("timeline_entry")]
    assert sorted(unique) == [["incident_id", "seq"], ["source_event"]]


def test_key_events_are_read_through_the_partial_index(engine: Engine) -> None:
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO person (id, display_name, created_at) VALUES (1, 'alice', :at)"),
            {"at": datetime.now(UTC)},
        )
        connection.execute(
            text(
                "INSERT INTO incident (id, title, kind, severity, status, private, declared_by, declared_at, summary,"
                " impact_who, impact_where, affected, status_times)"
                " VALUES (1, 't', 'incident', 2, 'investigating', false, 1, :at, '', '', '', '[]', '{}')"
            ),
            {"at": datetime.now(UTC)},
        )
        connection.execute(
            text(
                "INSERT INTO timeline_entry (incident_id, seq, at, kind, author_name, text, data, key)"
                " VALUES (1, :seq, :at, 'note', '', '', '{}', :key)"
            ),
            [{"seq": seq, "at": datetime.now(UTC), "key": seq % 50 == 0} for seq in range(1, 2001)],
        )
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE timeline_entry")
    compiled = queries._KEY_EVENTS.compile(dialect=engine.dialect)  # what queries.key_events runs
    values = compiled.construct_params({"id": 1, "limit": 10})
    params = tuple(values[name] for name in compiled.positiontup or ()) if compiled.positional else values
    explain = "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN"
    with engine.connect() as connection:
        plan = str(connection.exec_driver_sql(f"{explain} {compiled}", params).all())
    assert "ix_timeline_key" in plan, plan


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
