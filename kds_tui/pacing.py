"""What the kitchen sees of scheduling and pacing: no Textual, no I/O.

A ticket's timer runs from its fire time (an order scheduled for 19:30 is not late at 19:05
for having been taken at 17:00); an item whose own fire time is still to come is *held*:
shown greyed with the time until it fires; scheduled orders wait in the upcoming strip with
the time until they fire; a ticket still in the kitchen after its due time says so.
Times of day are this machine's local time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from kds_contract import Item, Order, Status
from kds_contract.statuses import UPCOMING_STATUSES
from kds_tui.text import one_line

HELD_MARK = "◷"
"""Before a held item's countdown, and the upcoming strip's title."""
KITCHEN_STATUSES = (Status.PENDING, Status.PREPARING)
"""The statuses in which a ticket can be behind its due time (ready is done in time)."""


def started_at(order: Order) -> datetime:
    """When the ticket's timer starts (``Order.timer_start``: its fire time)."""
    return order.timer_start()


def countdown(seconds: float) -> str:
    """Time left as ``3:20``, ``12:05`` or ``1:02:03`` (never negative)."""
    whole = max(0, int(seconds + 0.999))  # 0.2 s left reads 0:01, not 0:00
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def clock(moment: datetime) -> str:
    """A time of day as the kitchen reads it: ``19:30``, local time."""
    return moment.astimezone().strftime("%H:%M")


def held_ids(order: Order, now: datetime) -> frozenset[int]:
    """The items of an order that are not to be started yet."""
    return frozenset(item.id for item in order.items if item.held(now))


def past_due(order: Order, now: datetime) -> bool:
    """Whether the order is still being made after the time it was due."""
    return order.due_at is not None and order.status in KITCHEN_STATUSES and now > order.due_at


def fires_in(item: Item, now: datetime) -> str:
    """``fires in 3:20``: how long a held item waits."""
    assert item.fire_at is not None
    return f"fires in {countdown((item.fire_at - now).total_seconds())}"


def held_text(order: Order, item_id: int, now: datetime) -> str:
    """``fires in 3:20``: what a held item says under it."""
    return fires_in(next(i for i in order.items if i.id == item_id), now)


def held_list(items: Iterable[Item], now: datetime) -> str:
    """Held items as a notice names them: ``Caesar salad fires in 3:20, Soup fires in
    1:05``."""
    return ", ".join(f"{one_line(item.name)} {fires_in(item, now)}" for item in items)


def looks(order: Order, now: datetime) -> tuple[object, ...]:
    """What of a ticket's lines changes with time alone: each held item's countdown, and
    whether it is past due. The same, and the ticket looks the same."""
    held = tuple(held_text(order, i, now) for i in sorted(held_ids(order, now)))
    return (held, past_due(order, now))


def upcoming(orders: Iterable[Order]) -> list[Order]:
    """The scheduled orders, the next to fire first."""
    found = [o for o in orders if o.status in UPCOMING_STATUSES]
    return sorted(found, key=lambda o: (o.timer_start(), o.id))
