"""Realistic demo orders, for ``kds-order demo`` and the kitchen display's demo mode."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

from kds_client.errors import KdsError
from kds_client.rest import KdsRest
from kds_contract import ItemIn, Order, OrderCreate, OrderType, Priority, Status, forward

log = logging.getLogger(__name__)

# name, station, price in cents, modifiers that make sense for it
MENU: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("Cheeseburger", "grill", 1150, ("no onion", "extra cheese", "medium rare", "well done")),
    ("Bacon Burger", "grill", 1350, ("no pickles", "gluten-free bun", "add egg")),
    ("Veggie Burger", "grill", 1200, ("vegan cheese", "no mayo", "lettuce wrap")),
    ("Grilled Chicken", "grill", 1400, ("no sauce", "extra lemon")),
    ("Ribeye 300g", "grill", 2900, ("rare", "medium", "well done", "peppercorn sauce")),
    ("Fries", "fry", 450, ("no salt", "extra crispy", "large")),
    ("Sweet Potato Fries", "fry", 550, ("large", "with aioli")),
    ("Onion Rings", "fry", 500, ("ranch dip",)),
    ("Fish and Chips", "fry", 1600, ("tartar on the side", "extra lemon")),
    ("Caesar Salad", "cold", 950, ("no croutons", "dressing on the side", "add chicken")),
    ("Greek Salad", "cold", 900, ("no olives", "no feta")),
    ("Tomato Soup", "hot", 650, ("no cream",)),
    ("Margherita Pizza", "pizza", 1300, ("extra basil", "thin crust", "add chili")),
    ("Pepperoni Pizza", "pizza", 1450, ("well done", "extra cheese")),
    ("Chocolate Brownie", "dessert", 700, ("with ice cream", "no nuts")),
    ("Cheesecake", "dessert", 750, ("berry sauce",)),
    ("Lemonade", "bar", 400, ("no ice", "large")),
    ("Iced Tea", "bar", 350, ("unsweetened", "no ice")),
    ("Cola", "bar", 300, ("diet", "no ice")),
)
ORDER_NOTES = (
    "Nut allergy!",
    "Gluten allergy: no cross-contact",
    "Shellfish allergy",
    "Birthday: bring a candle with dessert",
    "Customer in a hurry",
    "Ring the bell on arrival",
)
ITEM_NOTES = ("sauce on the side", "cut in half", "no salt at all", "extra napkins")
NAMES = ("Alex", "Sam", "Jordan", "Maria", "Wei", "Fatima", "Noah", "Priya", "Lucas", "Emma")


def random_order(rng: random.Random | None = None) -> OrderCreate:
    """One plausible order: a few items from the menu, sometimes rush, sometimes an allergy."""
    rng = rng or random.Random()
    order_type = rng.choices(list(OrderType), weights=(6, 3, 2))[0]
    items: list[ItemIn] = []
    for name, station, _price, modifiers in rng.sample(MENU, k=rng.randint(1, 5)):
        chosen = rng.sample(modifiers, k=min(len(modifiers), rng.choice((0, 0, 0, 1, 1, 2))))
        items.append(
            ItemIn(
                name=name,
                quantity=rng.choices((1, 2, 3, 4), weights=(10, 4, 2, 1))[0],
                modifiers=chosen,
                notes=rng.choice(ITEM_NOTES) if rng.random() < 0.1 else None,
                station=station,
            )
        )
    prices = {name: price for name, _station, price, _mods in MENU}
    total = sum(prices[item.name] * item.quantity for item in items)
    table = str(rng.randint(1, 40)) if order_type is OrderType.DINE_IN else None
    customer = rng.choice(NAMES) if order_type is not OrderType.DINE_IN else None
    return OrderCreate(
        order_type=order_type,
        table=table,
        customer_name=customer,
        # Takeout and delivery customers get emails when the server sends them (--smtp).
        customer_email=f"{customer.lower()}@example.com" if customer else None,
        priority=Priority.RUSH if rng.random() < 0.15 else Priority.NORMAL,
        notes=rng.choice(ORDER_NOTES) if rng.random() < 0.2 else None,
        items=items,
        total_cents=total,
    )


async def run_demo(
    rest: KdsRest,
    rate: float = 6.0,
    stop_event: asyncio.Event | None = None,
    *,
    count: int | None = None,
    advance: bool = False,
    rng: random.Random | None = None,
    on_order: Callable[[Order], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> int:
    """Create demo orders until ``stop_event`` is set or ``count`` orders were made.

    Args:
        rest: the client to create orders with (a pos or admin token).
        rate: orders per minute on average (arrivals are random, like a real evening).
        stop_event: set it to stop; None runs until ``count`` or cancellation.
        count: stop after this many orders.
        advance: also move older demo orders along (start, finish, bump), as a busy
            kitchen would, so the board does not only fill up.
        rng: for reproducible demos.
        on_order: called with each order created.
        on_warning: called with what the person should know (``advance`` refused);
            without it, it is logged.

    Returns:
        How many orders were created. Errors are logged and the demo carries on, except
        when the token is refused or the URL has no orders to create (the error is raised).
    """
    rng = rng or random.Random()
    stop_event = stop_event or asyncio.Event()
    created = 0
    moving: list[int] = []  # demo orders still on their way through the kitchen
    while not stop_event.is_set() and (count is None or created < count):
        try:
            order = await rest.create_order(random_order(rng))
        except KdsError as exc:
            if exc.status in (401, 403, 404):
                raise
            log.warning("demo order not created: %s", exc)
        else:
            created += 1
            moving.append(order.id)
            if on_order is not None:
                on_order(order)
        if advance and moving:
            try:
                await _advance_one(rest, rng, moving)
            except CannotAdvance as exc:
                advance = False
                (on_warning or log.warning)(str(exc))
        if count is not None and created >= count:
            break
        delay = rng.expovariate(rate / 60.0) if rate > 0 else 0.0
        try:
            async with asyncio.timeout(delay):
                await stop_event.wait()
        except TimeoutError:
            pass
    return created


class CannotAdvance(Exception):
    """The token may create orders but not move them (a pos token)."""


async def _advance_one(rest: KdsRest, rng: random.Random, made: list[int]) -> None:
    """Move one of the oldest demo orders one step on (start, finish or bump).

    Raises:
        CannotAdvance: the server refused the move to this token's role.
    """
    order_id = rng.choice(made[: max(1, len(made) // 2)])
    try:
        order = await rest.get_order(order_id)
        target = forward(order.status)
        if target is None:
            made.remove(order_id)
            return
        await rest.move(order_id, target, version=order.version)
        if target is Status.COMPLETED:
            made.remove(order_id)
    except KdsError as exc:
        if exc.status == 403:
            raise CannotAdvance(
                "--advance moves nothing with this token: its role may create orders but not "
                "move them (a pos token); use a kitchen or admin token to move orders along. "
                "Orders are still created."
            ) from exc
        log.info("demo could not move order %s: %s", order_id, exc)
        if exc.status == 404:
            made.remove(order_id)
