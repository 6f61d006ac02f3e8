"""Orders and a stand-in feed for tests that need no server (snapshots, layout)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kds_contract import Order
from tests.support import fakes

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


class FakeFeed(fakes.FakeFeed):
    """A feed holding ``orders``, its last event three seconds before FROZEN."""

    def __init__(self, orders: list[Order], *, state: str = "live") -> None:
        super().__init__(orders, state=state, last_event_at=FROZEN.timestamp() - 3)
