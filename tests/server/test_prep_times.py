"""Learned prep times from the event log's payloads, as the write path records them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kds_contract import ORDER_CREATED, ORDER_STATUS_UPDATED, ORDER_UPDATED, OrderCreate, Status
from kds_contract.menu import MenuItem
from server import domain
from server.prep_times import PrepTimes
from server.service import event_payload

START = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


class Log:
    """Orders changed by the domain rules, each change fed to ``PrepTimes`` as its event."""

    def __init__(self) -> None:
        self.times = PrepTimes()
        self.seq = 0

    def _event(self, kind: str, before: Any, after: Any, when: datetime) -> Any:
        self.seq += 1
        self.times.add(kind, when, event_payload(kind, before, after, self.seq))
        return after

    def create(self, when: datetime, **fields: Any) -> Any:
        order = domain.new_order(OrderCreate.model_validate(fields), self.seq + 1, when)
        return self._event(ORDER_CREATED, None, order, when)

    def move(self, order: Any, status: Status, when: datetime) -> Any:
        return self._event(
            ORDER_STATUS_UPDATED, order, domain.move(order, status, None, when), when
        )

    def done(self, order: Any, item_id: int, when: datetime, done: bool = True) -> Any:
        return self._event(ORDER_UPDATED, order, domain.mark_item(order, item_id, done, when), when)


def test_an_item_takes_from_its_start_to_done_or_to_the_orders_ready() -> None:
    log = Log()
    menu = [MenuItem(name="Steak", prep_seconds=600), MenuItem(name="Soup")]
    for n in range(5):
        order = log.create(at(n * 30), items=[{"name": "steak"}, {"name": "Fries"}])
        order = log.move(order, Status.PREPARING, at(n * 30 + 1))
        order = log.done(order, 1, at(n * 30 + 1 + 10 + n))  # 10..14 minutes
        order = log.done(order, 1, at(n * 30 + 16), done=False)  # an undo...
        order = log.done(order, 1, at(n * 30 + 17))  # ...and a redo: the first counts
        log.move(order, Status.READY, at(n * 30 + 18))  # Fries: 17 minutes, never marked
    found = {s.name: s for s in log.times.suggestions(menu)}
    steak = found["Steak"]
    assert (steak.menu_prep_seconds, steak.n) == (600, 5)
    assert (steak.median_s, steak.p90_s) == (720.0, 840.0)
    assert (found["Fries"].median_s, found["Fries"].n, found["Fries"].menu_prep_seconds) == (
        1020.0,
        5,
        None,
    )
    assert (found["Soup"].n, found["Soup"].median_s) == (0, None), "on the menu, never made"


def test_a_held_item_counts_from_its_own_fire_time() -> None:
    log = Log()
    order = log.create(
        at(0),
        items=[{"name": "Steak", "prep_seconds": 720}, {"name": "Salad", "prep_seconds": 240}],
    )
    assert order.items[1].fire_at == at(8)
    order = log.move(order, Status.PREPARING, at(1))
    order = log.done(order, 2, at(12))
    log.move(order, Status.READY, at(13))
    found = {s.name: s for s in log.times.suggestions([])}
    assert found["Salad"].median_s == 240.0, "from its fire time (8), not the order's start (1)"
    assert found["Steak"].median_s == 720.0


def test_orders_not_started_in_the_period_or_cancelled_give_nothing() -> None:
    log = Log()
    order = log.create(at(0), items=[{"name": "Pie"}])
    log.done(order, 1, at(3))  # done while pending: no start, no measure
    other = log.move(log.create(at(0), items=[{"name": "Pie"}]), Status.PREPARING, at(1))
    log.move(other, Status.CANCELLED, at(2))
    assert log.times.suggestions([]) == []
