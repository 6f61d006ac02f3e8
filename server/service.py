"""The order service: every change to an order goes through one write path.

A write, in one transaction: take the next seq (its lock orders every write), read the
order, apply the domain rule, store the order and its event (with the actor who made it),
run the in-transaction listeners; then commit, and only then run the after-commit
listeners (the broadcast to live clients first). Operations return domain results
(``Created``, ``Changed``, ``Unchanged``, ``Replayed``); ``server.web`` turns them into
answers.

Extension points, for features that must happen with a change or after it:

- ``in_transaction``: called with the connection and the ``Recorded`` change after its
  event is stored, before the commit. What it writes commits with the change; if it raises,
  the whole write is rolled back and its error is the operation's (an outbox row, say).
- ``after_commit``: called with the ``Recorded`` change once it is committed. Its errors
  are logged, never raised: the change stands, and clients catch up from the event log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncConnection

from kds_contract import (
    ORDER_CREATED,
    ORDER_DELETED,
    ORDER_STATUS_UPDATED,
    ORDER_UPDATED,
    Order,
    OrderCreate,
    OrderEdit,
    Status,
)
from kds_contract.menu import MenuItem
from kds_contract.period import Period
from server import domain, stats
from server.db import repo, reports_repo, schedule_repo
from server.db.engine import Database
from server.db.repo import OrderQuery, StoredEvent, dumps
from server.domain import SERVER, Actor
from server.pacing import PacingRules

log = logging.getLogger(__name__)

IDEMPOTENCY_KEEP = timedelta(hours=48)


def utcnow() -> datetime:
    return datetime.now(UTC)


class RetryInFlight(domain.DomainError):
    code = "retry_in_flight"


class IdempotencyMismatch(domain.DomainError):
    code = "idempotency_key_reused"


class LogPosition(NamedTuple):
    """Where the event log is: its last seq, and its epoch (the identity of its history,
    renewed by a restore; None from a database older than epochs)."""

    seq: int
    epoch: str | None


@dataclass(frozen=True)
class Recorded:
    """One change as its write recorded it: the event (with its seq and payload), the
    order before (None for a new order) and after (None for a deleted one), and who made it."""

    event: StoredEvent
    payload: dict[str, Any]
    before: Order | None
    after: Order | None
    actor: Actor

    @property
    def seq(self) -> int:
        return self.event.seq


@dataclass(frozen=True)
class Created:
    """A new order, committed and announced."""

    order: Order
    change: Recorded


@dataclass(frozen=True)
class Changed:
    """A change to an order (``change.after`` is None for a delete), committed and announced."""

    change: Recorded


@dataclass(frozen=True)
class Unchanged:
    """The operation asked for what the order already is: no new version, no event."""

    order: Order


@dataclass(frozen=True)
class Replayed:
    """A retry of a create with the same Idempotency-Key and body: the first answer again."""

    payload: str
    """The first answer's payload, as stored JSON text."""


InTransaction = Callable[[AsyncConnection, Recorded], Awaitable[None]]
AfterCommit = Callable[[Recorded], Awaitable[None]]
Publisher = Callable[[StoredEvent, dict[str, Any]], Awaitable[None]]
Rule = Callable[[Order | None, datetime], Order | None]
"""A domain rule as the write path applies it: the order read (None for a create) and the
time, to the order after the change, or None when nothing changes."""


@dataclass(frozen=True)
class _IdempotencyKey:
    scope: str
    key: str
    request_hash: str


def event_payload(
    kind: str, before: Order | None, after: Order | None, seq: int, epoch: str | None = None
) -> dict[str, Any]:
    """The event's payload, as stored, sent to live clients and answered: the one place
    each event type's fields are written. Every seq goes with the event log's epoch."""
    position: dict[str, Any] = {"seq": seq, "epoch": epoch}
    if after is None:
        assert before is not None
        return {"orderId": before.id, **position}
    if kind == ORDER_STATUS_UPDATED:
        assert before is not None
        return {
            "order": after.wire(),
            "oldStatus": str(before.status),
            "newStatus": str(after.status),
            **position,
        }
    return {"order": after.wire(), **position}


def _on_existing(rule: Callable[[Order, datetime], Order | None]) -> Rule:
    def apply(order: Order | None, now: datetime) -> Order | None:
        assert order is not None, "the write path reads an existing order before its rule"
        return rule(order, now)

    return apply


class OrderService:
    """Creates, moves, edits and deletes orders; reads them and their events."""

    def __init__(
        self,
        db: Database,
        publish: Publisher,
        clock: Callable[[], datetime] = utcnow,
        rules: PacingRules | None = None,
    ):
        self.db = db
        self._clock = clock
        self.rules = rules or PacingRules()
        self._menu: dict[str, MenuItem] = {}
        self._menu_version = -1
        """The version of ``_menu``: each write compares it with the stored one."""
        self._in_flight: set[tuple[str, str]] = set()
        self.in_transaction: list[InTransaction] = []
        """Run in each write's transaction after its event is stored (see the module)."""
        self.after_commit: list[AfterCommit] = [
            lambda change: publish(change.event, change.payload)
        ]
        """Run after each write's commit, the broadcast first (see the module)."""

    # --- writes --------------------------------------------------------------------------

    async def create(
        self,
        data: OrderCreate,
        actor: Actor,
        *,
        scope: str = "",
        key: str | None = None,
        request_hash: str = "",
    ) -> Created | Replayed:
        """Create an order; with an Idempotency-Key, a retry gets the first answer again."""

        def new(_: Order | None, now: datetime) -> Order:
            return domain.new_order(data, 0, now, menu=self._menu, rules=self.rules)

        if not key:
            result = await self._write(actor, ORDER_CREATED, None, new)
        else:
            claim = (scope, key)
            if claim in self._in_flight:
                raise RetryInFlight(
                    "a request with this Idempotency-Key is still being handled; "
                    "retry in a moment to get its answer",
                    key=key,
                )
            self._in_flight.add(claim)
            try:
                idempotency = _IdempotencyKey(scope, key, request_hash)
                result = await self._write(actor, ORDER_CREATED, None, new, idempotency)
            finally:
                self._in_flight.discard(claim)
        assert isinstance(result, Created | Replayed)
        return result

    async def move(
        self, order_id: int, target: Status, version: int | None, actor: Actor
    ) -> Changed:
        """Move an order to another status, as the transition table allows."""

        def rule(order: Order, now: datetime) -> Order:
            return domain.move(order, target, version, now)

        result = await self._write(actor, ORDER_STATUS_UPDATED, order_id, _on_existing(rule))
        assert isinstance(result, Changed)
        return result

    async def fire(self, order_id: int, actor: Actor = SERVER) -> Changed | Unchanged:
        """Fire a scheduled order (move it to pending) when its time has come. Exactly once:
        writes are serialised, so of several tries (processes) the first fires it and the
        others find it pending and change nothing."""

        def rule(order: Order, now: datetime) -> Order | None:
            return domain.fire(order, now)

        result = await self._write(actor, ORDER_STATUS_UPDATED, order_id, _on_existing(rule))
        assert isinstance(result, Changed | Unchanged)
        return result

    async def mark_item(
        self, order_id: int, item_id: int, done: bool, actor: Actor, version: int | None = None
    ) -> Changed | Unchanged:
        """Mark one item done (or not). Marking it as it already is changes nothing."""

        def rule(order: Order, now: datetime) -> Order | None:
            return domain.mark_item(order, item_id, done, now, version)

        result = await self._write(actor, ORDER_UPDATED, order_id, _on_existing(rule))
        assert isinstance(result, Changed | Unchanged)
        return result

    async def edit(self, order_id: int, change: OrderEdit, actor: Actor) -> Changed | Unchanged:
        """Edit an order's notes, priority, items, table or customer. An edit that changes
        nothing makes no new version and no event."""

        def rule(order: Order, now: datetime) -> Order | None:
            return domain.edit(order, change, now, menu=self._menu, rules=self.rules)

        result = await self._write(actor, ORDER_UPDATED, order_id, _on_existing(rule))
        assert isinstance(result, Changed | Unchanged)
        return result

    async def delete(self, order_id: int, actor: Actor) -> Changed:
        """Delete an order. Its history stays in the event log."""

        def rule(order: Order, _now: datetime) -> Order:
            return order

        result = await self._write(actor, ORDER_DELETED, order_id, _on_existing(rule))
        assert isinstance(result, Changed)
        return result

    async def expire_idempotency_keys(self) -> int:
        async with self.db.writing() as conn:
            return await repo.expire_idempotent(conn, self._clock() - IDEMPOTENCY_KEEP)

    # --- the write path ------------------------------------------------------------------

    async def _write(
        self,
        actor: Actor,
        kind: str,
        order_id: int | None,
        rule: Rule,
        idempotency: _IdempotencyKey | None = None,
    ) -> Created | Changed | Unchanged | Replayed:
        """Record one change of type ``kind`` to order ``order_id`` (None: a new order)
        as ``rule`` decides it; see the module's text. A write that changes nothing (an
        unchanged order, a replay) is rolled back, so it takes no seq."""
        async with self.db.write() as tx:
            conn = tx.conn
            seq, epoch, menu_version = await repo.next_write(conn)
            if menu_version != self._menu_version:
                menu, self._menu_version = await schedule_repo.load_menu(conn)
                self._menu = menu.by_key()
            if idempotency is not None:
                first = await self._first_answer(conn, idempotency)
                if first is not None:
                    tx.discard()
                    return first
            before = None if order_id is None else await self._get(conn, order_id)
            now = self._clock()
            after = rule(before, now)
            if after is None:
                assert before is not None
                tx.discard()
                return Unchanged(before)
            if kind == ORDER_CREATED:
                after = after.model_copy(update={"id": await repo.insert_order(conn, after)})
            elif kind == ORDER_DELETED:
                await repo.delete_order(conn, after.id)
                after = None
            else:
                await repo.update_order(conn, after, before)
            payload = event_payload(kind, before, after, seq, epoch)
            subject = after.id if after is not None else order_id
            assert subject is not None
            event = StoredEvent(seq, kind, subject, now, dumps(payload), dumps(actor.wire()))
            await repo.insert_event(conn, event)
            if idempotency is not None:
                await repo.put_idempotent(
                    conn, idempotency.scope, idempotency.key, idempotency.request_hash,
                    event.data, now,
                )  # fmt: skip
            change = Recorded(event, payload, before, after, actor)
            for listener in self.in_transaction:
                await listener(conn, change)
        await self._announce(change)
        if kind == ORDER_CREATED:
            assert after is not None
            return Created(after, change)
        return Changed(change)

    async def _first_answer(
        self, conn: AsyncConnection, idempotency: _IdempotencyKey
    ) -> Replayed | None:
        row = await repo.get_idempotent(conn, idempotency.scope, idempotency.key)
        if row is None:
            return None
        if row.request_hash != idempotency.request_hash:
            raise IdempotencyMismatch(
                "this Idempotency-Key was already used with a different request body; "
                "use a new key for a new order",
                key=idempotency.key,
            )
        return Replayed(row.response)

    async def _announce(self, change: Recorded) -> None:
        for listener in self.after_commit:
            # The change is committed: a listener that fails must not fail the request.
            try:
                await listener(change)
            except Exception:
                log.exception(
                    "after-commit %r failed for %s seq=%s; clients will catch up",
                    listener,
                    change.event.type,
                    change.seq,
                )

    # --- reads ---------------------------------------------------------------------------

    async def get(self, order_id: int) -> Order:
        async with self.db.reading() as conn:
            return await self._get(conn, order_id)

    async def get_own(self, order_id: int, token_id: int) -> Order:
        """An order that token ``token_id`` created (a till reading back its own orders);
        any other is not found, as far as that token can tell."""
        async with self.db.reading() as conn:
            order = await self._get(conn, order_id)
            if await repo.creator_token(conn, order_id) != token_id:
                raise domain.OrderNotFound(
                    f"order {order_id} does not exist or was not made with this token "
                    "(a pos token reads only the orders it created)",
                    order_id=order_id,
                )
            return order

    async def list_orders(
        self, query: OrderQuery
    ) -> tuple[list[Order], int, LogPosition, int | None]:
        """A page of orders, the total matching, the seq (and epoch) the snapshot is at, and
        the highest order id in it (or the query's ``max_id``): the list as of this page."""
        async with self.db.reading() as conn:
            position = LogPosition(*await repo.log_position(conn))
            found, total = await repo.list_orders(conn, query)
            newest = query.max_id if query.max_id is not None else await repo.newest_id(conn)
        return found, total, position, newest

    async def events_after(self, after: int, limit: int) -> tuple[list[StoredEvent], LogPosition]:
        """The events after seq ``after`` and the log's last seq (and epoch)."""
        async with self.db.reading() as conn:
            position = LogPosition(*await repo.log_position(conn))
            return await repo.events_after(conn, after, limit), position

    async def tracked(self, code: str) -> tuple[Order | None, LogPosition]:
        """The order with this tracking code (None if there is none), and the seq (and
        epoch) its state is at least as new as."""
        async with self.db.reading() as conn:
            position = LogPosition(*await repo.log_position(conn))
            return await repo.get_order_by_tracking_code(conn, code), position

    async def history(self, order_id: int) -> list[StoredEvent]:
        async with self.db.reading() as conn:
            found = await repo.order_events(conn, order_id)
        if not found:
            raise domain.OrderNotFound(f"order {order_id} does not exist", order_id=order_id)
        return found

    async def figures(self, period: Period) -> stats.Figures:
        """What ``GET /api/stats`` counts, read in one snapshot."""
        async with self.db.reading() as conn:
            return stats.Figures(
                counts=await reports_repo.status_counts(conn, period),
                to_ready=await reports_repo.time_to(conn, period, "ready"),
                to_complete=await reports_repo.time_to(conn, period, "completed"),
                hours=await reports_repo.hours(conn, period),
                first=await reports_repo.first_created(conn, period),
                slowest_open=await reports_repo.oldest_open(conn, stats.SLOWEST_OPEN),
            )

    async def reports(
        self, period: Period, previous: Period, target_s: float
    ) -> tuple[stats.PeriodReport, stats.PeriodReport]:
        """:meth:`report` for ``period`` and for ``previous`` (each period was always read in
        a snapshot of its own). On PostgreSQL the two run at the same time on two
        connections, each in a process of the database's; SQLite's two reads in two threads
        took as long as one after the other, so there they run in turn. A failure is raised
        as it came (a database that is down answers 503), the other read stopped."""
        if self.db.is_sqlite:
            return await self.report(period, target_s), await self.report(previous, target_s)
        tasks = (
            asyncio.ensure_future(self.report(period, target_s)),
            asyncio.ensure_future(self.report(previous, target_s)),
        )
        try:
            now, before = await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        return now, before

    async def report(self, period: Period, target_s: float) -> stats.PeriodReport:
        """What ``GET /api/reports`` counts for one period, read in one snapshot."""
        async with self.db.reading() as conn:
            times = await reports_repo.ticket_times(conn, period, target_s)
            sales = await reports_repo.sales(conn, period)
            return stats.PeriodReport(
                sales=sales.all,
                by_type=sales.by_type,
                hours=sales.hours,
                ticket_times=times.all,
                by_station=times.by_station,
                by_item=times.by_item,
                product_mix=times.product_mix,
                cancellations=await reports_repo.cancellations(conn, period),
            )

    async def current_seq(self) -> int:
        async with self.db.reading() as conn:
            return await repo.current_seq(conn)

    async def position(self) -> LogPosition:
        """The event log's last seq and its epoch."""
        async with self.db.reading() as conn:
            return LogPosition(*await repo.log_position(conn))

    async def _get(self, conn: AsyncConnection, order_id: int) -> Order:
        order = await repo.get_order(conn, order_id)
        if order is None:
            raise domain.OrderNotFound(f"order {order_id} does not exist", order_id=order_id)
        return order
