"""Fixed data and stand-ins for ``KdsRest``/``LiveFeed``, for snapshots that never flake.

Pilot tests use the real server; only the snapshots use these, so their pictures depend on
nothing but the data below and the frozen clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kds_client import Event, OrderPage
from kds_contract import Order, Role
from kds_contract.menu import Menu, PrepSuggestions
from kds_contract.screens import ScreensAnswer
from kds_contract.tokens import Token
from tests.support import fakes

NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)
"""The frozen clock of every snapshot."""


def frozen_clock() -> datetime:
    return NOW


def _at(minutes_ago: float) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).isoformat().replace("+00:00", "Z")


_CUSTOMERS = ["Ann", "Bob", None, "Chen", None, "Dana", "Eli", None, "Fatima", "Gus"]
_DISHES = [
    [("Burger", 2, ["no onion"]), ("Fries", 1, []), ("Cola", 2, [])],
    [("Margherita", 1, []), ("Caesar salad", 1, ["dressing on side"])],
    [("Pad thai", 1, ["extra spicy"]), ("Spring rolls", 3, [])],
    [("Fish tacos", 2, []), ("Lemonade", 1, [])],
    [("Ramen", 1, ["no egg"])],
]
_STATUSES = ["pending", "preparing", "ready", "completed", "cancelled"]


def sample_order(n: int) -> Order:
    """Order ``n`` of the fixed sample: varied status, type, items and age."""
    status = _STATUSES[n % 5] if n % 7 else "pending"
    created = 3 + (60 - n) * 4
    items = [
        {
            "id": n * 10 + i,
            "name": name,
            "quantity": qty,
            "modifiers": mods,
            "station": "grill" if i == 0 else None,
            "done": status != "pending" and i == 0,
        }
        for i, (name, qty, mods) in enumerate(_DISHES[n % len(_DISHES)])
    ]
    order_type = ["dine_in", "takeout", "delivery"][n % 3]
    data: dict[str, Any] = {
        "id": n,
        "status": status,
        "order_type": order_type,
        "table": str(n % 20 + 1) if order_type == "dine_in" else None,
        "customer_name": _CUSTOMERS[n % len(_CUSTOMERS)] if order_type != "dine_in" else None,
        "priority": "rush" if n % 11 == 0 else "normal",
        "notes": "nut allergy" if n % 6 == 0 else None,
        "items": items,
        "total_cents": 1250 + n * 75,
        "version": 1 + _STATUSES.index(status),
        "created_at": _at(created),
        "updated_at": _at(created - 2 if status != "pending" else created),
        "pending_at": _at(created),
    }
    if status in ("preparing", "ready", "completed"):
        data["preparing_at"] = _at(created - 1)
    if status in ("ready", "completed"):
        data["ready_at"] = _at(created - 2)
    if status == "completed":
        data["completed_at"] = _at(created - 2)
    if status == "cancelled":
        data["cancelled_at"] = _at(created - 2)
    return Order.model_validate(data)


SAMPLE = [sample_order(n) for n in range(60, 0, -1)]
"""Sixty orders, newest (highest id) first."""

STATS: dict[str, Any] = {
    "since": "2026-03-14T00:00:00.000Z",
    "until": "2026-03-15T00:00:00.000Z",
    "counts": {"pending": 9, "preparing": 10, "ready": 10, "completed": 19, "cancelled": 12},
    "total": 60,
    "time_to_ready": {"median_s": 412.0, "p90_s": 1260.5, "n": 29},
    "time_to_complete": {"median_s": 960.0, "p90_s": 2400.0, "n": 19},
    "per_hour": [
        {"hour": f"2026-03-14T{h:02d}:00:00Z", "count": c}
        for h, c in zip(range(7, 16), [2, 5, 9, 4, 12, 15, 6, 3, 4], strict=True)
    ],
    "slowest_open": [o.wire() for o in SAMPLE if o.status in ("pending", "preparing")][-5:],
}


def _times(n: int, median: float | None, p90: float | None, over: int = 0) -> dict[str, Any]:
    return {"n": n, "median_s": median, "p90_s": p90, "over_target": over}


def _sales(orders: int, cents: int, cancelled: int = 0) -> dict[str, Any]:
    return {
        "orders": orders,
        "sales_cents": cents,
        "average_cents": round(cents / orders) if orders else None,
        "with_total": orders,
        "cancelled": cancelled,
    }


REPORT: dict[str, Any] = {
    "since": "2026-03-14T00:00:00.000Z",
    "until": "2026-03-15T00:00:00.000Z",
    "previous_since": "2026-03-07T00:00:00.000Z",
    "previous_until": "2026-03-08T00:00:00.000Z",
    "time_zone": "+00:00",
    "target_s": 900,
    "sales": {**_sales(48, 231450, 12), "previous": _sales(41, 198020, 9)},
    "by_type": [
        {"order_type": "dine_in", **_sales(20, 101200, 5), "previous": _sales(18, 90400)},
        {"order_type": "takeout", **_sales(16, 70350, 4), "previous": _sales(15, 66020)},
        {"order_type": "delivery", **_sales(12, 59900, 3), "previous": _sales(8, 41600)},
    ],
    "by_hour": [
        {
            "hour_of_day": h,
            "orders": c,
            "sales_cents": c * 4800,
            "previous": {"orders": p, "sales_cents": p * 4700},
        }
        for h, c, p in zip(
            range(7, 16), [2, 5, 9, 4, 12, 15, 6, 3, 4], [1, 4, 8, 6, 9, 11, 5, 2, 3], strict=True
        )
    ],
    "ticket_times": {**_times(36, 412.0, 1260.5, 7), "previous": _times(30, 455.0, 1380.0, 8)},
    "by_station": [
        {"station": "grill", **_times(30, 520.0, 1300.0, 6), "previous": _times(25, 560.0, 1400.0)},
        {"station": "", **_times(20, 300.0, 700.0, 1), "previous": _times(18, 320.0, 720.0)},
    ],
    "by_item": [
        {"name": "Burger", **_times(18, 540.0, 1250.0, 4), "previous": _times(15, 580.0, 1320.0)},
        {"name": "Ramen", **_times(10, 610.0, 1100.0, 2), "previous": _times(9, 600.0, 1200.0)},
        {"name": "Fries", **_times(14, 240.0, 420.0, 0), "previous": _times(12, 250.0, 500.0)},
    ],
    "product_mix": [
        {"name": "Burger", "quantity": 31, "orders": 18, "previous_quantity": 27},
        {"name": "Fries", "quantity": 22, "orders": 14, "previous_quantity": 25},
        {"name": "Cola", "quantity": 19, "orders": 15, "previous_quantity": 16},
        {"name": "Ramen", "quantity": 10, "orders": 10, "previous_quantity": 9},
    ],
    "cancellations": {
        "count": 12,
        "previous": 9,
        "by": [
            {"from_status": "pending", "by": "till-1", "role": "pos", "count": 7},
            {"from_status": "preparing", "by": "admin", "role": "admin", "count": 5},
        ],
    },
}

HISTORY = [
    Event(101, "order:created", 7, _at(40), {"order": sample_order(7).wire(), "seq": 101}),
    Event(
        140,
        "order:statusUpdated",
        7,
        _at(38),
        {
            "order": sample_order(7).wire(),
            "oldStatus": "pending",
            "newStatus": "preparing",
            "seq": 140,
        },
    ),
    Event(
        180,
        "order:statusUpdated",
        7,
        _at(30),
        {
            "order": sample_order(7).wire(),
            "oldStatus": "preparing",
            "newStatus": "ready",
            "seq": 180,
        },
    ),
]


TOKENS = [
    Token(
        id=n,
        name=name,
        role=role,
        user_id=user,
        prefix=prefix,
        created_at=NOW - timedelta(days=30 - n),
        revoked_at=NOW - timedelta(hours=3) if n == 4 else None,
    )
    for n, name, role, user, prefix in (
        (1, "local-admin", Role.ADMIN, None, "kds_Ab3dEf"),
        (2, "local-kitchen", Role.KITCHEN, None, "kds_Gh5iJk"),
        (3, "till-1", Role.POS, None, "kds_Lm7nOp"),
        (4, "old till", Role.POS, None, "kds_Qr9sTu"),
        (5, "web shop guest", Role.CUSTOMER, "guest-17", "kds_Vw1xYz"),
    )
]


MENU = Menu.model_validate(
    {
        "items": [
            {"name": "Ribeye steak 300g", "station": "grill", "prep_seconds": 720},
            {"name": "Caesar salad", "station": "cold", "prep_seconds": 240},
            {"name": "Fries", "station": "fry", "prep_seconds": 180},
            {"name": "Sticky toffee pudding", "station": "pastry"},
        ]
    }
)
SUGGESTIONS = PrepSuggestions.model_validate(
    {
        "days": 14,
        "items": [
            {
                "name": "Ribeye steak 300g",
                "menu_prep_seconds": 720,
                "median_s": 804.4,
                "p90_s": 1010.0,
                "n": 41,
            },
            {
                "name": "Caesar salad",
                "menu_prep_seconds": 240,
                "median_s": 231.0,
                "p90_s": 300.2,
                "n": 3,
            },
            {"name": "Fries", "menu_prep_seconds": 180, "median_s": None, "p90_s": None, "n": 0},
            {
                "name": "Pad thai",
                "menu_prep_seconds": None,
                "median_s": 415.0,
                "p90_s": 530.0,
                "n": 12,
            },
        ],
    }
)


class FakeRest:
    """Answers from :data:`SAMPLE` the way the server pages, filters and sorts it."""

    url = "http://127.0.0.1:5000"
    token = "kds_Ab3dEf-the-consoles-own"

    async def tokens(self) -> list[Token]:
        return TOKENS

    async def menu(self) -> Menu:
        return MENU

    async def prep_suggestions(self, days: int = 14) -> PrepSuggestions:
        return SUGGESTIONS

    async def close(self) -> None:
        return None

    async def list_orders(
        self,
        *,
        status=None,
        q=None,
        page=1,
        per_page=50,
        sort=None,
        since=None,
        until=None,
        station=None,
        max_id=None,
    ) -> OrderPage:
        orders = [o for o in SAMPLE if not status or o.status in status]
        start = (page - 1) * per_page
        return OrderPage(
            orders[start : start + per_page], len(orders), page, per_page, max_id=SAMPLE[0].id
        )

    async def get_order(self, order_id: int) -> Order:
        return sample_order(order_id)

    async def order_events(self, order_id: int) -> list[Event]:
        return HISTORY

    async def stats(self, **_: Any) -> dict[str, Any]:
        return STATS

    async def report(self, **_: Any) -> dict[str, Any]:
        return REPORT

    async def deliveries(self, **_: Any) -> list[Any]:
        return []  # no email or webhook call failed for the sample orders

    async def webhooks(self) -> list[Any]:
        return []

    async def screens(self) -> ScreensAnswer:
        return ScreensAnswer()


class FakeFeed(fakes.FakeFeed):
    """A feed that is live at once and never changes anything."""

    def __init__(self) -> None:
        super().__init__(last_seq=180)

    async def start(self) -> None:
        self.announce()
