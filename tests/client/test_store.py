"""The store converges however events arrive: shuffled, duplicated, late, or via catch-up."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kds_client.store import RESET, Event, OrderStore
from kds_contract import (
    ORDER_CREATED,
    ORDER_DELETED,
    ORDER_STATUS_UPDATED,
    ORDER_UPDATED,
    Order,
    Status,
    forward,
)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def wire_order(order_id: int, status: Status = Status.PENDING, version: int = 1) -> dict[str, Any]:
    at = (T0 + timedelta(seconds=order_id)).isoformat().replace("+00:00", "Z")
    return {
        "id": order_id,
        "status": str(status),
        "order_type": "dine_in",
        "items": [{"id": order_id * 10, "name": "Burger"}],
        "version": version,
        "created_at": at,
        "updated_at": at,
    }


def history(steps: list[tuple[str, int]]) -> list[Event]:
    """Events a server would commit for a script of (action, order pick) steps, seq 1.."""
    orders: dict[int, dict[str, Any]] = {}
    events: list[Event] = []
    next_id = 1
    for action, pick in steps:
        seq = len(events) + 1
        if action == "create" or not orders:
            order = wire_order(next_id)
            orders[next_id] = order
            next_id += 1
            events.append(Event(seq, ORDER_CREATED, order["id"], "", {"order": order, "seq": seq}))
            continue
        order_id = sorted(orders)[pick % len(orders)]
        order = dict(orders[order_id])
        if action == "delete":
            del orders[order_id]
            events.append(
                Event(seq, ORDER_DELETED, order_id, "", {"orderId": order_id, "seq": seq})
            )
            continue
        order["version"] += 1
        if action == "move" and forward(order["status"]):
            old = order["status"]
            order["status"] = str(forward(old))
            payload = {"order": order, "oldStatus": old, "newStatus": order["status"], "seq": seq}
            events.append(Event(seq, ORDER_STATUS_UPDATED, order_id, "", payload))
        else:
            order["notes"] = f"edit {seq}"
            events.append(Event(seq, ORDER_UPDATED, order_id, "", {"order": order, "seq": seq}))
        orders[order_id] = order
    return events


def final_state(events: list[Event]) -> dict[int, Order]:
    store = OrderStore()
    store.reset([], 0)
    for event in events:
        store.apply(event)
    return store.orders


steps_strategy = st.lists(
    st.tuples(st.sampled_from(["create", "create", "move", "edit", "delete"]), st.integers(0, 50)),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(steps=steps_strategy, seed=st.integers(0, 2**32), dupes=st.floats(0, 1))
def test_shuffled_and_duplicated_events_converge(steps, seed, dupes):
    events = history(steps)
    rng = random.Random(seed)
    delivered = events + [e for e in events if rng.random() < dupes]
    rng.shuffle(delivered)
    store = OrderStore()
    store.reset([], 0)

    for event in delivered:
        store.offer(event)

    assert store.orders == final_state(events)
    assert store.last_seq == len(events)
    assert not store.has_gap


@settings(max_examples=100, deadline=None)
@given(steps=steps_strategy, seed=st.integers(0, 2**32), lost=st.floats(0, 0.5))
def test_lost_events_are_filled_by_a_catch_up(steps, seed, lost):
    events = history(steps)
    rng = random.Random(seed)
    delivered = [e for e in events if rng.random() >= lost]
    rng.shuffle(delivered)
    store = OrderStore()
    store.reset([], 0)
    for event in delivered:
        store.offer(event)

    after = store.last_seq
    store.catch_up(e for e in events if e.seq > after)

    assert store.orders == final_state(events)
    assert not store.has_gap


@settings(max_examples=100, deadline=None)
@given(steps=steps_strategy, cut=st.integers(0, 60), seed=st.integers(0, 2**32))
def test_a_snapshot_then_replayed_events_converge(steps, cut, seed):
    events = history(steps)
    cut = min(cut, len(events))
    rng = random.Random(seed)
    live = events[max(0, cut - 3) :]  # events in flight around the snapshot, some stale
    rng.shuffle(live)
    store = OrderStore()

    early = [store.offer(e) for e in live[: len(live) // 2]]
    store.reset(final_state(events[:cut]).values(), cut)
    store.catch_up([])  # as the feed does after a snapshot: apply what was held back
    for event in live[len(live) // 2 :]:
        store.offer(event)

    assert early == [[] for _ in early], "nothing is applied before the store is loaded"
    assert store.orders == final_state(events)


def test_changes_report_what_happened_in_seq_order():
    events = history([("create", 0), ("move", 0), ("delete", 0)])
    store = OrderStore()
    reset = store.reset([], 0)

    assert store.offer(events[2]) == []
    assert store.offer(events[1]) == []
    changes = store.offer(events[0])

    assert reset.type == RESET
    assert [(c.type, c.seq) for c in changes] == [
        (ORDER_CREATED, 1),
        (ORDER_STATUS_UPDATED, 2),
        (ORDER_DELETED, 3),
    ]
    assert changes[0].previous is None and changes[0].order.status is Status.PENDING
    assert changes[1].previous.status is Status.PENDING
    assert changes[1].order.status is Status.PREPARING
    assert changes[2].order is None and changes[2].previous.id == 1
    assert store.orders == {}


def test_duplicates_and_stale_events_change_nothing():
    events = history([("create", 0), ("edit", 0)])
    store = OrderStore()
    store.reset([], 0)
    store.catch_up(events)

    assert store.apply(events[0]) is None
    assert store.offer(events[1]) == []
    assert store.last_seq == 2


def test_a_catch_up_may_skip_seqs_the_server_never_committed():
    events = history([("create", 0), ("create", 0), ("create", 0)])
    store = OrderStore()
    store.reset([], 0)
    store.offer(events[2])  # seq 3 arrives; 1 and 2 are missing

    store.catch_up([events[0]])  # the server has 1, never committed 2 (say), then 3
    assert store.has_gap
    store.catch_up([events[2]])

    assert sorted(store.orders) == [1, 3]
    assert not store.has_gap


def test_open_orders_are_the_kitchens_in_arrival_order():
    store = OrderStore()
    store.reset(
        [
            Order.model_validate(wire_order(3)),
            Order.model_validate(wire_order(1, Status.COMPLETED)),
            Order.model_validate(wire_order(2, Status.READY)),
        ],
        seq=7,
    )

    assert [o.id for o in store.open_orders()] == [2, 3]


def test_events_parse_from_the_wire_and_from_the_socket():
    order = wire_order(5)
    from_api = Event.from_wire(
        {"seq": 9, "type": ORDER_CREATED, "order_id": 5, "at": "x", "data": {"order": order}}
    )
    from_socket = Event.from_socket(ORDER_DELETED, {"orderId": 5, "seq": 10})

    parsed = from_api.order()
    assert parsed is not None and parsed.id == 5
    assert from_socket.order_id == 5 and from_socket.order() is None
    assert from_api.wire()["data"] == {"order": order}


def test_forgotten_held_back_events_come_back_with_the_catch_up():
    events = history([("create", 0), ("create", 0), ("create", 0)])
    store = OrderStore()
    store.reset([], 0)
    store.offer(events[2])

    store.forget_held_back()
    store.catch_up(events)

    assert not store.has_gap and sorted(store.orders) == [1, 2, 3]
