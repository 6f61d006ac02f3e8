"""SQLite's one writer connection: group commit, with statements run inline.

Each SQLite commit waits for an fsync (about 6 ms on the machine in docs/PERFORMANCE.md),
which capped one writer at ~170 commits a second. Writes that arrive while a transaction is
committing run, one after the other, in the next transaction, each in its own SAVEPOINT (so
a write that fails, a stale version say, is rolled back alone), and commit together. A
write's caller hears that it succeeded only after that commit, so durability is unchanged;
writes still run one at a time in one transaction, so seq order is commit order and each
version check sees every write before it. A lone write runs in a plain transaction.

The writer's statements take microseconds, so they run inline on the event loop instead of
one thread hand-off each (aiosqlite): only ``BEGIN IMMEDIATE`` (which may wait for another
process's lock) and ``COMMIT`` (which waits for the fsync) go to a worker thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

from server.db.prepared import PreparedStatements, driver_connection

GROUP_COMMIT_MAX = 256
"""At most this many writes share one transaction (and its fsync)."""


def configure_sqlite(sync_engine: Any, begin: str, busy_timeout_ms: int) -> None:
    """WAL, a busy timeout, ``synchronous=FULL``, and our own ``BEGIN``."""

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We issue BEGIN ourselves, so the driver must not open transactions on its own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)


def inline_sqlite_engine(url: str, begin: str, busy_timeout_ms: int, **pool: Any) -> Engine:
    """A synchronous engine on the same SQLite file, for statements run on the event loop."""
    engine = create_engine(
        url.replace("sqlite+aiosqlite:", "sqlite:", 1),
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
        **pool,
    )
    configure_sqlite(engine, begin, busy_timeout_ms)
    return engine


class InlineConnection:
    """An inline SQLite connection with the ``AsyncConnection`` methods the repository uses.

    The repository's write statements (``PreparedStatements``) run on the ``sqlite3``
    connection directly; any other statement goes through SQLAlchemy's ``sync``
    connection (which may be None for a connection that runs prepared statements only).
    """

    def __init__(
        self, raw: sqlite3.Connection, prepared: PreparedStatements, sync: Connection | None
    ) -> None:
        self.raw = raw
        self.sync = sync
        self._prepared = prepared

    async def execute(self, statement: Any, parameters: Any = None, **options: Any) -> Any:
        prepared = None if options else self._prepared.get(statement, parameters)
        if prepared is not None:
            return prepared.run(self.raw, parameters or {})
        if self.sync is None:
            raise TypeError(f"not a prepared statement: {statement}")
        return self.sync.execute(statement, parameters, **options)

    async def run_sync(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.sync is None:
            raise TypeError("this connection runs prepared statements only")
        return fn(self.sync, *args, **kwargs)


class _RolledBack(Exception):
    """A lone write failed: its transaction is rolled back, and it has its own error."""


class _Slot:
    """One write waiting for, holding, or done with a place in a group transaction."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.granted: asyncio.Future[InlineConnection] = loop.create_future()
        self.finished: asyncio.Future[BaseException | None] = loop.create_future()
        self.committed: asyncio.Future[None] = loop.create_future()


class GroupCommit:
    """The SQLite writer connection and its shared transactions (see the module's text)."""

    def __init__(self, url: str, busy_timeout_ms: int, prepared: PreparedStatements) -> None:
        self._prepared = prepared
        self.engine = inline_sqlite_engine(
            url, "BEGIN IMMEDIATE", busy_timeout_ms, pool_size=1, max_overflow=0
        )
        self._conn: Connection | None = None
        self._waiting: list[_Slot] = []
        self._committer: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[InlineConnection]:
        slot = _Slot(asyncio.get_running_loop())
        self._waiting.append(slot)
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_all(), name="group-commit")
        try:
            conn = await slot.granted
        except asyncio.CancelledError:
            # Cancelled while waiting: the committer skips a cancelled slot, or, if it had
            # just granted this one, gets it back unused.
            if slot.granted.done() and not slot.granted.cancelled():
                slot.finished.set_result(asyncio.CancelledError())
            raise
        try:
            yield conn
        except BaseException as exc:
            slot.finished.set_result(exc)
            raise
        slot.finished.set_result(None)
        # Shielded: once its changes are in the transaction, the write is answered only
        # by the commit, and a cancelled caller must not leave the others waiting.
        await asyncio.shield(slot.committed)

    async def dispose(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self.engine.dispose()

    async def _commit_all(self) -> None:
        while self._waiting:
            batch = [s for s in self._waiting[:GROUP_COMMIT_MAX] if not s.granted.cancelled()]
            del self._waiting[:GROUP_COMMIT_MAX]
            if batch:
                await self._commit(batch)

    async def _commit(self, batch: list[_Slot]) -> None:
        kept: list[_Slot] = []
        try:
            if self._conn is None:
                self._conn = await asyncio.to_thread(self.engine.connect)
            sync = self._conn
            transaction = await asyncio.to_thread(sync.begin)
            try:
                raw = driver_connection(sync)
                await self._run(batch, InlineConnection(raw, self._prepared, sync), kept)
                await asyncio.to_thread(transaction.commit)
            except BaseException:
                if transaction.is_active:
                    transaction.rollback()
                raise
        except _RolledBack:
            return
        except BaseException as exc:
            for slot in batch:
                if not slot.granted.done():
                    slot.granted.set_exception(exc)
            for slot in kept:
                slot.committed.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for slot in kept:
            slot.committed.set_result(None)

    @staticmethod
    async def _run(batch: list[_Slot], conn: InlineConnection, kept: list[_Slot]) -> None:
        if len(batch) == 1:
            if batch[0].granted.cancelled():
                raise _RolledBack
            batch[0].granted.set_result(conn)
            if await batch[0].finished is not None:
                raise _RolledBack
            kept.append(batch[0])
            return
        # Savepoints on the driver's connection: SQLAlchemy's begin_nested() cost more
        # than the write inside it.
        for slot in batch:
            if slot.granted.cancelled():
                continue
            conn.raw.execute("SAVEPOINT one_write")
            slot.granted.set_result(conn)
            if await slot.finished is None:
                kept.append(slot)
            else:
                conn.raw.execute("ROLLBACK TO one_write")
            conn.raw.execute("RELEASE one_write")
