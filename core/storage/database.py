"""A single-writer database connection with explicit transactions and savepoints.

SQLAlchemy builds and compiles every statement (so SQLite and PostgreSQL get
their own SQL and type conversions), but execution goes straight to the DBAPI
connection: measured on SQLite, an ORM or Core execute costs ~12 µs and a
commit ~35 µs, which alone would exceed the per-command budget. Statements are
compiled once per shape and reused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, DateTime, Engine, Table, bindparam, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Select
from sqlalchemy.sql.compiler import Compiled
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any] | None
# The dialects' own INSERT, which can say ON CONFLICT DO NOTHING (both backends Warroom runs on).
_UPSERTING: dict[str, Callable[[Table], Any]] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


class _Prepared:
    """A statement compiled for one dialect, with its value converters."""

    __slots__ = ("bind", "defaults", "names", "plan", "positional", "result", "sql")

    def __init__(self, compiled: Compiled, bind: dict[str, Processor], result: list[Processor]) -> None:
        self.sql = str(compiled)
        self.positional = bool(getattr(compiled, "positional", False))
        self.names: tuple[str, ...] = tuple(getattr(compiled, "positiontup", None) or compiled.params)
        self.bind = bind
        self.result = result
        self.defaults: dict[str, Any] = dict(compiled.params)  # literals written into the statement
        self.plan = tuple((name, bind.get(name)) for name in self.names)  # what params() does per value

    def params(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        defaults = self.defaults
        converted = [
            value if processor is None or value is None else processor(value)
            for name, processor in self.plan
            for value in (values[name] if name in values else defaults[name],)
        ]
        return tuple(converted) if self.positional else dict(zip(self.names, converted, strict=True))

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(p(v) if p is not None else v for p, v in zip(self.result, raw, strict=True))


class Database:
    """One DBAPI connection; the caller decides where transactions begin and end."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self._connection = engine.raw_connection()
        if self.dialect.name != "sqlite":
            # Transactions are begun with explicit statements, as on SQLite (see connect.py).
            self._connection.dbapi_connection.autocommit = True  # type: ignore[union-attr]
        self._cursor = self._connection.cursor()
        self._prepared: dict[object, _Prepared] = {}
        self._datetime_processors: dict[str, Processor] = {}
        self._returning = self.dialect.name != "sqlite"
        dbapi = self.dialect.dbapi
        assert dbapi is not None
        self.integrity_error: type[Exception] = dbapi.IntegrityError
        self.in_transaction = False

    def close(self) -> None:
        self._cursor.close()
        self._connection.close()

    # Transactions: statements, not driver methods, so both drivers behave alike.
    def begin(self) -> None:
        self._cursor.execute("BEGIN")
        self.in_transaction = True

    def commit(self) -> None:
        self._cursor.execute("COMMIT")
        self.in_transaction = False

    def rollback(self) -> None:
        self._cursor.execute("ROLLBACK")
        self.in_transaction = False

    def savepoint(self) -> None:
        self._cursor.execute("SAVEPOINT command")

    def release(self) -> None:
        self._cursor.execute("RELEASE SAVEPOINT command")

    def rollback_to_savepoint(self) -> None:
        self._cursor.execute("ROLLBACK TO SAVEPOINT command")
        self._cursor.execute("RELEASE SAVEPOINT command")

    # Statements
    def insert(self, table: Table, values: Mapping[str, Any]) -> int:
        """Insert one row and return its ``id``."""
        prepared = self._prepare_insert(table, tuple(values), returning=self._returning)
        self._cursor.execute(prepared.sql, prepared.params(values))
        if self._returning:
            row = self._cursor.fetchone()
            assert row is not None
            return int(row[0])
        return int(self._cursor.lastrowid)

    def add(self, table: Table, values: Mapping[str, Any]) -> None:
        """Insert one row of a table whose key is not a generated id."""
        prepared = self._prepare_insert(table, tuple(values), returning=False)
        self._cursor.execute(prepared.sql, prepared.params(values))

    def add_new(self, table: Table, values: Mapping[str, Any]) -> bool:
        """Insert one row unless a row with the same key is there already; True when it was inserted.

        ``ON CONFLICT DO NOTHING`` rather than catching the integrity error or looking first: on
        PostgreSQL a failed statement aborts the whole transaction, and a look is a second statement.
        """
        prepared = self._prepare_insert(table, tuple(values), returning=False, unless_present=True)
        self._cursor.execute(prepared.sql, prepared.params(values))
        return self._cursor.rowcount == 1

    def update(self, table: Table, key: Mapping[str, Any], values: Mapping[str, Any]) -> int:
        """Update the rows matching ``key`` (column equality); returns how many changed."""
        cache_key = ("update", table.name, tuple(key), tuple(values))
        prepared = self._prepared.get(cache_key)
        if prepared is None:
            where = [table.c[name] == _bind(table.c[name], "k_" + name) for name in key]
            statement = update(table).where(*where).values({name: _bind(table.c[name], name) for name in values})
            prepared = self._prepare(cache_key, statement, ())
        params = dict(values)
        params.update({"k_" + name: value for name, value in key.items()})
        self._cursor.execute(prepared.sql, prepared.params(params))
        return int(self._cursor.rowcount)

    def select(self, statement: Select[Any], params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a prebuilt select (use ``bindparam`` for values); converts results like SQLAlchemy would."""
        prepared = self._prepared.get(statement)
        if prepared is None:
            prepared = self._prepare(statement, statement, tuple(statement.selected_columns))
        self._cursor.execute(prepared.sql, prepared.params(params or {}))
        return [prepared.row(raw) for raw in self._cursor.fetchall()]

    def _prepare_insert(
        self, table: Table, names: tuple[str, ...], *, returning: bool, unless_present: bool = False
    ) -> _Prepared:
        cache_key = ("insert", table.name, names, returning, unless_present)
        prepared = self._prepared.get(cache_key)
        if prepared is None:
            row = {name: _bind(table.c[name], name) for name in names}
            statement: Any
            if unless_present:
                statement = _UPSERTING[self.dialect.name](table).values(row).on_conflict_do_nothing()
            else:
                statement = insert(table).values(row)
            if returning:
                statement = statement.returning(table.c.id)
            prepared = self._prepare(cache_key, statement, ())
        return prepared

    def _bind_processor(self, type_: TypeEngine[Any]) -> Processor:
        """The type's bind processor; datetime ones are shared per type and remember their last value.

        Converting a timezone-aware datetime (SQLModel's ``DateTime`` decorator, then the dialect's
        formatting) costs about 1.4 µs, and the same timestamp goes into the processed event and the
        timeline entry of every command.
        """
        processor: Processor = type_.dialect_impl(self.dialect).bind_processor(self.dialect)
        if processor is None or not _is_datetime(type_):
            return processor
        family = f"{type(type_).__module__}.{type(type_).__qualname__}:{type_!r}"
        shared = self._datetime_processors.get(family)
        if shared is None:
            shared = self._datetime_processors[family] = _remember_last(processor)
        return shared

    def _prepare(self, cache_key: object, statement: Any, selected: tuple[Any, ...]) -> _Prepared:
        compiled = statement.compile(dialect=self.dialect)
        bind = {name: self._bind_processor(p.type) for name, p in compiled.binds.items()}
        result = [column.type.dialect_impl(self.dialect).result_processor(self.dialect, None) for column in selected]
        prepared = _Prepared(compiled, bind, result)
        self._prepared[cache_key] = prepared
        return prepared


def _remember_last(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``processor`` with its last result kept: a command writes its one timestamp to several rows."""
    last_value: Any = None
    last_result: Any = None

    def process(value: Any) -> Any:
        nonlocal last_value, last_result
        if value is not last_value:  # datetimes are immutable, and the kept one cannot be freed and reused
            last_result = processor(value)
            last_value = value
        return last_result

    return process


def _bind(column: Column[Any], name: str) -> Any:
    return bindparam(name, type_=column.type)


def _is_datetime(type_: TypeEngine[Any]) -> bool:
    """A DateTime column type, directly or under a TypeDecorator (SQLModel's ``UTCDateTime``)."""
    return isinstance(getattr(type_, "impl_instance", type_), DateTime)
