"""What the kitchen sees, worked out from orders: no Textual, no I/O.

Which tickets a station shows and in what order, the lines of one ticket, how tickets
flow into columns and pages, the all-day counts, and what an edit changed. Kept pure so
the widgets stay small and these rules can be tested without a screen.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from kds_contract import OPEN_STATUSES, Item, Order, OrderType, Priority, Status

STATUS_LABELS: dict[Status, str] = {
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

TICKET_CHROME = 4
"""Lines of a ticket that are not items or notes: two border lines, the head and the meta line."""
CONTINUED_CHROME = 3
"""A ticket continued in the next column repeats its head, not its meta line."""
MIN_PART = 3
"""Fewest body lines worth starting a ticket with at the foot of a column (and tickets of
no more than twice this many are never split)."""


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
    """How long ago the order was created (its timer runs from creation, recalls included)."""
    return max(0.0, (now - order.created_at).total_seconds())


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
    """Rush orders first, then by arrival."""
    return (0 if order.priority == Priority.RUSH else 1, order.created_at, order.id)


def visible_orders(orders: Iterable[Order], station: str | None) -> list[Order]:
    """The tickets a station shows, in board order."""
    return sorted((o for o in orders if shows(o, station)), key=sort_key)


def next_item(order: Order, station: str | None) -> Item | None:
    """The item ``d`` marks done: the first unfinished one of this station."""
    return next((i for i in station_items(order, station) if not i.done), None)


def last_done_item(order: Order, station: str | None) -> Item | None:
    """The item ``D`` marks not done again: the last finished one of this station."""
    done = [i for i in station_items(order, station) if i.done]
    return done[-1] if done else None


def station_progress(order: Order) -> list[tuple[str, bool]]:
    """Each station on the order and whether it has finished its part (for the expo view)."""
    progress: dict[str, bool] = {}
    for item in order.items:
        if item.station:
            progress[item.station] = progress.get(item.station, True) and item.done
    return list(progress.items())


def all_day(orders: Iterable[Order], station: str | None) -> list[tuple[str, int]]:
    """How many of each item are still to make on open tickets, most first.

    Items already done, and tickets already ready, are left out: they are no longer work.
    """
    counts: Counter[str] = Counter()
    for order in orders:
        if order.status in (Status.PENDING, Status.PREPARING):
            for item in station_items(order, station):
                if not item.done:
                    counts[item.name] += item.quantity
    return sorted(counts.items(), key=lambda pair: (-pair[1], natural(pair[0])))


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
    if order.order_type == OrderType.DINE_IN and order.table:
        return f"{kind} · T{order.table}" if order.table.isdigit() else f"{kind} · {order.table}"
    name = order.customer_name or order.table
    return f"{kind} · {name}" if name else kind


def fit(text: str, width: int) -> str:
    """Cut a line to ``width`` cells, with an ellipsis when cut."""
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + "…"


@dataclass(frozen=True)
class ItemLine:
    """One line of a ticket's item list."""

    text: str
    kind: str
    """``item``, ``done``, ``next`` (what ``d`` marks), ``modifier`` or ``note``."""


@dataclass(frozen=True)
class TicketView:
    """Everything a ticket shows, cut to its width: the card renders it as is."""

    head: str
    meta: str
    items: tuple[ItemLine, ...]
    notes: tuple[str, ...]
    stations: tuple[str, ...]
    """Expo view: each station and whether its part is done, wrapped to the width."""

    @property
    def body(self) -> int:
        """Lines below the head and meta line: notes, items, stations."""
        return len(self.notes) + len(self.items) + len(self.stations)

    @property
    def height(self) -> int:
        """Lines the whole ticket takes on screen, borders included."""
        return TICKET_CHROME + self.body

    def part(
        self, start: int, end: int
    ) -> tuple[tuple[str, ...], tuple[ItemLine, ...], tuple[str, ...]]:
        """The notes, items and stations lines among body lines ``start`` to ``end``.

        The body reads notes first, so an allergy is on the first part of a long ticket.
        """
        notes, items = len(self.notes), len(self.items)
        return (
            self.notes[start:end],
            self.items[max(0, start - notes) : max(0, end - notes)],
            self.stations[max(0, start - notes - items) : max(0, end - notes - items)],
        )


MAX_WRAP = 3
"""Most lines one item name, modifier group or item note may wrap to."""


def wrap(text: str, width: int, first: str, rest: str, most: int = MAX_WRAP) -> list[str]:
    """``text`` wrapped under a lead (``first``, then ``rest``), at most ``most`` lines.

    Kitchen text is wrapped rather than cut, so no modifier is lost on a narrow ticket.
    """
    room = max(4, width - len(first))
    lines = textwrap.wrap(text, room, break_long_words=True) or [""]
    if len(lines) > most:
        lines = [*lines[: most - 1], fit(lines[most - 1] + " …", room)]
    return [(first if n == 0 else rest) + line for n, line in enumerate(lines)]


def item_lines(item: Item, width: int, *, marker: str, compact: bool = False) -> list[ItemLine]:
    """An item's lines: the item, its modifiers (all on one line when compact), its note."""
    kind = "done" if item.done else ("next" if marker == "▸" else "item")
    lead = f"{'✓' if item.done else marker}{item.quantity:>2} "
    lines = [ItemLine(t, kind) for t in wrap(item.name, width, lead, " " * len(lead))]
    groups = [", ".join(item.modifiers)] if compact and item.modifiers else item.modifiers
    # Modifiers and notes are never cut (an allergy may be the last word): a long ticket
    # carries on in the next column instead.
    whole = len(", ".join(item.modifiers)) + len(item.notes or "") + 1
    for group in groups:
        lines += [ItemLine(t, "modifier") for t in wrap(group, width, "    + ", "      ", whole)]
    if item.notes:
        lines += [ItemLine(t, "note") for t in wrap(item.notes, width, "    » ", "      ", whole)]
    return lines


def ticket_view(
    order: Order,
    station: str | None,
    width: int,
    *,
    mark_next: bool = False,
    compact: bool = False,
) -> TicketView:
    """The lines of one ticket at an inner ``width``; nothing is left out.

    ``compact`` (small screens) puts each item's modifiers on one line. A ticket taller than
    a column carries on in the next one (see :func:`paginate`) rather than being cut.
    """
    width = max(8, width)
    head = fit(f"#{order.id} {STATUS_LABELS[order.status]}", width)
    rush = "‼ " if order.priority == Priority.RUSH else ""
    meta = fit(rush + who(order), width)
    marked = next_item(order, station) if mark_next else None
    next_id = marked.id if marked is not None else None
    lines: list[ItemLine] = []
    for item in station_items(order, station):
        marker = "▸" if item.id == next_id else " "
        lines += item_lines(item, width, marker=marker, compact=compact)
    # Order notes (allergies) are never shortened.
    notes = (textwrap.wrap("⚠ " + order.notes, width) or ["⚠"]) if order.notes else []
    stations: list[str] = []
    if station is None:
        progress = station_progress(order)
        if progress:
            text = "  ".join(f"{name} {'✓' if ok else '…'}" for name, ok in progress)
            stations = textwrap.wrap(text, width) or []
    return TicketView(head, meta, tuple(lines), tuple(notes), tuple(stations))


@dataclass(frozen=True)
class Placement:
    """Body lines ``start`` to ``end`` of ticket ``index``, in one column."""

    index: int
    start: int
    end: int

    @property
    def continued(self) -> bool:
        """Whether this is the rest of a ticket begun in an earlier column."""
        return self.start > 0


Page = list[list[Placement]]
"""The columns of one page, each a list of placements, top to bottom."""


def paginate(
    bodies: Sequence[int], columns: int, column_height: int
) -> list[list[list[Placement]]]:
    """Lay tickets out in board order, each in the column with the most room left.

    Tickets read left to right and top to bottom and fill the screen evenly. A ticket that
    does not fit starts at the foot of a column when a few of its lines fit there and carries
    on at the top of the next column (or page), so no space is wasted and nothing is hidden.

    Args:
        bodies: each ticket's body lines (``TicketView.body``).
        columns: columns on a page.
        column_height: lines in a column.

    Returns:
        Pages of columns of placements.
    """
    columns = max(1, columns)
    column_height = max(column_height, TICKET_CHROME + MIN_PART)
    pages: list[Page] = []
    page: Page = [[] for _ in range(columns)]
    used = [0] * columns

    def new_page() -> None:
        nonlocal page, used
        pages.append(page)
        page, used = [[] for _ in range(columns)], [0] * columns

    for index, body in enumerate(bodies):
        start, after = 0, -1
        while True:
            # A ticket's continuation goes to a column right of its previous part.
            candidates = range(after + 1, columns) if start else range(columns)
            if not candidates:
                new_page()
                after = -1
                continue
            column = min(candidates, key=lambda c: (used[c], c))
            chrome = CONTINUED_CHROME if start else TICKET_CHROME
            room = column_height - used[column] - chrome
            rest = body - start
            if rest <= room:
                page[column].append(Placement(index, start, body))
                used[column] += chrome + rest
                break
            worth_splitting = room >= MIN_PART and body > 2 * MIN_PART
            if worth_splitting or (used[column] == 0 and room > 0):
                page[column].append(Placement(index, start, start + room))
                used[column] = column_height
                start, after = start + room, column
                continue
            new_page()
            after = -1
    if any(page) or not pages:
        pages.append(page)
    return pages


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


def only_done_marks_changed(before: Order, after: Order) -> bool:
    """Whether an update only ticked items done or not done (a station at work, not an edit)."""
    return not describe_edit(before, after)


OFFLINE_NOTE = "⚠ OFFLINE: showing the last known state"


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
