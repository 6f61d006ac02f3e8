"""The worker: turns changes' outbox rows into deliveries, claims due deliveries, makes
the attempts, records the results.

It runs in the outbox process (``server.outbox.process``), one per server process. Each
claim first expands changes' outbox rows into deliveries (rows another process is
expanding are skipped), in the same transaction. A delivery is claimed by one worker at a
time: the claim marks the row with the worker's hold (a token) and moves its due time to
the end of the hold, in one short transaction that skips rows another process is claiming
(``FOR UPDATE SKIP LOCKED``). A worker that dies mid-attempt leaves the row to come due
again when its hold lapses, and another process (or this one, restarted) takes it. A
result is written only under the hold it was made with, so a worker whose hold lapsed
cannot overwrite another's.

Orders are never kept waiting by any of this: recording is one row in the change's own
transaction, and the worker's transactions are short, in a process of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count

from sqlalchemy import and_, update

from server.db import outbox_repo
from server.db.engine import Database
from server.db.outbox_repo import EMAIL, FAILED, PENDING, SENT, Claimed, Finished
from server.outbox.attempt import ATTEMPT_TIMEOUT_S, Outcome, failed
from server.outbox.schedule import WEBHOOK_JITTER, retry_delay
from server.outbox.sending import Attempts

log = logging.getLogger(__name__)

HOLD_S = 2 * ATTEMPT_TIMEOUT_S
"""How long a claim holds a delivery: longer than any attempt can take."""
PRUNE_EVERY_S = 3600.0


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class WorkerSettings:
    email_retry: Sequence[float]
    webhook_retry: Sequence[float]
    retention: timedelta = timedelta(days=7)
    disable_after: timedelta = timedelta(days=5)
    concurrency: int = 32
    per_endpoint: int = 8
    """At most this many attempts at once to one endpoint: a slow one cannot take every slot."""
    emails_at_once: int = 2
    """Emails go one at a time over the one SMTP connection: claiming more than a couple
    would only hold slots the webhooks could use."""
    poll_s: float = 1.0
    """How often a worker looks for due deliveries when nothing woke it (other processes'
    changes, retries coming due)."""
    batch: int = 64
    expand: int = 32
    """At most this many changes are turned into deliveries per claim (a short transaction:
    on SQLite the server's writes wait for it)."""
    gather_s: float = 0.02
    """While other attempts are under way, results wait this long for theirs, to be written
    in one transaction (one fsync). A process that dies meanwhile has those deliveries made
    again when their holds lapse, as for one that dies during an attempt."""
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    count: Callable[[str, str], None] = lambda kind, result: None
    """Told of every attempt's result (the metrics: kds_deliveries)."""


class Worker:
    """One process's sender of the outbox (see the module's text)."""

    def __init__(
        self,
        db: Database,
        settings: WorkerSettings,
        attempts: Attempts,
        *,
        emails: bool,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.settings = settings
        self.attempts = attempts
        self.emails = emails
        """Whether emails can be sent (an SMTP server is set)."""
        self.clock = clock
        self.counts = settings.counts
        """Attempts by (kind, result): sent, retry, failed."""
        self._id = secrets.token_hex(6)
        self._claims = count(1)
        self._wake = asyncio.Event()
        self._flush = asyncio.Event()
        self._recorded = 0
        """Transactions that recorded deliveries, so far."""
        self._looked = 0
        """How many of those the last claim's statements came after (and so could see)."""
        self._in_flight: dict[asyncio.Task[None], Claimed] = {}
        self._results: list[Finished] = []
        self._tasks: list[asyncio.Task[None]] = []

    # --- the write path's signals --------------------------------------------------------

    def recorded(self) -> None:
        """A change that recorded deliveries committed: look for them (unless a claim's
        statements already ran after it)."""
        self._recorded += 1
        self.poke()

    def poke(self) -> None:
        """If changes recorded deliveries that no claim has looked for yet, look for them
        now. (Writes run one at a time: a claim whose statements ran after a
        change's recording saw its deliveries; under a burst most of them had, and looking
        again found nothing, a write transaction each time.)"""
        if self._recorded > self._looked:
            self._wake.set()

    # --- running -------------------------------------------------------------------------

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._claim_loop(), name="outbox-claim"),
            asyncio.create_task(self._flush_loop(), name="outbox-flush"),
            asyncio.create_task(self._prune_loop(), name="outbox-prune"),
        ]

    async def stop(self) -> None:
        """Stop claiming, cancel the attempts under way (their deliveries are due again at
        once), and write what finished."""
        for task in self._tasks[::2]:  # the claim and prune loops; the flusher goes last
            task.cancel()
        held = list(self._in_flight.values())
        for task in list(self._in_flight):
            task.cancel()
        for task in [*self._tasks[::2], *self._in_flight]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks[1].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._tasks[1]
        try:
            await self._write_results()
            await self._release(held)
        except Exception:
            log.exception("could not record the outbox's last results; they will be retried")
        await self.attempts.close()

    async def _claim_loop(self) -> None:
        busy_wait = self.settings.poll_s
        while True:
            self._wake.clear()
            free = self.settings.concurrency - len(self._in_flight)
            claimed: list[Claimed] = []
            if free > 0:
                try:
                    claimed = await self._claim(min(free, self.settings.batch))
                    busy_wait = self.settings.poll_s
                except Exception as exc:
                    log.warning("outbox: could not claim deliveries (%s); will try again", exc)
                    busy_wait = min(busy_wait * 2, 30.0)
                for delivery in claimed:
                    task = asyncio.create_task(self._attempt(delivery), name="outbox-attempt")
                    self._in_flight[task] = delivery
                    task.add_done_callback(self._attempt_done)
            if claimed and len(claimed) == free:
                # Full: the next look is when an attempt ends (its callback wakes us).
                await self._wake.wait()
                continue
            # Fewer than there was room for: nothing else can be claimed until an attempt
            # makes room or a change records more (either wakes us), or a retry comes due.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(busy_wait):
                    await self._wake.wait()

    def _attempt_done(self, task: asyncio.Task[None]) -> None:
        done = self._in_flight.pop(task, None)
        if done is None or self._makes_room(done):
            self._wake.set()

    def _makes_room(self, done: Claimed) -> bool:
        """Whether the end of this attempt lets a claim take what the last one could not:
        the worker was full, or this was an email and fewer are under way than may be, or
        its endpoint was at its limit. (Waking for every attempt made one claim in two find
        nothing, each a write transaction.)"""
        under_way = self._in_flight.values()
        if len(self._in_flight) == self.settings.concurrency - 1:
            return True
        if done.kind == EMAIL:
            return sum(1 for d in under_way if d.kind == EMAIL) < self.settings.emails_at_once
        same = sum(1 for d in under_way if d.webhook_id == done.webhook_id)
        return same == self.settings.per_endpoint - 1

    async def _claim(self, limit: int) -> list[Claimed]:
        now = self.clock()
        busy = Counter(d.webhook_id for d in self._in_flight.values() if d.webhook_id)
        emails = sum(1 for d in self._in_flight.values() if d.kind == EMAIL)
        async with self.db.writing() as conn:
            self._looked = self._recorded
            expanded = await outbox_repo.expand(conn, self.settings.expand)
            if expanded == self.settings.expand:
                self._wake.set()  # more changes to expand: look again at once
            return await outbox_repo.claim(
                conn,
                now=now,
                hold_until=now + timedelta(seconds=HOLD_S),
                token=f"{self._id}-{next(self._claims)}",
                limit=limit,
                emails=self.emails and emails < self.settings.emails_at_once,
                busy=[w for w, n in busy.items() if n >= self.settings.per_endpoint],
            )

    # --- one attempt ---------------------------------------------------------------------

    async def _attempt(self, delivery: Claimed) -> None:
        now = self.clock()
        try:
            outcome = await self.attempts.make(delivery, now)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug in one attempt must not stop the worker
            log.exception("outbox: delivery %s failed unexpectedly", delivery.id)
            outcome = failed(f"internal error: {type(exc).__name__}: {exc}")
        self._results.append(self._finished(delivery, outcome))
        self._flush.set()

    def _finished(self, d: Claimed, outcome: Outcome) -> Finished:
        now = self.clock()
        attempts = d.attempts + 1
        token = d.claim
        if outcome.ok:
            self._count(d.kind, SENT)
            return Finished(d.id, token, SENT, attempts, None, None, now, d.webhook_id)
        schedule = self.settings.email_retry if d.kind == EMAIL else self.settings.webhook_retry
        delay = None
        if not outcome.permanent and attempts <= len(schedule):
            delay = outcome.retry_after
            if delay is None:
                jitter = 0.0 if d.kind == EMAIL else WEBHOOK_JITTER
                delay = retry_delay(schedule, attempts, jitter=jitter)
        if delay is None:
            self._count(d.kind, FAILED)
            error = outcome.error or "failed"
            if not outcome.permanent:
                error = f"gave up after {attempts} attempts; last: {error}"
            return Finished(
                d.id, token, FAILED, attempts, error, None, now, d.webhook_id, gone=outcome.gone
            )
        self._count(d.kind, "retry")
        return Finished(
            d.id,
            token,
            PENDING,
            attempts,
            outcome.error,
            now + timedelta(seconds=delay),
            now,
            d.webhook_id,
        )

    def _count(self, kind: str, result: str) -> None:
        self.counts[(kind, result)] += 1
        self.settings.count(kind, result)

    # --- writing results -----------------------------------------------------------------

    async def _flush_loop(self) -> None:
        while True:
            await self._flush.wait()
            if self._in_flight:
                await asyncio.sleep(self.settings.gather_s)
            self._flush.clear()
            try:
                await self._write_results()
            except Exception as exc:
                log.warning("outbox: could not record results (%s); will try again", exc)
                await asyncio.sleep(1.0)
                self._flush.set()

    async def _write_results(self) -> None:
        if not self._results:
            return
        results, self._results = self._results, []
        try:
            async with self.db.writing() as conn:
                await outbox_repo.finish(conn, results, disable_after=self.settings.disable_after)
        except BaseException:
            self._results[:0] = results
            raise

    async def _release(self, held: list[Claimed]) -> None:
        """Make deliveries whose attempts were cancelled due again at once."""
        if not held:
            return
        d = outbox_repo.deliveries
        now = self.clock()
        async with self.db.writing() as conn:
            for delivery in held:
                await conn.execute(
                    update(d)
                    .where(
                        and_(
                            d.c.id == delivery.id,
                            d.c.claim == delivery.claim,
                            d.c.state == PENDING,
                        )
                    )
                    .values(next_attempt_at=now, claim=None)
                )

    # --- pruning -------------------------------------------------------------------------

    async def prune(self) -> int:
        async with self.db.writing() as conn:
            return await outbox_repo.prune(conn, self.clock() - self.settings.retention)

    async def _prune_loop(self) -> None:
        while True:
            try:
                removed = await self.prune()
                if removed:
                    log.info("outbox: forgot %d deliveries older than the retention", removed)
            except Exception as exc:
                log.warning("outbox: pruning failed (%s); will try again", exc)
            await asyncio.sleep(PRUNE_EVERY_S)
