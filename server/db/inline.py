"""SQLite's inline connections: statements run on the event loop, not in a driver thread.

A write's statements take microseconds in SQLite, so they run inline on the event loop
instead of one thread hand-off each (aiosqlite). Two statements may wait: ``BEGIN IMMEDIATE``
for another process's write lock, and ``COMMIT`` for the disk (an fsync). ``BEGIN`` is tried
inline without waiting and goes to a worker thread only when the lock is taken; ``COMMIT``
goes to a thread while other writes wait (the loop goes on preparing them) or when the disk
is slow, and runs inline otherwise. On a lone write the hand-offs to a thread and back cost
more than the fsync itself (docs/PERFORMANCE.md).
The repository's write statements run on the ``sqlite3`` connection directly
(``server.db.prepared``).
"""

from __future__ import annotations

import asyncio
import math
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

from server.db.prepared import PreparedStatements, driver_connection

_BEGUN = "kds_begun"
"""Set in a connection's ``info`` when ``BEGIN`` was already sent on its driver connection."""
SQLITE_BUSY = 5
INLINE_COMMIT_MAX_S = 0.001
"""A commit runs on the event loop only if the last one took less than this (an SSD's fsync
here): on a slow disk or card every commit goes to a thread, so the loop never stalls."""


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
        if not connection.info.pop(_BEGUN, False):
            connection.exec_driver_sql(begin)


def begin_at_once(connection: Connection, busy_timeout_ms: int) -> bool:
    """``BEGIN IMMEDIATE`` on ``connection`` if the write lock is free now, without waiting.

    False (and no transaction) if another process holds the lock: the caller then waits
    for it with ``connection.begin()`` in a thread, under the busy timeout.
    """
    raw = driver_connection(connection)
    raw.execute("PRAGMA busy_timeout=0")
    try:
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF == SQLITE_BUSY:
            return False
        raise
    finally:
        raw.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    connection.info[_BEGUN] = True
    return True


def inline_sqlite_engine(url: str, begin: str, busy_timeout_ms: int, **pool: Any) -> Engine:
    """A synchronous engine on the same SQLite file, for statements run on the event loop."""
    engine = create_engine(
        url.replace("sqlite+aiosqlite:", "sqlite:", 1),
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
        **pool,
    )
    configure_sqlite(engine, begin, busy_timeout_ms)
    return engine


async def _to_the_end(work: Awaitable[Any]) -> Any:
    """Await ``work`` to its end even if the caller is cancelled meanwhile, then raise the
    cancellation: work in a thread goes on whatever its caller does, and until it has
    ended the connection must not be used (nor its transaction rolled back)."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while True:
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.done():
                raise
            cancelled = True
            continue
        if cancelled:
            raise asyncio.CancelledError
        return result


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
            if isinstance(parameters, list):
                return prepared.run_many(self.raw, parameters)
            return prepared.run(self.raw, parameters or {})
        if self.sync is None:
            raise TypeError(f"not a prepared statement: {statement}")
        return self.sync.execute(statement, parameters, **options)

    async def run_sync(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.sync is None:
            raise TypeError("this connection runs prepared statements only")
        return fn(self.sync, *args, **kwargs)


class SqliteWriter:
    """The one writer connection to a SQLite file, for ``GroupCommit``."""

    lone_in_caller = True
    """Work in a thread (a commit, the wait for another process's lock) is awaited to its
    end even if the caller is cancelled."""

    def __init__(self, url: str, busy_timeout_ms: int, prepared: PreparedStatements) -> None:
        self._prepared = prepared
        self._busy_timeout_ms = busy_timeout_ms
        self.engine = inline_sqlite_engine(
            url, "BEGIN IMMEDIATE", busy_timeout_ms, pool_size=1, max_overflow=0
        )
        self._conn: Connection | None = None
        self.last_commit_s = math.inf
        """How long the last commit took (the first one goes to a thread, and measures)."""
        self.inline_commit_max_s = INLINE_COMMIT_MAX_S
        self._thread_using = threading.Lock()
        """Held by a worker thread while it uses the connection (connecting, waiting for
        another process's lock, committing): the event loop must not wait for it."""
        self._watching_tokens = False
        self._token_writes = 0

    def tokens_version(self) -> tuple[int, int] | None:
        """What changes whenever the tokens may have: SQLite's ``PRAGMA data_version`` on
        this connection (it changes when another connection commits to the file: another
        process, the CLI, a script) and the count of this connection's own writes to the
        tokens table (temporary triggers of this connection count them). None before the
        connection is open and the tokens table exists, and while a worker thread or a
        transaction uses it (a read now would wait for the thread, or could see a change
        not yet committed)."""
        if self._conn is None or not self._thread_using.acquire(blocking=False):
            return None
        try:
            raw = driver_connection(self._conn)
            if raw.in_transaction:
                return None
            if not self._watching_tokens:
                try:
                    self._watch_tokens(raw)
                except sqlite3.OperationalError:  # no tokens table yet
                    return None
            version = raw.execute("PRAGMA data_version").fetchone()[0]
            return int(version), self._token_writes
        finally:
            self._thread_using.release()

    def _watch_tokens(self, raw: sqlite3.Connection) -> None:
        raw.create_function("kds_tokens_written", 0, self._tokens_written)
        for change in ("INSERT", "UPDATE", "DELETE"):
            raw.execute(
                f"CREATE TEMP TRIGGER IF NOT EXISTS kds_tokens_{change.lower()} "
                f"AFTER {change} ON main.tokens BEGIN SELECT kds_tokens_written(); END"
            )
        self._watching_tokens = True

    def _tokens_written(self) -> None:
        self._token_writes += 1

    async def _in_a_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        def using() -> Any:
            with self._thread_using:
                return fn(*args)

        return await asyncio.to_thread(using)

    @asynccontextmanager
    async def transaction(self, waiting: Callable[[], bool]) -> AsyncIterator[InlineConnection]:
        if self._conn is None:
            await _to_the_end(self._in_a_thread(self._connect))
        sync = self._conn
        assert sync is not None
        if begin_at_once(sync, self._busy_timeout_ms):
            try:
                transaction = sync.begin()  # SQLAlchemy's side of it: BEGIN was sent
            except BaseException:
                sync.info.pop(_BEGUN, None)
                driver_connection(sync).execute("ROLLBACK")
                raise
        else:
            try:
                transaction = await _to_the_end(self._in_a_thread(sync.begin))
            except asyncio.CancelledError:
                if sync.in_transaction():  # begun once the lock was free: not to be kept
                    sync.rollback()
                raise
        try:
            yield InlineConnection(driver_connection(sync), self._prepared, sync)
            if self.last_commit_s < self.inline_commit_max_s and not waiting():
                self._commit(transaction)
            else:
                await _to_the_end(self._in_a_thread(self._commit, transaction))
        except BaseException:
            if transaction.is_active:
                transaction.rollback()
            raise

    def _connect(self) -> None:
        if self._conn is None:
            self._conn = self.engine.connect()
            self._new_connection()

    def _new_connection(self) -> None:
        # A new connection has neither the triggers nor the last data_version read: count
        # one write, so that whatever was kept against the old one is not kept after it.
        self._watching_tokens = False
        self._token_writes += 1

    def _commit(self, transaction: Any) -> None:
        started = time.perf_counter()
        transaction.commit()
        self.last_commit_s = time.perf_counter() - started

    # Savepoints on the driver's connection: SQLAlchemy's begin_nested() cost more than
    # the write inside it.
    async def savepoint(self, conn: InlineConnection) -> None:
        conn.raw.execute("SAVEPOINT one_write")

    async def end_savepoint(self, conn: InlineConnection, *, keep: bool) -> None:
        if not keep:
            conn.raw.execute("ROLLBACK TO one_write")
        conn.raw.execute("RELEASE one_write")

    async def dispose(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self._new_connection()
        self.engine.dispose()
