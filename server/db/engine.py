"""Engines and transactions.

Every write runs in ``Database.writing()``: on SQLite a ``BEGIN IMMEDIATE`` transaction on
the one writer connection (WAL, ``synchronous=FULL``, a busy timeout for other processes);
on PostgreSQL a transaction whose first statement takes the seq counter's row lock. Either
way writes are serialised, so seq order is commit order and a version check cannot race.

On SQLite, writes that arrive while another is committing are committed together (group
commit, see :class:`GroupCommit`): each commit waits for an fsync of a few milliseconds, and
one fsync for many writes is what lets one writer connection take hundreds of orders a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 30_000
GROUP_COMMIT_MAX = 256
"""At most this many writes share one SQLite transaction (and its fsync)."""
PG_CONNECT_TIMEOUT = 5
PG_COMMAND_TIMEOUT = 30


def _sqlite_engine(url: str, *, immediate: bool, pool_size: int) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=60,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We issue BEGIN ourselves, so the driver must not open transactions on its own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


class _RolledBack(Exception):
    """A lone write failed: its transaction is rolled back, and it has its own error."""


class _Slot:
    """One write waiting for, holding, or done with a place in a group transaction."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.granted: asyncio.Future[AsyncConnection] = loop.create_future()
        self.finished: asyncio.Future[BaseException | None] = loop.create_future()
        self.committed: asyncio.Future[None] = loop.create_future()


class GroupCommit:
    """Runs the writes of one SQLite writer connection in shared transactions.

    Writes queue up while a transaction is committing; the next transaction takes them all
    and runs them one after the other, each in its own SAVEPOINT (so a write that fails,
    a stale version say, is rolled back alone), then commits once. A write's caller hears
    that it succeeded only after that commit, so durability is unchanged; writes still run
    one at a time in one transaction, so seq order is commit order and each version check
    sees every write before it. Alone, a write runs in a plain transaction as before.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._waiting: list[_Slot] = []
        self._committer: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
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

    async def _commit_all(self) -> None:
        while self._waiting:
            batch = [s for s in self._waiting[:GROUP_COMMIT_MAX] if not s.granted.cancelled()]
            del self._waiting[:GROUP_COMMIT_MAX]
            if batch:
                await self._commit(batch)

    async def _commit(self, batch: list[_Slot]) -> None:
        kept: list[_Slot] = []
        try:
            async with self.engine.begin() as conn:
                if len(batch) == 1:
                    if batch[0].granted.cancelled():
                        raise _RolledBack
                    batch[0].granted.set_result(conn)
                    if await batch[0].finished is not None:
                        raise _RolledBack
                    kept = batch
                else:
                    for slot in batch:
                        if slot.granted.cancelled():
                            continue
                        savepoint = await conn.begin_nested()
                        slot.granted.set_result(conn)
                        if await slot.finished is None:
                            kept.append(slot)
                            await savepoint.commit()
                        else:
                            await savepoint.rollback()
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


class Database:
    """The engines of one server process, and its read and write transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.writer = _sqlite_engine(url, immediate=True, pool_size=1)
            self.reader = _sqlite_engine(url, immediate=False, pool_size=4)
            self._group: GroupCommit | None = GroupCommit(self.writer)
        else:
            self.writer = create_async_engine(
                url,
                pool_size=10,
                max_overflow=10,
                pool_pre_ping=True,
                pool_timeout=10,
                # A database that stops answering (a cut network, not a refused connection)
                # must turn into a 503 in seconds, not a request that hangs.
                connect_args={"timeout": PG_CONNECT_TIMEOUT, "command_timeout": PG_COMMAND_TIMEOUT},
            )
            self.reader = self.writer
            self._group = None

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        if self._group is not None:
            async with self._group.transaction() as conn:
                yield conn
            return
        async with self.writer.begin() as conn:
            yield conn

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

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()
