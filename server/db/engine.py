"""Engines and transactions.

Every write runs in ``Database.writing()``: on SQLite a ``BEGIN IMMEDIATE`` transaction on
the one writer connection (WAL, ``synchronous=FULL``, a busy timeout for other processes);
on PostgreSQL a transaction whose first statement takes the seq counter's row lock. Either
way writes are serialised, so seq order is commit order and a version check cannot race.

Writes that arrive while another is committing are committed together
(``server.db.group_commit``); on SQLite the writer's statements run inline on the event loop
(``server.db.inline``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import PoolProxiedConnection

from server.db import repo
from server.db.group_commit import GroupCommit, PostgresWriter, Transaction
from server.db.inline import InlineConnection, SqliteWriter, configure_sqlite, inline_sqlite_engine
from server.db.prepared import driver_connection

SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT = 5
PG_COMMAND_TIMEOUT = 30
PG_POOL_SIZE = 20
"""Connections per server process (PostgreSQL's default limit is 100 for all of them)."""


def _sqlite_engine(url: str, *, immediate: bool, pool_size: int) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=60,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"
    configure_sqlite(engine.sync_engine, begin, SQLITE_BUSY_TIMEOUT_MS)
    return engine


class Database:
    """The engines of one server process, and its read and write transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self._group = GroupCommit(SqliteWriter(url, SQLITE_BUSY_TIMEOUT_MS, repo.PREPARED))
            self.reader = _sqlite_engine(url, immediate=False, pool_size=4)
            self.writer = self.reader
            self._lookups: Engine | None = inline_sqlite_engine(
                url, "BEGIN", SQLITE_BUSY_TIMEOUT_MS, pool_size=1, max_overflow=0
            )
        else:
            self.writer = create_async_engine(
                url,
                # No overflow: a connection opened for a burst and closed after it (with
                # its TLS negotiation) cost more than waiting for a pooled one.
                pool_size=PG_POOL_SIZE,
                max_overflow=0,
                pool_pre_ping=True,
                pool_timeout=10,
                # A database that stops answering (a cut network, not a refused connection)
                # must turn into a 503 in seconds, not a request that hangs.
                connect_args={"timeout": PG_CONNECT_TIMEOUT, "command_timeout": PG_COMMAND_TIMEOUT},
            )
            self.reader = self.writer
            self._group = GroupCommit(PostgresWriter(self.writer))
            self._lookups = None
            self._pg_lookups = self.reader.execution_options(isolation_level="AUTOCOMMIT")
        self._lookup_conn: PoolProxiedConnection | None = None

    def tokens_version(self) -> tuple[int, int] | None:
        """On SQLite, a value that changes whenever a token may have been made, changed or
        revoked: by another process, or by this one (``SqliteWriter.tokens_version``);
        None on PostgreSQL, and while it cannot be read at once."""
        if not self.is_sqlite:
            return None
        writer = self._group.writer
        assert isinstance(writer, SqliteWriter)
        return writer.tokens_version()

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        async with self._group.transaction() as tx:
            yield tx.conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Transaction]:
        """Like ``writing()``, for a write that may end without changes: ``tx.discard()``
        rolls it back when the block ends, with nothing raised."""
        async with self._group.transaction() as tx:
            yield tx

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A read transaction that sees one consistent snapshot."""
        if self.is_sqlite:
            async with self.reader.begin() as conn:
                yield conn
        else:
            async with self.reader.connect() as conn:
                conn = await conn.execution_options(isolation_level="REPEATABLE READ")
                async with conn.begin():
                    yield conn

    @asynccontextmanager
    async def looking_up(self) -> AsyncIterator[AsyncConnection]:
        """A read of a row or two by an index (a token by its hash, on every request).

        On SQLite it runs inline on the event loop, a prepared statement on one ``sqlite3``
        connection in autocommit mode (one statement, one snapshot): the read takes
        microseconds, where a hand-off to a driver thread and back, or SQLAlchemy's
        execution, cost more than the rest of a small request. The block must not await
        anything but the connection's statements (they never suspend), which keeps the one
        connection to one user at a time.

        On PostgreSQL it is one statement in autocommit mode (no BEGIN and ROLLBACK around it).
        """
        if self._lookups is None:
            async with self._pg_lookups.connect() as conn:
                yield conn
            return
        if self._lookup_conn is None:
            self._lookup_conn = self._lookups.raw_connection()
        raw = driver_connection(self._lookup_conn)
        yield InlineConnection(raw, repo.PREPARED, None)  # type: ignore[misc]

    async def dispose(self) -> None:
        if self._lookup_conn is not None:
            self._lookup_conn.close()
            self._lookup_conn = None
        if self._lookups is not None:
            self._lookups.dispose()
        await self._group.dispose()
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()
