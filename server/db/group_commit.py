"""Group commit: writes that arrive while a transaction commits share the next one.

Each commit waits for the disk (an fsync), and every write takes the seq counter first, so
one transaction at a time would cap a server's writes a second at one per fsync (figures in
docs/PERFORMANCE.md). Writes that arrive while a transaction is committing run, one after
the other, in the next transaction, each in its own SAVEPOINT (so a write that fails, a
stale version say, is rolled back alone), and commit together. A write's caller hears that
it succeeded only after that commit, so durability is unchanged; writes still run one at a
time in one transaction, so seq order is commit order and each version check sees every
write before it. A lone write runs in a plain transaction; on SQLite, where a write's
statements never suspend, a write that comes when the writer has been quiet for a moment
(``LONE_AFTER_S``) runs in its caller's task, begun, run and (on a fast disk) committed in
one step of the event loop, without the hand-offs to and from the committing task.

The writer (``server.db.inline.SqliteWriter`` or ``PostgresWriter`` below) opens the
transactions and the savepoints.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

GROUP_COMMIT_MAX = 256
"""At most this many writes share one transaction (and its fsync)."""
LONE_AFTER_S = 0.005
"""A write runs alone in its caller's task only this long after the last transaction
ended: the writes of a burst go through the committer, where they share commits (alone,
each would have its own fsync: 24% fewer orders/s with 32 concurrent POSTs)."""


class Writer(Protocol):
    lone_in_caller: bool
    """Whether a lone write may run its transaction in its caller's task (the caller's
    cancellation must then never leave a commit half done: ``SqliteWriter``)."""

    def transaction(self, waiting: Callable[[], bool]) -> AbstractAsyncContextManager[Any]:
        """A transaction, committed when the block ends, rolled back if it raises;
        ``waiting()`` says whether other writes wait for the next one."""

    async def savepoint(self, conn: Any) -> None: ...

    async def end_savepoint(self, conn: Any, *, keep: bool) -> None: ...

    async def dispose(self) -> None: ...


class PostgresWriter:
    """Transactions from the engine's pool (pre-pinged, so a restarted server is fine)."""

    lone_in_caller = False

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @asynccontextmanager
    async def transaction(self, waiting: Callable[[], bool]) -> AsyncIterator[AsyncConnection]:
        async with self.engine.begin() as conn:
            yield conn

    async def savepoint(self, conn: AsyncConnection) -> None:
        await conn.execute(text("SAVEPOINT one_write"))

    async def end_savepoint(self, conn: AsyncConnection, *, keep: bool) -> None:
        if not keep:
            await conn.execute(text("ROLLBACK TO SAVEPOINT one_write"))
        await conn.execute(text("RELEASE SAVEPOINT one_write"))

    async def dispose(self) -> None:
        """The engine belongs to the database, which disposes of it."""


class _RolledBack(Exception):
    """A lone write failed or was discarded: its transaction is rolled back."""


_DISCARDED = _RolledBack("the write ended without changes")
"""What a discarded write's block ended with: its changes are rolled back, nothing is raised."""


class Transaction:
    """One write's share of a group transaction: its connection, and ``discard()``."""

    __slots__ = ("conn", "discarded")

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.discarded = False

    def discard(self) -> None:
        """Roll this write back when its block ends, without an error: nothing it did is
        kept, and the other writes of the group are committed as usual."""
        self.discarded = True


class _Slot:
    """One write waiting for, holding, or done with a place in a group transaction."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.granted: asyncio.Future[Any] = loop.create_future()
        self.finished: asyncio.Future[BaseException | None] = loop.create_future()
        self.committed: asyncio.Future[None] = loop.create_future()


class GroupCommit:
    """One writer's shared transactions (see the module's text)."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self._waiting: list[_Slot] = []
        self._committer: asyncio.Task[None] | None = None
        self._lone = False
        """A lone write is in its transaction (``_alone``)."""
        self._ended = -math.inf
        """When the last transaction ended (``time.monotonic()``)."""

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        if (
            self.writer.lone_in_caller
            and not self._waiting
            and not self._busy()
            and time.monotonic() - self._ended >= LONE_AFTER_S
        ):
            async with self._alone() as tx:
                yield tx
            return
        slot = _Slot(asyncio.get_running_loop())
        self._waiting.append(slot)
        if not self._busy():
            self._committer = asyncio.create_task(self._commit_all(), name="group-commit")
        try:
            conn = await slot.granted
        except asyncio.CancelledError:
            # Cancelled while waiting: the committer skips a cancelled slot, or, if it had
            # just granted this one, gets it back unused.
            if slot.granted.done() and not slot.granted.cancelled():
                slot.finished.set_result(asyncio.CancelledError())
            raise
        tx = Transaction(conn)
        try:
            yield tx
        except BaseException as exc:
            slot.finished.set_result(exc)
            raise
        if tx.discarded:
            slot.finished.set_result(_DISCARDED)
            return
        slot.finished.set_result(None)
        # Shielded: once its changes are in the transaction, the write is answered only
        # by the commit, and a cancelled caller must not leave the others waiting.
        await asyncio.shield(slot.committed)

    async def dispose(self) -> None:
        await self.writer.dispose()

    def _busy(self) -> bool:
        """Whether a transaction is running or about to (a lone write, or the committer)."""
        return self._lone or (self._committer is not None and not self._committer.done())

    @asynccontextmanager
    async def _alone(self) -> AsyncIterator[Transaction]:
        """A lone write's transaction, in its caller's task. Writes that come meanwhile
        (while its commit waits for the disk in a thread) wait for the next transaction,
        which the committer starts once this one has ended."""
        self._lone = True
        try:
            async with self.writer.transaction(self._others_waiting) as conn:
                tx = Transaction(conn)
                yield tx
                if tx.discarded:
                    raise _RolledBack
        except _RolledBack:
            return
        finally:
            self._lone = False
            self._ended = time.monotonic()
            if self._waiting and not self._busy():
                self._committer = asyncio.create_task(self._commit_all(), name="group-commit")

    def _others_waiting(self) -> bool:
        return bool(self._waiting)

    async def _commit_all(self) -> None:
        while self._waiting:
            batch = [s for s in self._waiting[:GROUP_COMMIT_MAX] if not s.granted.cancelled()]
            del self._waiting[:GROUP_COMMIT_MAX]
            if batch:
                await self._commit(batch)

    async def _commit(self, batch: list[_Slot]) -> None:
        try:
            await self._commit_batch(batch)
        finally:
            self._ended = time.monotonic()

    async def _commit_batch(self, batch: list[_Slot]) -> None:
        kept: list[_Slot] = []
        try:
            async with self.writer.transaction(self._others_waiting) as conn:
                await self._run(batch, conn, kept)
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

    async def _run(self, batch: list[_Slot], conn: Any, kept: list[_Slot]) -> None:
        if len(batch) == 1:
            if batch[0].granted.cancelled():
                raise _RolledBack
            batch[0].granted.set_result(conn)
            if await batch[0].finished is not None:
                raise _RolledBack
            kept.append(batch[0])
            return
        for slot in batch:
            if slot.granted.cancelled():
                continue
            await self.writer.savepoint(conn)
            slot.granted.set_result(conn)
            keep = await slot.finished is None
            if keep:
                kept.append(slot)
            await self.writer.end_savepoint(conn, keep=keep)
