"""Every committed change reaches this process's sockets, once: the changes made here at
once, the other processes' from Redis, and any that Redis did not bring from the event log.

With several processes, a change made on another one reaches this one's sockets through
Redis. When Redis is away, or drops a message, a stock Socket.IO client here would never
hear of that change (kds_client's feed catches up by itself; a browser page does not). So
each process keeps track of the seqs it has delivered and, every ``FILL_EVERY_S``, looks
at the event log's last seq: any change committed before its previous look and still not
delivered is read from the log and delivered, in seq order. While Redis works that finds
nothing (it is faster than a second); while it is away, changes arrive within about two
seconds; when it is back, nothing is missed. A change is never delivered twice here, by
whichever way it comes first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from server.db import repo
from server.db.engine import Database
from server.db.repo import StoredEvent

log = logging.getLogger(__name__)

FILL_EVERY_S = 1.0
PAGE = 1000

Deliver = Callable[[StoredEvent], Awaitable[None]]


class LocalDelivery:
    """The seqs this process has delivered to its sockets, and the filling of gaps."""

    def __init__(self, db: Database, deliver: Deliver) -> None:
        self.db = db
        self._deliver = deliver
        self.watermark: int | None = None
        """Every change up to this seq has been delivered here (None: not started)."""
        self._above: set[int] = set()
        self.filled = 0
        """Changes delivered from the event log (Redis did not bring them in time)."""

    def first_time(self, seq: int) -> bool:
        """Mark ``seq`` delivered; False if it was already."""
        if self.watermark is None:
            return True
        if seq <= self.watermark or seq in self._above:
            return False
        self._above.add(seq)
        self._absorb()
        return True

    def _absorb(self) -> None:
        assert self.watermark is not None
        while self.watermark + 1 in self._above:
            self.watermark += 1
            self._above.discard(self.watermark)

    async def offer(self, event: StoredEvent) -> None:
        """Deliver a change another process made, unless it was delivered already."""
        if self.first_time(event.seq):
            await self._deliver(event)

    async def run(self) -> None:
        """Fill gaps from the event log, for as long as the server runs."""
        while self.watermark is None:
            try:
                self.watermark = await self._last_seq()
            except Exception as exc:
                log.warning("cannot read the event log's seq (%s); trying again", exc)
                await asyncio.sleep(FILL_EVERY_S)
        seen = self.watermark
        while True:
            await asyncio.sleep(FILL_EVERY_S)
            try:
                latest = await self._last_seq()
                if self.watermark < seen:
                    await self.fill(seen)
                seen = latest
            except Exception as exc:
                log.warning("cannot read missed changes from the event log (%s)", exc)

    async def fill(self, upto: int) -> None:
        """Deliver every change up to ``upto`` not yet delivered, in seq order."""
        assert self.watermark is not None
        delivered = 0
        after = self.watermark
        while after < upto:
            async with self.db.reading() as conn:
                page = await repo.events_after(conn, after, PAGE)
            for event in page:
                if event.seq > upto:
                    break
                if self.first_time(event.seq):
                    await self._deliver(event)
                    delivered += 1
            if len(page) < PAGE:
                break
            after = page[-1].seq
        # A seq the log does not have (none should be missing) is not waited for.
        self.watermark = max(self.watermark, upto)
        self._above = {s for s in self._above if s > self.watermark}
        self._absorb()
        if delivered:
            self.filled += delivered
            log.warning(
                "delivered %d change(s) to this process's clients from the event log: Redis "
                "did not bring them",
                delivered,
            )

    async def _last_seq(self) -> int:
        async with self.db.reading() as conn:
            return await repo.current_seq(conn)
