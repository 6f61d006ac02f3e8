"""The order service on its own: a real database (SQLite in a temp folder, then PostgreSQL),
no server process, no HTTP. Its results, its one write path, and the write path's hooks."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import ANY

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from kds_contract import (
    ORDER_CREATED,
    ORDER_DELETED,
    ORDER_STATUS_UPDATED,
    ORDER_UPDATED,
    OrderCreate,
    OrderEdit,
    Status,
)
from server import domain
from server.db.engine import Database
from server.db.repo import StoredEvent
from server.domain import SERVER, Actor
from server.service import (
    Changed,
    Created,
    IdempotencyMismatch,
    OrderService,
    Recorded,
    Replayed,
    RetryInFlight,
    Unchanged,
)

TILL = Actor.token(7, "till-1", "pos")
CHEF = Actor.token(8, "pass", "kitchen")
START = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


class Clock:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class Published:
    """What the service announced, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[StoredEvent, dict[str, Any]]] = []

    async def __call__(self, event: StoredEvent, payload: dict[str, Any]) -> None:
        self.events.append((event, payload))

    @property
    def seqs(self) -> list[int]:
        return [event.seq for event, _ in self.events]


@pytest.fixture
def published() -> Published:
    return Published()


@pytest.fixture
def service(db: Database, published: Published) -> OrderService:
    return OrderService(db, published, clock=Clock())


def _burger(**fields: Any) -> OrderCreate:
    return OrderCreate.model_validate(
        {"table": "4", "items": [{"name": "Burger"}, {"name": "Fries"}], **fields}
    )


async def _log(service: OrderService) -> list[StoredEvent]:
    found, _ = await service.events_after(0, 1000)
    return found


async def test_create_returns_the_order_and_records_who_made_it(
    service: OrderService, published: Published
) -> None:
    result = await service.create(_burger(notes="no nuts"), TILL)
    assert isinstance(result, Created)
    assert result.order.id >= 1 and result.order.status is Status.PENDING
    assert result.order.notes == "no nuts"
    change = result.change
    assert change.seq == 1 and change.before is None and change.after == result.order
    assert change.actor == TILL
    assert change.payload == {"order": result.order.wire(), "seq": 1, "epoch": ANY}
    assert json.loads(change.event.data) == change.payload
    assert published.events == [(change.event, change.payload)]
    (stored,) = await service.history(result.order.id)
    assert stored.type == ORDER_CREATED and stored.data == change.event.data
    assert stored.actor is not None and json.loads(stored.actor) == {
        "kind": "token",
        "token_id": 7,
        "name": "till-1",
        "role": "pos",
    }
    assert await service.get(result.order.id) == result.order


async def test_each_change_returns_before_and_after_with_its_payload(
    service: OrderService, published: Published
) -> None:
    order = (await service.create(_burger(), TILL)).order  # type: ignore[union-attr]
    moved = await service.move(order.id, Status.PREPARING, order.version, CHEF)
    assert moved.change.before == order
    assert moved.change.after is not None and moved.change.after.status is Status.PREPARING
    assert moved.change.payload == {
        "order": moved.change.after.wire(),
        "oldStatus": "pending",
        "newStatus": "preparing",
        "seq": 2,
        "epoch": ANY,
    }
    assert moved.change.event.type == ORDER_STATUS_UPDATED

    marked = await service.mark_item(order.id, 1, True, CHEF)
    assert isinstance(marked, Changed) and marked.change.event.type == ORDER_UPDATED
    assert marked.change.after is not None and marked.change.after.items[0].done
    assert marked.change.payload == {"order": marked.change.after.wire(), "seq": 3, "epoch": ANY}

    edited = await service.edit(order.id, OrderEdit(notes="extra napkins"), TILL)
    assert isinstance(edited, Changed) and edited.change.after is not None
    assert edited.change.after.notes == "extra napkins" and edited.change.after.version == 4

    deleted = await service.delete(order.id, TILL)
    assert deleted.change.after is None and deleted.change.before == edited.change.after
    assert deleted.change.payload == {"orderId": order.id, "seq": 5, "epoch": ANY}
    assert deleted.change.event.type == ORDER_DELETED
    assert published.seqs == [1, 2, 3, 4, 5]
    with pytest.raises(domain.OrderNotFound):
        await service.get(order.id)
    history = await service.history(order.id)
    assert [json.loads(e.actor or "null")["name"] for e in history] == [
        "till-1",
        "pass",
        "pass",
        "till-1",
        "till-1",
    ]


async def test_a_change_to_what_the_order_already_is_takes_no_seq_and_says_nothing(
    service: OrderService, published: Published
) -> None:
    order = (await service.create(_burger(), TILL)).order  # type: ignore[union-attr]
    again = await service.mark_item(order.id, 1, False, CHEF)
    same = await service.edit(order.id, OrderEdit(table="4"), TILL)
    assert again == Unchanged(order) and same == Unchanged(order)
    assert await service.current_seq() == 1 and published.seqs == [1]
    # The next change takes the next seq: nothing was skipped.
    moved = await service.move(order.id, Status.PREPARING, None, CHEF)
    assert moved.change.seq == 2 and [e.seq for e in await _log(service)] == [1, 2]


async def test_a_refused_change_raises_its_domain_error_and_changes_nothing(
    service: OrderService, published: Published
) -> None:
    order = (await service.create(_burger(), TILL)).order  # type: ignore[union-attr]
    with pytest.raises(domain.MoveRefused):
        await service.move(order.id, Status.READY, None, CHEF)
    with pytest.raises(domain.StaleVersion):
        await service.move(order.id, Status.PREPARING, order.version + 1, CHEF)
    with pytest.raises(domain.ItemNotFound):
        await service.mark_item(order.id, 9, True, CHEF)
    with pytest.raises(domain.OrderNotFound):
        await service.delete(order.id + 1, TILL)
    assert await service.get(order.id) == order
    assert await service.current_seq() == 1 and published.seqs == [1]


async def test_the_server_is_recorded_as_the_actor_of_its_own_changes(
    service: OrderService,
) -> None:
    order = (await service.create(_burger(), TILL)).order  # type: ignore[union-attr]
    moved = await service.move(order.id, Status.CANCELLED, None, SERVER)
    assert moved.change.actor is SERVER
    stored = (await service.history(order.id))[-1]
    assert stored.actor is not None
    assert json.loads(stored.actor) == {
        "kind": "server",
        "token_id": None,
        "name": "server",
        "role": None,
    }


async def test_a_retry_with_the_same_key_gets_the_first_answer_and_takes_no_seq(
    service: OrderService, published: Published
) -> None:
    first = await service.create(_burger(), TILL, scope="7", key="k-1", request_hash="h")
    assert isinstance(first, Created)
    again = await service.create(_burger(), TILL, scope="7", key="k-1", request_hash="h")
    assert again == Replayed(first.change.event.data)
    with pytest.raises(IdempotencyMismatch):
        await service.create(_burger(), TILL, scope="7", key="k-1", request_hash="other")
    other_client = await service.create(_burger(), CHEF, scope="8", key="k-1", request_hash="h")
    assert isinstance(other_client, Created) and other_client.change.seq == 2
    assert published.seqs == [1, 2]


async def test_a_retry_while_the_first_is_handled_is_refused(service: OrderService) -> None:
    first = asyncio.ensure_future(
        service.create(_burger(), TILL, scope="7", key="k-1", request_hash="h")
    )
    await asyncio.sleep(0)  # the first has claimed its key and waits for its transaction
    with pytest.raises(RetryInFlight):
        await service.create(_burger(), TILL, scope="7", key="k-1", request_hash="h")
    assert isinstance(await first, Created)


async def test_in_transaction_listeners_commit_with_the_change(
    db: Database, service: OrderService, published: Published
) -> None:
    async with db.writing() as conn:
        await conn.execute(text("CREATE TABLE outbox_probe (seq INTEGER, kind TEXT, who TEXT)"))
    seen: list[Recorded] = []

    async def outbox(conn: AsyncConnection, change: Recorded) -> None:
        seen.append(change)
        await conn.execute(
            text("INSERT INTO outbox_probe VALUES (:seq, :kind, :who)"),
            {"seq": change.seq, "kind": change.event.type, "who": change.actor.name},
        )

    service.in_transaction.append(outbox)
    created = await service.create(_burger(), TILL)
    assert isinstance(created, Created)
    await service.move(created.order.id, Status.PREPARING, None, CHEF)
    await service.mark_item(created.order.id, 1, False, CHEF)  # unchanged: no listener call
    assert [c.seq for c in seen] == [1, 2]
    async with db.reading() as conn:
        rows = (await conn.execute(text("SELECT * FROM outbox_probe ORDER BY seq"))).all()
    assert [tuple(r) for r in rows] == [
        (1, ORDER_CREATED, "till-1"),
        (2, ORDER_STATUS_UPDATED, "pass"),
    ]


async def test_a_failing_in_transaction_listener_rolls_the_whole_change_back(
    db: Database, service: OrderService, published: Published
) -> None:
    order = (await service.create(_burger(), TILL)).order  # type: ignore[union-attr]

    async def broken(conn: AsyncConnection, change: Recorded) -> None:
        await conn.execute(text("SELECT 1"))
        raise RuntimeError("the outbox is full")

    service.in_transaction.append(broken)
    with pytest.raises(RuntimeError, match="outbox is full"):
        await service.move(order.id, Status.PREPARING, None, CHEF)
    assert await service.get(order.id) == order
    assert await service.current_seq() == 1 and published.seqs == [1]
    assert [e.seq for e in await _log(service)] == [1]


async def test_after_commit_listeners_run_in_order_and_one_failing_fails_nothing(
    service: OrderService, published: Published, caplog: pytest.LogCaptureFixture
) -> None:
    heard: list[int] = []

    async def broken(change: Recorded) -> None:
        raise ConnectionError("the webhook receiver is down")

    async def metrics(change: Recorded) -> None:
        heard.append(change.seq)

    service.after_commit += [broken, metrics]
    with caplog.at_level(logging.ERROR, logger="server.service"):
        result = await service.create(_burger(), TILL)
    assert isinstance(result, Created)
    assert published.seqs == [1] and heard == [1]
    assert "order:created seq=1" in caplog.text and "webhook receiver is down" in caplog.text


async def test_concurrent_writes_some_unchanged_keep_seqs_without_gaps(
    service: OrderService, published: Published
) -> None:
    orders = [
        (await service.create(_burger(), TILL)).order  # type: ignore[union-attr]
        for _ in range(4)
    ]
    # Writes that arrive together share a transaction, each in its own savepoint; the ones
    # that change nothing or are refused are rolled back alone.
    results = await asyncio.gather(
        *(service.move(o.id, Status.PREPARING, None, CHEF) for o in orders),
        *(service.mark_item(o.id, 1, False, CHEF) for o in orders),
        *(service.move(o.id, Status.COMPLETED, None, CHEF) for o in orders[:2]),
        *(service.mark_item(o.id, 2, True, CHEF) for o in orders),
        return_exceptions=True,
    )
    changed = [r for r in results if isinstance(r, Changed)]
    assert len(changed) == 8
    assert sum(isinstance(r, Unchanged) for r in results) == 4
    assert sum(isinstance(r, domain.MoveRefused) for r in results) == 2
    log = await _log(service)
    assert [e.seq for e in log] == list(range(1, 13))
    assert published.seqs == list(range(1, 13))
    assert sorted(r.change.seq for r in changed) == list(range(5, 13))
