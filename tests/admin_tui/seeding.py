"""Orders for the console's tests: predictable names so filters and searches have answers."""

from __future__ import annotations

import asyncio
from typing import Any

from kds_client import KdsRest
from kds_contract import Order

DISHES = ("Burger", "Pizza", "Salad", "Ramen", "Tacos", "Curry", "Soup", "Pasta")
CUSTOMERS = ("Ann", "Bob", "Chen", "Dana", "Eli", "Farah", "Gus", "Hana")


def order_payload(n: int) -> dict[str, Any]:
    """Order ``n``: dine-in at table ``n % 30 + 1`` or takeout for a customer; two items."""
    dish = DISHES[n % len(DISHES)]
    payload: dict[str, Any] = {
        "items": [
            {"name": dish, "quantity": n % 3 + 1, "station": "grill"},
            {"name": "Cola", "modifiers": ["no ice"] if n % 2 else []},
        ],
        "total_cents": 1000 + n,
    }
    if n % 2:
        payload |= {"order_type": "takeout", "customer_name": CUSTOMERS[n % len(CUSTOMERS)]}
    else:
        payload["table"] = str(n % 30 + 1)
    return payload


async def seed(rest: KdsRest, count: int, *, start: int = 0, concurrency: int = 32) -> list[Order]:
    """Create ``count`` orders, many at a time; returned in id order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(n: int) -> Order:
        async with gate:
            return await rest.create_order(order_payload(n))

    orders = await asyncio.gather(*(one(n) for n in range(start, start + count)))
    return sorted(orders, key=lambda order: order.id)
