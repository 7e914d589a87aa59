"""A single-writer database connection with explicit transactions and savepoints.

SQLAlchemy builds and compiles every statement (so SQLite and PostgreSQL get
their own SQL and type conversions), but execution goes straight to the DBAPI
connection: measured on SQLite, an ORM or Core execute costs ~12 µs and a
commit ~35 µs, which alone would exceed the per-command budget. Statements are
compiled once per shape and reused.

PostgreSQL can go away (a restart, a failover, a dropped network). A connection
found broken is discarded and a new one taken from the engine's pool (which
pings what it hands out) on a bounded exponential backoff, so writes resume on
their own once the server is back. The compiled statements are the dialect's,
not the connection's, and survive a reconnect; the cursor is rebuilt, and the
driver's own server-side prepared statements start afresh with the connection.
A SQLite connection is never discarded: a file does not go away, and an
in-memory database would be lost with its connection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Column, DateTime, Engine, Table, bindparam, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Select
from sqlalchemy.sql.compiler import Compiled
from sqlalchemy.types import TypeEngine

log = logging.getLogger(__name__)

Processor = Callable[[Any], Any] | None
# The dialects' own INSERT, which can say ON CONFLICT DO NOTHING (both backends Warroom runs on).
_UPSERTING: dict[str, Callable[[Table], Any]] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
FIRST_RETRY_S = 0.1  # after a failed reconnect; doubling up to MAX_RETRY_S
MAX_RETRY_S = 5.0


class DatabaseUnavailable(Exception):
    """A statement was run while the connection is lost and not yet re-established."""


class _NoCursor:
    """Stands in for the cursor while there is no connection, so statements fail clearly and cost no check."""

    rowcount = -1
    lastrowid = None

    def execute(self, *_args: Any) -> None:
        raise DatabaseUnavailable("the database connection is lost; it is re-established when work arrives")

    def fetchone(self) -> None:
        return None

    def fetchall(self) -> list[Any]:
        return []

    def close(self) -> None:
        pass


def _no_cursor() -> DBAPICursor:
    return cast(DBAPICursor, _NoCursor())  # it has every member Database uses


@dataclass(slots=True)
class Outage:
    """Since when the database has been unreachable, the last error, and when to try again."""

    error: str
    since: datetime
    retry_at: float  # time.monotonic()
    delay: float = FIRST_RETRY_S

    def report(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, "since": self.since.isoformat()}


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
        self.reconnects = self.dialect.name != "sqlite"  # whether a broken connection is replaced (see above)
        self.outage: Outage | None = None  # set while the connection is lost
        self._connection: PoolProxiedConnection | None = None
        self._cursor = _no_cursor()
        self.in_transaction = False
        self._connect()
        self._prepared: dict[object, _Prepared] = {}
        self._datetime_processors: dict[str, Processor] = {}
        self._returning = self.dialect.name != "sqlite"
        dbapi = self.dialect.dbapi
        assert dbapi is not None
        self.integrity_error: type[Exception] = dbapi.IntegrityError

    def close(self) -> None:
        if self._connection is not None:
            self._cursor.close()
            self._connection.close()
            self._connection = None

    # Losing the connection and getting it back
    def _connect(self) -> None:
        connection = self.engine.raw_connection()
        try:
            if self.dialect.name != "sqlite":
                # Transactions are begun with explicit statements, as on SQLite (see connect.py).
                connection.dbapi_connection.autocommit = True  # type: ignore[union-attr]
            cursor = connection.cursor()
        except Exception:
            connection.invalidate()
            raise
        self._connection, self._cursor = connection, cursor
        self.in_transaction = False

    def recover(self, error: BaseException) -> bool:
        """After a failed batch: roll back what is left of it; False when the connection was lost (and discarded).

        On PostgreSQL a rollback that fails too means the connection cannot be trusted. On SQLite it means
        there was no transaction left (SQLite ends one itself on some I/O errors), and the connection is kept.
        """
        if self.in_transaction:
            try:
                self.rollback()
            except Exception as rollback_error:
                self.in_transaction = False
                if self.reconnects:
                    log.warning("the rollback failed too (%s); discarding the connection", rollback_error)
                    self._lose(error)
                    return False
                log.warning("the rollback failed (%s); keeping the connection", rollback_error)
                self._driver_rollback()
        if self.reconnects and self._broken(error):
            self._lose(error)
            return False
        return True

    def _driver_rollback(self) -> None:
        """SQLite: end a transaction the ROLLBACK statement could not, so the next BEGIN works."""
        connection = self._connection
        dbapi_connection = connection.dbapi_connection if connection is not None else None
        if getattr(dbapi_connection, "in_transaction", False):
            try:
                dbapi_connection.rollback()  # type: ignore[union-attr]
            except Exception:
                log.exception("the driver could not roll back either")

    def _broken(self, error: BaseException) -> bool:
        connection = self._connection
        if connection is None or isinstance(error, DatabaseUnavailable):
            return True
        dbapi_connection = connection.dbapi_connection
        if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
            return True
        return bool(self.dialect.is_disconnect(cast(Any, error), dbapi_connection, self._cursor))

    def _lose(self, error: BaseException) -> None:
        connection, self._connection, self._cursor = self._connection, None, _no_cursor()
        self.in_transaction = False
        if connection is not None:
            try:
                connection.invalidate()  # closed, and never handed out by the pool again
            except Exception:
                log.debug("invalidating a broken connection failed", exc_info=True)
        if self.outage is None:
            self.outage = Outage(self._describe(error), datetime.now(UTC), retry_at=time.monotonic())
            log.error("lost the database connection (%s); reconnecting when work arrives", self.outage.error)

    def reconnect(self) -> bool:
        """True once connected: tries again only when the backoff allows (the first try at once)."""
        outage = self.outage
        if outage is None:
            return True
        if time.monotonic() < outage.retry_at:
            return False
        try:
            self._connect()
        except Exception as error:
            outage.error = self._describe(error)
            outage.retry_at = time.monotonic() + outage.delay
            log.warning("the database is still unavailable (%s); next try in %.1f s", outage.error, outage.delay)
            outage.delay = min(outage.delay * 2, MAX_RETRY_S)
            return False
        log.warning("reconnected to the database (down since %s)", outage.since.isoformat())
        self.outage = None
        return True

    def retry_in(self) -> float:
        """Seconds until :meth:`reconnect` will try again (0 when connected)."""
        return 0.0 if self.outage is None else max(0.0, self.outage.retry_at - time.monotonic())

    def status(self) -> dict[str, Any]:
        """For ``/health``: ok, or the error and since when; never the URL or its password."""
        return {"ok": True} if self.outage is None else self.outage.report()

    def _describe(self, error: BaseException) -> str:
        lines = str(error).strip().splitlines()
        text = f"{type(error).__name__}: {lines[0] if lines else 'no details'}"
        url = self.engine.url
        for secret in (url.render_as_string(hide_password=False), url.password):
            if secret:
                text = text.replace(str(secret), "***")
        return text[:300]

    # Transactions: statements, not driver methods, so both drivers behave alike.
    def begin(self) -> None:
        self._cursor.execute("BEGIN")
        self.in_transaction = True

    def begin_snapshot(self) -> None:
        """A read-only transaction whose every read sees one committed state: what SQLite's WAL gives any
        read transaction, and PostgreSQL gives only when asked (its default sees each statement's own)."""
        postgres = self.engine.dialect.name == "postgresql"
        self._cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if postgres else "BEGIN")
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
