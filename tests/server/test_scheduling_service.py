"""Scheduled orders and the menu through the order service's one write path, on a real
database (SQLite, then PostgreSQL), with a clock the test sets."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kds_contract import ORDER_STATUS_UPDATED, ORDER_UPDATED, OrderCreate, OrderEdit, Status
from kds_contract.menu import Menu
from server import domain
from server.db.engine import Database
from server.db.repo import StoredEvent
from server.domain import Actor
from server.menu import MenuService
from server.scheduler import Scheduler
from server.service import Changed, Created, OrderService

TILL = Actor.token(7, "till-1", "pos")
START = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)


class Clock:
    """A clock that stands still until the test moves it."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def move_to(self, minutes: float) -> None:
        self.now = START + timedelta(minutes=minutes)


async def _nothing(_event: StoredEvent, _payload: dict[str, Any]) -> None:
    return None


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _service(db: Database, clock: Clock) -> OrderService:
    return OrderService(db, _nothing, clock=clock)


async def _create(service: OrderService, **fields: Any) -> Any:
    result = await service.create(OrderCreate.model_validate(fields), TILL)
    assert isinstance(result, Created)
    return result.order


async def test_the_menu_gives_items_their_defaults_in_every_process(
    db: Database, clock: Clock
) -> None:
    there = _service(db, clock)
    before = await _create(there, items=[{"name": "Steak"}])
    assert before.items[0].prep_seconds is None, "no menu yet"
    menu = Menu.model_validate(
        {"items": [{"name": "Steak", "station": "grill", "prep_seconds": 720}]}
    )
    await MenuService(db).put_menu(menu)
    assert await MenuService(db).menu() == menu
    after = await _create(there, items=[{"name": "  steak"}], due_at=START + timedelta(hours=1))
    assert (after.items[0].station, after.items[0].prep_seconds) == ("grill", 720), (
        "the other process's next write saw the new menu"
    )
    assert after.status is Status.SCHEDULED and after.fire_at == START + timedelta(minutes=48)
    assert (await there.get(before.id)).items[0].prep_seconds is None, "made before: kept"


async def test_a_scheduled_order_is_fired_once_by_the_server_when_its_time_comes(
    db: Database, clock: Clock
) -> None:
    service = _service(db, clock)
    scheduler = Scheduler(service, clock=clock)
    order = await _create(
        service, items=[{"name": "Pie", "prep_seconds": 600}], due_at=START + timedelta(hours=1)
    )
    assert order.status is Status.SCHEDULED and await scheduler.next_fire_at() == order.fire_at
    assert await scheduler.fire_due() == 0, "not yet"

    clock.move_to(50)
    assert await scheduler.fire_due() == 1
    assert await scheduler.fire_due() == 0, "once"
    fired = await service.get(order.id)
    assert fired.status is Status.PENDING and fired.fire_at == order.fire_at
    assert fired.pending_at == clock.now and await scheduler.next_fire_at() is None
    moves = [e for e in await service.history(order.id) if e.type == ORDER_STATUS_UPDATED]
    assert len(moves) == 1
    payload = json.loads(moves[0].data)
    assert (payload["oldStatus"], payload["newStatus"]) == ("scheduled", "pending")
    assert json.loads(moves[0].actor or "{}")["kind"] == "server"


async def test_two_processes_firing_at_once_fire_each_order_once(
    db: Database, clock: Clock
) -> None:
    one, two = _service(db, clock), _service(db, clock)
    due = START + timedelta(minutes=30)
    ids = [(await _create(one, items=[{"name": f"Dish {n}"}], due_at=due)).id for n in range(20)]
    clock.move_to(31)
    counts = await asyncio.gather(
        Scheduler(one, clock=clock).fire_due(), Scheduler(two, clock=clock).fire_due()
    )
    assert sum(counts) == len(ids)
    for order_id in ids:
        moves = [e for e in await one.history(order_id) if e.type == ORDER_STATUS_UPDATED]
        assert len(moves) == 1, f"order {order_id} fired {len(moves)} times"


async def test_an_edit_before_firing_plans_again_and_after_firing_is_refused(
    db: Database, clock: Clock
) -> None:
    service = _service(db, clock)
    order = await _create(
        service, items=[{"name": "Pie", "prep_seconds": 600}], due_at=START + timedelta(hours=1)
    )
    clock.move_to(5)
    edited = await service.edit(
        order.id, OrderEdit.model_validate({"due_at": START + timedelta(hours=2)}), TILL
    )
    assert isinstance(edited, Changed) and edited.change.event.type == ORDER_UPDATED
    assert edited.change.after is not None
    assert edited.change.after.fire_at == START + timedelta(minutes=110)
    assert json.loads(edited.change.event.data)["order"]["fire_at"] == "2026-12-08T19:50:00.000Z"

    fired = await service.move(order.id, Status.PENDING, None, TILL)  # fired early, by hand
    assert fired.change.after is not None and fired.change.after.fire_at == clock.now
    with pytest.raises(domain.AlreadyFired):
        await service.edit(
            order.id, OrderEdit.model_validate({"due_at": START + timedelta(hours=3)}), TILL
        )
    assert await service.get(order.id) == fired.change.after, "refused: nothing changed"
