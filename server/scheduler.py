"""The scheduler: fires each scheduled order at its fire time (SPEC: Scheduling and pacing).

Each server process runs one. It sleeps until the earliest fire time it knows of (a change
made through this process that schedules an order wakes it to look again), and at least
every ``poll_s`` looks for due orders anyway: those of other processes, or of a process
that died. Due orders are fired through the service's one write path, several at once so
that they share a commit; a fire is a no-op for an order no longer scheduled, and writes
are serialised by the seq counter, so each order is fired exactly once whichever process
gets there first. Nothing is kept in memory that the database does not hold: after a
restart (or a kill -9) the orders whose time passed are fired at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from kds_contract import Status
from server.db import schedule_repo
from server.domain import DomainError
from server.service import Changed, OrderService, Recorded

log = logging.getLogger(__name__)

POLL_S = 2.0
"""The longest the scheduler sleeps without looking: other processes' scheduled orders, if
that process is gone, are fired at most this late."""
BATCH = 200
"""Orders fired at once (they share commits)."""
MAX_ROUNDS = 100
"""Rounds of firing one after the other, without a pause, before the scheduler suspects an
order it cannot fire and waits ``poll_s``."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    """One process's scheduler (see the module)."""

    def __init__(
        self,
        service: OrderService,
        *,
        poll_s: float = POLL_S,
        clock: Callable[[], datetime] = utcnow,
        observe: Callable[[float], None] = lambda delay_s: None,
    ) -> None:
        self.service = service
        self.poll_s = poll_s
        self.clock = clock
        self.observe = observe
        """Told, for each order this process fires, how many seconds after its fire time."""
        self.fired = 0
        """Orders this process fired (the others' tries found them fired already)."""
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def after_commit(self, change: Recorded) -> None:
        """A change committed here: look again if it scheduled an order (or moved one's
        fire time)."""
        if change.after is not None and change.after.status is Status.SCHEDULED:
            self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def run(self) -> None:
        rounds, away = 0, False
        while True:
            self._wake.clear()
            wait = self.poll_s
            try:
                await self.fire_due()
                upcoming = await self.next_fire_at()
                if upcoming is not None:
                    wait = min(wait, (upcoming - self.clock()).total_seconds())
            except (DBAPIError, PoolTimeout, ConnectionError, OSError, TimeoutError) as exc:
                # The database is away: one line per outage (health and readiness say
                # so too); due orders fire as soon as it is back.
                if not away:
                    log.warning(
                        "scheduler: cannot reach the database (%s); due orders fire when it "
                        "is back",
                        str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                    )
                away = True
            except Exception:
                log.exception("the scheduler could not read or fire orders; trying again")
            else:
                if away:
                    log.warning("scheduler: the database is back; due orders were fired")
                away = False
            rounds = rounds + 1 if wait <= 0 else 0
            if wait <= 0 and rounds < MAX_ROUNDS:
                continue  # one came due while the others were fired
            if rounds:
                log.warning("scheduled orders stay due after %d rounds of firing", rounds)
                wait, rounds = self.poll_s, 0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    async def due(self, limit: int) -> list[int]:
        """The scheduled orders whose fire time has come (ids, the earliest first)."""
        async with self.service.db.reading() as conn:
            return await schedule_repo.due_to_fire(conn, self.clock(), limit)

    async def next_fire_at(self) -> datetime | None:
        """When the next scheduled order is to fire; None when none is scheduled."""
        async with self.service.db.reading() as conn:
            return await schedule_repo.next_fire_at(conn)

    async def fire_due(self) -> int:
        """Fire every scheduled order whose time has come; how many this process fired."""
        fired = 0
        while True:
            due = await self.due(BATCH)
            if not due:
                return fired
            results = await asyncio.gather(*(self._fire(order_id) for order_id in due))
            fired += sum(results)
            if len(due) < BATCH:
                return fired

    async def _fire(self, order_id: int) -> bool:
        try:
            result = await self.service.fire(order_id)
        except DomainError:  # deleted meanwhile: nothing to fire
            return False
        if not isinstance(result, Changed):
            return False
        self.fired += 1
        before, after = result.change.before, result.change.after
        if before is not None and before.fire_at and after is not None and after.pending_at:
            self.observe((after.pending_at - before.fire_at).total_seconds())
        return True
