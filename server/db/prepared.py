"""The repository's write statements, run on SQLite's own driver without SQLAlchemy's
per-call machinery.

A write on SQLite takes microseconds in the database, but each statement sent through
SQLAlchemy's ``Connection.execute`` (execution context, parameter processing, a result
object, events) costs far more Python than that, and a create is five of them plus a
savepoint: most of the server's CPU per order (docs/PERFORMANCE.md). Here a statement from
``server.db.repo`` is compiled once by SQLAlchemy itself for SQLite, per set of parameter
names, and run on the ``sqlite3`` connection with the columns' own bind and result
processors: the SQL, the parameter order and the type conversions are SQLAlchemy's, so the
statements stay defined in one place and read back exactly as through SQLAlchemy.

Only plain statements qualify: no expanding ``IN`` parameters and no Python-side column
defaults (``Prepared`` refuses them when it is built, not when it runs).
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, cast

from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

DIALECT = SQLiteDialect_pysqlite()

Processor = Callable[[Any], Any] | None


class Prepared:
    """One Core statement compiled for SQLite, for one set of parameter names."""

    def __init__(self, statement: ClauseElement, keys: Sequence[str]) -> None:
        compiled = statement.compile(dialect=DIALECT, column_keys=list(keys))
        assert isinstance(compiled, SQLCompiler)
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise ValueError(f"statement needs Python-side defaults: {compiled.string}")
        binds = compiled.binds
        names = compiled.positiontup or []
        if any(binds[name].expanding for name in names):
            raise ValueError(f"statement has expanding parameters: {compiled.string}")
        self.sql = compiled.string
        self._names = names
        self._constants = {name: binds[name].effective_value for name in names if name not in keys}
        self._binds: list[Processor] = [
            binds[name].type.dialect_impl(DIALECT).bind_processor(DIALECT) for name in names
        ]
        columns: Sequence[Any] = (
            getattr(statement, "selected_columns", None)
            or getattr(statement, "exported_columns", None)
            or ()
        )
        self._row = _row_class([c.key for c in columns])
        self._results: list[Processor] = [
            c.type.dialect_impl(DIALECT).result_processor(DIALECT, None) for c in columns
        ]

    def _values(self, parameters: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, process in zip(self._names, self._binds, strict=True):
            value = parameters[name] if name in parameters else self._constants[name]
            values.append(process(value) if process is not None and value is not None else value)
        return values

    def run_many(
        self, connection: sqlite3.Connection, parameters: Sequence[Mapping[str, Any]]
    ) -> PreparedResult:
        """The statement once for each set of parameters (``executemany``), no rows."""
        cursor = connection.executemany(self.sql, [self._values(p) for p in parameters])
        return PreparedResult([], cursor.rowcount)

    def run(self, connection: sqlite3.Connection, parameters: Mapping[str, Any]) -> PreparedResult:
        cursor = connection.execute(self.sql, self._values(parameters))
        if not self._results:
            return PreparedResult([], cursor.rowcount)
        rows = [
            self._row(
                *(
                    p(v) if p is not None and v is not None else v
                    for p, v in zip(self._results, raw, strict=True)
                )
            )
            for raw in cursor.fetchall()
        ]
        return PreparedResult(rows, cursor.rowcount)


def _row_class(keys: list[str]) -> Callable[..., Any]:
    """A tuple with attribute access and ``_mapping``, like SQLAlchemy's ``Row``."""
    base: Any = namedtuple("Row", keys)  # type: ignore[misc]

    class Row(base):  # type: ignore[misc]
        __slots__ = ()

        @property
        def _mapping(self) -> dict[str, Any]:
            return dict(self._asdict())

    return Row


class PreparedResult:
    """The part of SQLAlchemy's ``Result`` that the repository uses."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def scalar_one(self) -> Any:
        if len(self._rows) != 1:
            raise LookupError(f"expected one row, got {len(self._rows)}")
        return self._rows[0][0]

    def scalar_one_or_none(self) -> Any:
        if len(self._rows) > 1:
            raise LookupError(f"expected at most one row, got {len(self._rows)}")
        return self._rows[0][0] if self._rows else None


def driver_connection(connection: Any) -> sqlite3.Connection:
    """The ``sqlite3`` connection under a SQLAlchemy connection or pooled connection."""
    raw = getattr(connection, "driver_connection", None)
    if raw is None:  # a SQLAlchemy Connection: its pooled DBAPI connection holds it
        raw = connection.connection.driver_connection
    if not isinstance(raw, sqlite3.Connection):
        raise TypeError(f"not a sqlite3 connection: {raw!r}")
    return raw


class PreparedStatements:
    """The statements ``statements`` compiled on first use, per set of parameter names."""

    def __init__(self, statements: Sequence[ClauseElement]) -> None:
        self._allowed = {id(s) for s in statements}
        self._compiled: dict[tuple[int, tuple[str, ...]], Prepared] = {}

    def get(
        self, statement: Any, parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None
    ) -> Prepared | None:
        """The compiled form of ``statement``, or None if it is not one to run this way (a
        list of sets of parameters, to run it once for each, is compiled for the first's
        names)."""
        if id(statement) not in self._allowed:
            return None
        names: Mapping[str, Any] | None = (
            (parameters[0] if parameters else None)
            if isinstance(parameters, list)
            else cast(Mapping[str, Any] | None, parameters)
        )
        key = (id(statement), tuple(names or ()))
        prepared = self._compiled.get(key)
        if prepared is None:
            prepared = self._compiled[key] = Prepared(statement, key[1])
        return prepared
