"""Orders and a stand-in feed for tests that need no server (snapshots, layout)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from kds_client.errors import Offline
from kds_client.feed import ConnectionState, FeedStatus
from kds_client.store import Change, Event, OrderStore
from kds_contract import Order

FROZEN = datetime(2026, 1, 15, 12, 30, 0, tzinfo=UTC)


def frozen_clock() -> datetime:
    """The same instant, always: snapshots must not depend on the time they run."""
    return FROZEN


def order(
    order_id: int,
    *,
    age: float = 60,
    status: str = "pending",
    items: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Order:
    """An order as the server would send it, created ``age`` seconds before FROZEN."""
    created = FROZEN - timedelta(seconds=age)
    data: dict[str, Any] = {
        "id": order_id,
        "status": status,
        "order_type": "dine_in",
        "table": str(order_id % 20 + 1),
        "items": [
            {"id": order_id * 100 + n, **item}
            for n, item in enumerate(items or [{"name": "Burger"}], start=1)
        ],
        "version": 1,
        "created_at": created,
        "updated_at": created,
        f"{status}_at": created,
        **fields,
    }
    return Order.model_validate(data)


def kitchen_orders() -> list[Order]:
    """A lunch rush: every status, a rush, allergies, stations, items done."""
    return [
        order(
            1,
            age=725,
            items=[
                {
                    "name": "Burger",
                    "quantity": 2,
                    "station": "grill",
                    "modifiers": ["no onion", "extra cheese"],
                },
                {"name": "Fries", "station": "fry", "done": True},
            ],
        ),
        order(
            2,
            age=400,
            status="preparing",
            order_type="takeout",
            customer_name="Ana",
            table=None,
            items=[
                {"name": "Caesar salad", "station": "cold", "notes": "dressing on the side"},
                {"name": "Soup of the day", "station": "cold"},
            ],
        ),
        order(
            3,
            age=95,
            priority="rush",
            notes="PEANUT ALLERGY",
            items=[
                {"name": "Pad thai", "station": "wok"},
                {"name": "Spring rolls", "quantity": 3, "station": "fry"},
            ],
        ),
        order(
            4, age=30, status="ready", items=[{"name": "Burger", "station": "grill", "done": True}]
        ),
        order(
            5,
            age=250,
            order_type="delivery",
            customer_name="Bo",
            table=None,
            items=[
                {"name": "Burger", "quantity": 3, "station": "grill"},
                {"name": "Fries", "quantity": 3, "station": "fry"},
                {"name": "Milkshake", "quantity": 2, "modifiers": ["vanilla"]},
            ],
        ),
        order(
            6,
            age=15,
            items=[{"name": "Steak frites", "station": "grill", "modifiers": ["medium rare"]}],
        ),
    ]


class FakeFeed:
    """Just enough of ``kds_client.LiveFeed`` to show a board: a store and a status."""

    def __init__(self, orders: list[Order], *, state: str = "live") -> None:
        self.store = OrderStore()
        self.store.reset(orders, seq=len(orders))
        self.status = FeedStatus(
            ConnectionState(state),
            url="http://127.0.0.1:5000",
            last_event_at=FROZEN.timestamp() - 3,
            last_seq=len(orders),
        )
        self.rest: Any = None
        self._changes: list[Callable[[Change], None]] = []
        self._statuses: list[Callable[[FeedStatus], None]] = []

    def on_change(self, callback: Callable[[Change], None]) -> None:
        self._changes.append(callback)

    def on_status(self, callback: Callable[[FeedStatus], None]) -> None:
        self._statuses.append(callback)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def require_live(self) -> None:
        if self.status.state is not ConnectionState.LIVE:
            raise Offline("offline: not connected to the server")

    def emit(self, event_type: str, changed: Order) -> None:
        """Apply one event to the store and tell the app, as the real feed does."""
        seq = self.store.last_seq + 1
        event = Event(seq, event_type, changed.id, "", {"order": changed.wire(), "seq": seq})
        change = self.store.apply(event)
        assert change is not None
        for callback in self._changes:
            callback(change)

    def set_state(self, state: str) -> None:
        """Change the connection state and tell the app."""
        self.status = FeedStatus(
            ConnectionState(state), url=self.status.url, last_event_at=self.status.last_event_at
        )
        for callback in self._statuses:
            callback(self.status)
