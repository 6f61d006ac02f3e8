"""What the kitchen sees, worked out from orders: no Textual, no I/O.

Which tickets a station shows and in what order, ages, the all-day counts, and what an
edit changed. The lines of one ticket are in ``kds_tui.view``, how tickets flow into
columns and pages in ``kds_tui.layout``. Kept pure so the widgets stay small and these
rules can be tested without a screen.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from kds_contract import OPEN_STATUSES, Item, Order, OrderType, Priority, Status
from kds_contract.allergens import Allergens
from kds_tui.pacing import started_at
from kds_tui.text import one_line

STATUS_LABELS: dict[Status, str] = {
    Status.SCHEDULED: "◷ LATER",
    Status.PENDING: "○ NEW",
    Status.PREPARING: "◐ COOKING",
    Status.READY: "● READY",
    Status.COMPLETED: "✓ BUMPED",
    Status.CANCELLED: "✕ CANCELLED",
}
"""The status in words and a symbol, so a ticket reads right with no colour at all."""

ORDER_TYPE_LABELS: dict[OrderType, str] = {
    OrderType.DINE_IN: "Dine-in",
    OrderType.TAKEOUT: "Takeout",
    OrderType.DELIVERY: "Delivery",
}


@dataclass(frozen=True)
class AgeThresholds:
    """Ages (in seconds) at which a ticket turns to warning, then late."""

    warn: float = 5 * 60
    late: float = 10 * 60

    def level(self, age: float) -> str:
        """``fresh``, ``warn`` or ``late``."""
        if age >= self.late:
            return "late"
        if age >= self.warn:
            return "warn"
        return "fresh"


def age_seconds(order: Order, now: datetime) -> float:
    """How long ago the order entered the kitchen: its fire time (``kds_tui.pacing``; an
    order wanted now fires when it is created), recalls included."""
    return max(0.0, (now - started_at(order)).total_seconds())


def age_text(seconds: float) -> str:
    """An age as ``mm:ss`` (minutes keep counting past 59)."""
    whole = int(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def same_station(item: Item, station: str | None) -> bool:
    """Whether an item belongs on a station's screen (every item does on the expo view)."""
    if station is None:
        return True
    return item.station is not None and item.station.casefold() == station.casefold()


def station_items(order: Order, station: str | None) -> list[Item]:
    """The items of an order a station makes (all of them on the expo view)."""
    return [item for item in order.items if same_station(item, station)]


def has_work(order: Order, station: str | None) -> bool:
    """Whether a screen has a ticket for this order: the expo view for every order with
    items, a station's screen while some of its items are still to make (a finished part
    leaves the station's screen)."""
    items = station_items(order, station)
    return bool(items) if station is None else any(not item.done for item in items)


def shows(order: Order, station: str | None) -> bool:
    """Whether a screen shows this order: open, and with work for it."""
    return order.status in OPEN_STATUSES and has_work(order, station)


def sort_key(order: Order) -> tuple[int, datetime, int]:
    """Rush orders first, then by arrival in the kitchen (a scheduled order when fired)."""
    return (0 if order.priority == Priority.RUSH else 1, started_at(order), order.id)


def visible_orders(orders: Iterable[Order], station: str | None) -> list[Order]:
    """The tickets a station shows, in board order."""
    return sorted((o for o in orders if shows(o, station)), key=sort_key)


def next_item(order: Order, station: str | None, now: datetime | None = None) -> Item | None:
    """The item ``d`` marks done: the first unfinished one of this station (as of ``now``,
    not one held until its fire time)."""
    return next(
        (i for i in station_items(order, station) if not i.done and not (now and i.held(now))),
        None,
    )


def part_left(order: Order, station: str | None, now: datetime) -> tuple[list[Item], list[Item]]:
    """What Next on a station's screen finishes of its part, and what it leaves: the
    unfinished items that have fired, and those still held until their fire time (a dish
    nobody has started is never marked done; the server refuses it too)."""
    todo = [i for i in station_items(order, station) if not i.done]
    return [i for i in todo if not i.held(now)], [i for i in todo if i.held(now)]


def last_done_item(order: Order, station: str | None) -> Item | None:
    """The item ``D`` marks not done again: the last finished one of this station."""
    done = [i for i in station_items(order, station) if i.done]
    return done[-1] if done else None


def station_progress(order: Order) -> list[tuple[str, bool]]:
    """Each station on the order and whether it has finished its part (for the expo view)."""
    progress: dict[str, bool] = {}
    for item in order.items:
        if item.station:
            name = one_line(item.station)
            progress[name] = progress.get(name, True) and item.done
    return list(progress.items())


@dataclass(frozen=True)
class AllDay:
    """One line of the all-day panel."""

    name: str
    count: int
    """How many are still to make on open tickets."""
    allergy: int = 0
    """How many of them are for an order with an allergen word (the item's own modifiers
    and notes, a name that says "allergy", or the order's notes)."""


def all_day(
    orders: Iterable[Order], station: str | None, allergens: Allergens | None = None
) -> list[AllDay]:
    """How many of each item are still to make on open tickets, most first.

    Items already done, and tickets already ready, are left out: they are no longer work.
    """
    counts: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    for order in orders:
        if order.status in (Status.PENDING, Status.PREPARING):
            whole = allergens is not None and allergens.mentions(order.notes)
            for item in station_items(order, station):
                if not item.done:
                    name = one_line(item.name)
                    counts[name] += item.quantity
                    if whole or (
                        allergens is not None
                        and (
                            any(allergens.mentions(t) for t in [*item.modifiers, item.notes])
                            or allergens.says_allergy(item.name)
                        )
                    ):
                        flagged[name] += item.quantity
    rows = sorted(counts.items(), key=lambda pair: (-pair[1], natural(pair[0])))
    return [AllDay(name, count, flagged[name]) for name, count in rows]


def natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that reads numbers as numbers: ``Dish 2`` before ``Dish 10``."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.split(r"(\d+)", text.casefold())
        if part
    )


def status_counts(orders: Iterable[Order]) -> dict[Status, int]:
    """How many tickets are in each open status."""
    counts = dict.fromkeys(OPEN_STATUSES, 0)
    for order in orders:
        if order.status in counts:
            counts[order.status] += 1
    return counts


def who(order: Order) -> str:
    """Order type and table or customer, e.g. ``Dine-in · T4`` or ``Takeout · Ana``."""
    kind = ORDER_TYPE_LABELS.get(order.order_type, str(order.order_type))
    where = where_to(order)
    return f"{kind} · {where}" if where else kind


def where_to(order: Order) -> str:
    """The table (``T4``) or customer the order goes to, if it says."""
    if order.order_type == OrderType.DINE_IN and order.table:
        table = one_line(order.table)
        return f"T{table}" if table.isdigit() else table
    return one_line(order.customer_name or order.table or "")


def describe_edit(before: Order, after: Order) -> list[str]:
    """What an edit changed, in words a cook reads at a glance (done marks are not edits)."""
    changes: list[str] = []

    def label(item: Item) -> str:
        extra = f" ({', '.join(item.modifiers)})" if item.modifiers else ""
        note = f" » {item.notes}" if item.notes else ""
        return f"{item.quantity}× {item.name}{extra}{note}"  # noqa: RUF001

    old = Counter(label(i) for i in before.items)
    new = Counter(label(i) for i in after.items)
    changes += [f"+ {text}" for text in (new - old).elements()]
    changes += [f"− {text}" for text in (old - new).elements()]  # noqa: RUF001
    if before.notes != after.notes:
        changes.append(f"notes: {after.notes or '(none)'}")
    if before.priority != after.priority:
        changes.append("now RUSH" if after.priority == Priority.RUSH else "no longer rush")
    if before.table != after.table or before.customer_name != after.customer_name:
        changes.append(who(after))
    if before.order_type != after.order_type:
        changes.append(ORDER_TYPE_LABELS.get(after.order_type, str(after.order_type)))
    return changes


OFFLINE_NOTE = "✕ OFFLINE: showing the last known state"


def connection_word(state: str, *, refused: bool, ever_live: bool) -> str:
    """The one word for the feed's state, the same in the header and the banner: LIVE,
    NOT ALLOWED, NOT CONNECTED YET (never live since the display started) or OFFLINE
    (was live; connecting again, or waiting to)."""
    if state == "live":
        return "LIVE"
    if refused:
        return "NOT ALLOWED"
    return "OFFLINE" if ever_live else "NOT CONNECTED YET"


def stale_note(*, refused: bool, ever_live: bool, url: str | None, error: str | None) -> str:
    """What the board's banner says while it is not live, so a cook knows what to do."""
    if refused:
        return (
            f"✕ NOT ALLOWED: {error or 'the server refused this display'}. "
            "Ask a manager for a kitchen token (kds-server token create --role kitchen) "
            "and restart the display with it"
        )
    if not ever_live:
        why = f": {error}" if error else ""
        return f"◌ NOT CONNECTED YET to {url or 'the server'}{why}. No orders shown until it is"
    return OFFLINE_NOTE


def known_stations(orders: Iterable[Order], menu: Iterable[str] = ()) -> list[str]:
    """The stations the server knows of: the menu's and those on open orders' items."""
    names: dict[str, str] = {}
    for name in [*menu, *(i.station for o in orders for i in o.items if i.station)]:
        clean = one_line(name).strip()
        if clean:
            names.setdefault(clean.casefold(), clean)
    return sorted(names.values(), key=str.casefold)


def station_warning(station: str | None, known: Sequence[str]) -> str | None:
    """What to say when a display's station is none the server knows (None: it is one, or
    nothing is known yet to tell)."""
    if station is None or not known:
        return None
    if any(name.casefold() == station.casefold() for name in known):
        return None
    folded = {name.casefold(): name for name in known}
    close = difflib.get_close_matches(station.casefold(), list(folded), n=1, cutoff=0.6)
    hint = f" Did you mean {folded[close[0]]}?" if close else ""
    return (
        f"✕ NO STATION CALLED '{one_line(station)}': the menu and the open orders know "
        f"{', '.join(known)}.{hint} Restart with --station NAME, or without it for every station"
    )
