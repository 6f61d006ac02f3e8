"""The order service: each operation is one write transaction that records its event with
the next seq, commits, and only then announces the event to the live clients."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

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
from server import domain
from server.db import repo
from server.db.engine import Database
from server.db.repo import OrderQuery, StoredEvent, dumps

log = logging.getLogger(__name__)

Publisher = Callable[[StoredEvent, dict[str, Any]], Awaitable[None]]
IDEMPOTENCY_KEEP = timedelta(hours=48)


def utcnow() -> datetime:
    return datetime.now(UTC)


class RetryInFlight(domain.DomainError):
    code = "retry_in_flight"


class IdempotencyMismatch(domain.DomainError):
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class Answer:
    """A committed operation's answer: HTTP status and JSON body, exactly as first sent."""

    status: int
    body: str
    replayed: bool = False


class _Replay(Exception):
    """Ends a write transaction without changes, answering with ``answer``."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer


class OrderService:
    """Creates, moves, edits and deletes orders; reads them and their events."""

    def __init__(self, db: Database, publish: Publisher, clock: Callable[[], datetime] = utcnow):
        self.db = db
        self._publish = publish
        self._clock = clock
        self._in_flight: set[tuple[str, str]] = set()

    # --- writes --------------------------------------------------------------------------

    async def create(
        self,
        data: OrderCreate,
        *,
        scope: str = "",
        key: str | None = None,
        request_hash: str = "",
    ) -> Answer:
        """Create an order; with an Idempotency-Key, a retry gets the first answer again."""
        claim = (scope, key) if key else None
        if claim:
            if claim in self._in_flight:
                raise RetryInFlight(
                    "a request with this Idempotency-Key is still being handled; "
                    "retry in a moment to get its answer",
                    key=key,
                )
            self._in_flight.add(claim)
        try:
            async with self.db.writing() as conn:
                seq = await repo.next_seq(conn)
                if key:
                    await self._check_replay(conn, scope, key, request_hash)
                now = self._clock()
                order = domain.new_order(data, 0, now)
                order = order.model_copy(update={"id": await repo.insert_order(conn, order)})
                payload = {"order": order.wire(), "seq": seq}
                event = await self._record(conn, seq, ORDER_CREATED, order.id, now, payload)
                answer = Answer(201, event.data)
                if key:
                    await repo.put_idempotent(
                        conn, scope, key, request_hash, answer.status, answer.body, now
                    )
        except _Replay as replay:
            return replay.answer
        finally:
            if claim:
                self._in_flight.discard(claim)
        await self._announce(event, payload)
        return answer

    async def _check_replay(
        self, conn: AsyncConnection, scope: str, key: str, request_hash: str
    ) -> None:
        row = await repo.get_idempotent(conn, scope, key)
        if row is None:
            return
        if row.request_hash != request_hash:
            raise IdempotencyMismatch(
                "this Idempotency-Key was already used with a different request body; "
                "use a new key for a new order",
                key=key,
            )
        raise _Replay(Answer(row.status_code, row.response, replayed=True))

    async def move(self, order_id: int, target: Status, version: int | None) -> Answer:
        """Move an order to another status, as the transition table allows."""
        async with self.db.writing() as conn:
            seq = await repo.next_seq(conn)
            order = await self._get(conn, order_id)
            now = self._clock()
            moved = domain.move(order, target, version, now)
            await repo.update_order(conn, moved)
            payload = {
                "order": moved.wire(),
                "oldStatus": str(order.status),
                "newStatus": str(moved.status),
                "seq": seq,
            }
            event = await self._record(conn, seq, ORDER_STATUS_UPDATED, order_id, now, payload)
        await self._announce(event, payload)
        return Answer(200, event.data)

    async def mark_item(
        self, order_id: int, item_id: int, done: bool, version: int | None = None
    ) -> Answer:
        """Mark one item done (or not). Marking it as it already is changes nothing."""
        try:
            async with self.db.writing() as conn:
                seq = await repo.next_seq(conn)
                order = await self._get(conn, order_id)
                now = self._clock()
                changed = domain.mark_item(order, item_id, done, now, version)
                if changed is None:
                    raise _Replay(Answer(200, dumps({"order": order.wire()})))
                await repo.update_order(conn, changed)
                payload = {"order": changed.wire(), "seq": seq}
                event = await self._record(conn, seq, ORDER_UPDATED, order_id, now, payload)
        except _Replay as unchanged:
            return unchanged.answer
        await self._announce(event, payload)
        return Answer(200, event.data)

    async def edit(self, order_id: int, change: OrderEdit) -> Answer:
        """Edit an order's notes, priority, items, table or customer. An edit that changes
        nothing makes no new version and no event."""
        try:
            async with self.db.writing() as conn:
                seq = await repo.next_seq(conn)
                order = await self._get(conn, order_id)
                now = self._clock()
                edited = domain.edit(order, change, now)
                if edited is None:
                    raise _Replay(Answer(200, dumps({"order": order.wire()})))
                await repo.update_order(conn, edited)
                payload = {"order": edited.wire(), "seq": seq}
                event = await self._record(conn, seq, ORDER_UPDATED, order_id, now, payload)
        except _Replay as unchanged:
            return unchanged.answer
        await self._announce(event, payload)
        return Answer(200, event.data)

    async def delete(self, order_id: int) -> Answer:
        """Delete an order. Its history stays in the event log."""
        async with self.db.writing() as conn:
            seq = await repo.next_seq(conn)
            await self._get(conn, order_id)
            now = self._clock()
            await repo.delete_order(conn, order_id)
            payload = {"orderId": order_id, "seq": seq}
            event = await self._record(conn, seq, ORDER_DELETED, order_id, now, payload)
        await self._announce(event, payload)
        return Answer(200, event.data)

    async def expire_idempotency_keys(self) -> int:
        async with self.db.writing() as conn:
            return await repo.expire_idempotent(conn, self._clock() - IDEMPOTENCY_KEEP)

    # --- reads ---------------------------------------------------------------------------

    async def get(self, order_id: int) -> Order:
        async with self.db.reading() as conn:
            return await self._get(conn, order_id)

    async def list_orders(self, query: OrderQuery) -> tuple[list[Order], int, int]:
        """A page of orders, the total matching, and the seq the snapshot is at."""
        async with self.db.reading() as conn:
            seq = await repo.current_seq(conn)
            found, total = await repo.list_orders(conn, query)
        return found, total, seq

    async def events_after(self, after: int, limit: int) -> tuple[list[StoredEvent], int]:
        async with self.db.reading() as conn:
            last = await repo.current_seq(conn)
            return await repo.events_after(conn, after, limit), last

    async def tracked(self, code: str) -> tuple[Order | None, int]:
        """The order with this tracking code (None if there is none), and the seq its
        state is at least as new as."""
        async with self.db.reading() as conn:
            seq = await repo.current_seq(conn)
            return await repo.get_order_by_tracking_code(conn, code), seq

    async def history(self, order_id: int) -> list[StoredEvent]:
        async with self.db.reading() as conn:
            found = await repo.order_events(conn, order_id)
        if not found:
            raise domain.OrderNotFound(f"order {order_id} does not exist", order_id=order_id)
        return found

    async def orders_for_stats(self, since: datetime, until: datetime) -> list[Order]:
        async with self.db.reading() as conn:
            return await repo.orders_created_between(conn, since, until)

    async def current_seq(self) -> int:
        async with self.db.reading() as conn:
            return await repo.current_seq(conn)

    # --- helpers -------------------------------------------------------------------------

    async def _get(self, conn: AsyncConnection, order_id: int) -> Order:
        order = await repo.get_order(conn, order_id)
        if order is None:
            raise domain.OrderNotFound(f"order {order_id} does not exist", order_id=order_id)
        return order

    async def _record(
        self,
        conn: AsyncConnection,
        seq: int,
        kind: str,
        order_id: int,
        now: datetime,
        payload: dict[str, Any],
    ) -> StoredEvent:
        event = StoredEvent(seq, kind, order_id, now, dumps(payload))
        await repo.insert_event(conn, event)
        return event

    async def _announce(self, event: StoredEvent, payload: dict[str, Any]) -> None:
        # The change is committed; a failed broadcast must not fail the request. Clients
        # catch up from the event log.
        try:
            await self._publish(event, payload)
        except Exception:
            log.exception(
                "could not announce %s seq=%s; clients will catch up", event.type, event.seq
            )
