"""How orders read in a terminal: short, plain text that survives 16 colours and SSH."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from kds_client.text import allergies
from kds_contract import Order, OrderType, Priority, Status
from kds_contract.allergens import ALLERGY_MARK

STATUS_STYLE: dict[Status, str] = {
    Status.SCHEDULED: "#af87ff",
    Status.PENDING: "bold #ffd700",
    Status.PREPARING: "bold #00d7d7",
    Status.READY: "bold #5fd75f",
    Status.COMPLETED: "dim",
    Status.CANCELLED: "#d70000",
}
"""Colours chosen to stay distinct when downgraded to 16 colours (violet, yellow, cyan, bright
green, grey, red). ANSI names would go through the theme, where yellow is orange and becomes
red."""

TYPE_LABEL: dict[OrderType, str] = {
    OrderType.DINE_IN: "dine-in",
    OrderType.TAKEOUT: "takeout",
    OrderType.DELIVERY: "delivery",
}

MOVE_VERB: dict[tuple[Status, Status], str] = {
    (Status.SCHEDULED, Status.PENDING): "fire now",
    (Status.PENDING, Status.PREPARING): "start",
    (Status.PREPARING, Status.READY): "ready",
    (Status.PREPARING, Status.PENDING): "undo",
    (Status.READY, Status.COMPLETED): "bump",
    (Status.READY, Status.PREPARING): "undo",
    (Status.COMPLETED, Status.READY): "recall",
}
"""The kitchen's word for a move, where it has one; cancel is just 'cancel'."""


def status_text(status: Status | str) -> Text:
    """The status as coloured text."""
    status = Status(status)
    return Text(status.value, style=STATUS_STYLE[status])


def duration(seconds: float | None) -> str:
    """A short duration: ``45s``, ``12m``, ``3h05``, ``2d``."""
    if seconds is None:
        return "-"
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}"
    return f"{seconds // 86400}d"


def precise_duration(seconds: float | None) -> str:
    """A duration to the second where it matters: ``45s``, ``1m 31s``, ``1h 05m``, ``2d 03h``."""
    if seconds is None:
        return "-"
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600:02d}h"


def since(moment: datetime | None, now: datetime) -> str:
    """How long ago ``moment`` was, as :func:`duration` writes it."""
    if moment is None:
        return "-"
    return duration((now - moment).total_seconds())


def age(order: Order, now: datetime) -> Text:
    """How long the order has been in the kitchen, from its fire time; for a closed order,
    how long it took (dim, as it no longer grows); ``-`` for an order not fired yet."""
    if order.status is Status.SCHEDULED:
        return Text("-", style="dim")
    if order.status in (Status.COMPLETED, Status.CANCELLED):
        end = order.status_entered_at() or order.updated_at
        if end < order.timer_start():  # cancelled before it fired: never in the kitchen
            return Text("-", style="dim")
        return Text(duration((end - order.timer_start()).total_seconds()), style="dim")
    return Text(since(order.timer_start(), now))


def money(cents: int | None) -> str:
    """``1250`` -> ``12.50``; nothing when the order has no total."""
    return "" if cents is None else f"{cents / 100:.2f}"


def who(order: Order) -> str:
    """Table and customer, as far as known: ``T12``, ``Ann``, ``T4 Ann``, ``Patio 3``."""
    parts = []
    if order.table:
        # "T" marks a table number; a table with a name of its own (Patio 3) reads as it is.
        parts.append(f"T{order.table}" if order.table.isdecimal() else order.table)
    if order.customer_name:
        parts.append(order.customer_name)
    return " ".join(parts) or "-"


def items_summary(order: Order) -> str:
    """``2x Burger, Fries, Cola``."""
    return ", ".join(
        f"{item.quantity}x {item.name}" if item.quantity > 1 else item.name for item in order.items
    )


ALLERGY_STYLE = "bold #ff5f5f"


def items_cell(order: Order) -> Text:
    """The items, after ``⚠`` and the allergens when the order's notes name one
    (``⚠ peanuts: 2x Burger, Fries``): an allergy is seen at a glance in the list."""
    found = allergies(order)
    text = Text()
    if found:
        text.append(f"{ALLERGY_MARK} {', '.join(found)}: ", style=ALLERGY_STYLE)
    text.append(items_summary(order))
    return text


def number(order: Order) -> Text:
    """The order number, with ``!`` in front of a rush order."""
    if order.priority == Priority.RUSH:
        return Text(f"!{order.id}", style="bold #ff5f5f")
    return Text(str(order.id))


def local_time(moment: datetime | None, now: datetime) -> str:
    """``14:02:11`` in the clock's time zone, with the date when it is not today."""
    if moment is None:
        return "-"
    moment = moment.astimezone(now.tzinfo)
    if moment.date() == now.date():
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M")


def move_label(current: Status, target: Status) -> str:
    """``ready (bump)``-style label of a move for menus and notifications."""
    verb = MOVE_VERB.get((current, target))
    return f"{target.value} ({verb})" if verb else target.value


def identity(order: Order, width: int = 44) -> str:
    """The order as a person recognises it: ``order 2106 (T5 Ann: 2x Burger, Cola)``; the
    items are cut to ``width`` cells with an ellipsis (the full list is in the detail)."""
    items = items_summary(order)
    if cell_len(items) > width:
        cut = Text(items)
        cut.truncate(width, overflow="ellipsis")
        items = cut.plain
    return f"order {order.id} ({who(order)}: {items})"


def titled_table(title: str, **options: Any) -> Table:
    """A table as the console's screens draw one: no box, a cell's space either side, its
    title bold on the left; ``options`` are Rich's (``header_style``, ``show_header``)."""
    return Table(
        box=None, padding=(0, 1), title=title, title_justify="left", title_style="bold", **options
    )
