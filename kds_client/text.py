"""Orders as plain text, for ``kds-order`` and logs."""

from __future__ import annotations

from collections.abc import Iterable

from kds_client.columns import table
from kds_client.item_text import format_duration
from kds_contract import Order, Priority
from kds_contract.allergens import DEFAULT_ALLERGENS, Allergens
from kds_contract.models import utc_z


def _when(order: Order) -> str:
    return order.created_at.strftime("%H:%M:%S")


def order_line(order: Order) -> str:
    """``order 12 (pending, rush) table 4: 2x Cheeseburger, Fries``."""
    flags = [str(order.status)] + (["rush"] if order.priority is Priority.RUSH else [])
    where = f" table {order.table}" if order.table else ""
    who = f" for {order.customer_name}" if order.customer_name else ""
    items = ", ".join(f"{i.quantity}x {i.name}" if i.quantity > 1 else i.name for i in order.items)
    return f"order {order.id} ({', '.join(flags)}){where}{who}: {items}"


def order_table(orders: Iterable[Order]) -> str:
    """One line per order, with a header: id, status, age, type, table, items."""
    rows = [("ID", "STATUS", "CREATED", "TYPE", "TABLE/CUSTOMER", "PRIO", "ITEMS")]
    for o in orders:
        items = ", ".join(f"{i.quantity}x {i.name}" for i in o.items)
        rows.append(
            (
                str(o.id),
                str(o.status),
                _when(o),
                str(o.order_type),
                o.table or o.customer_name or "",
                "RUSH" if o.priority is Priority.RUSH else "",
                items if len(items) <= 60 else items[:57] + "...",
            )
        )
    return "\n".join(table(rows))


def order_text(order: Order, tracking_link: str | None = None) -> str:
    """An order in full, one fact per line, items with their ids for ``kds-order done``."""
    wire = order.wire()  # timestamps as the API writes them: 2026-11-26T10:49:08.360Z
    lines = [
        f"order {order.id}  {order.status}"
        + ("  RUSH" if order.priority is Priority.RUSH else "")
        + f"  version {order.version}",
        f"  type      {order.order_type}"
        + (f", table {order.table}" if order.table else "")
        + (f", for {order.customer_name}" if order.customer_name else ""),
        f"  created   {wire['created_at']}",
        f"  updated   {wire['updated_at']}",
    ]
    if order.due_at is not None:
        lines.append(f"  due       {wire['due_at']}")
    if order.fire_at is not None:
        lines.append(f"  fires     {wire['fire_at']}")
    if order.customer_email:
        lines.append(f"  email     {order.customer_email}")
    if tracking_link:
        lines.append(f"  tracking  {tracking_link}")
    if order.notes:
        lines.append(f"  NOTES     {order.notes}")
    if order.total_cents is not None:
        lines.append(f"  total     {order.total_cents / 100:.2f}")
    lines.append("  items")
    for item in order.items:
        mark = "[x]" if item.done else "[ ]"
        extra = "".join(f" +{m}" for m in item.modifiers)
        station = f" @{item.station}" if item.station else ""
        notes = f"  # {item.notes}" if item.notes else ""
        prep = f" ~{format_duration(item.prep_seconds)}" if item.prep_seconds is not None else ""
        fires = (
            f" (fires {utc_z(item.fire_at)})"
            if item.fire_at is not None and item.fire_at != order.fire_at
            else ""
        )
        what = f"{item.quantity}x {item.name}{extra}{prep}{station}"
        lines.append(f"    {mark} {item.id}: {what}{fires}{notes}")
    return "\n".join(lines)


def allergy_texts(order: Order) -> list[str | None]:
    """The texts of an order that may name an allergen: its notes, its items' modifiers and
    notes, and an item's name where it says "allergy" itself (a dish named "Peanut
    satay" is no allergy note; "Burger, nut allergy" is)."""
    texts: list[str | None] = [order.notes]
    for item in order.items:
        texts.extend(item.modifiers)
        texts.append(item.notes)
        if DEFAULT_ALLERGENS.says_allergy(item.name):
            texts.append(item.name)
    return texts


def allergies(order: Order, allergens: Allergens = DEFAULT_ALLERGENS) -> list[str]:
    """The allergens an order's notes name (``kds_contract.allergens``), ``allergy`` for one
    the list does not know; empty when none."""
    return allergens.named(allergy_texts(order))
