"""Orders and reports as CSV: ``kds-order list --csv``, ``kds-order report --csv`` and the
admin console's export write the same columns, from here.

A list is read page after page as it was when its first page was read (``max_id``), so an
export taken while orders stream in holds each order once. Times are ISO 8601 in UTC, as
the API sends them; money in cents, as the API sends it.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, TextIO

from kds_client.item_text import format_item
from kds_client.rest import KdsRest
from kds_client.text import allergies
from kds_contract import Order

ORDER_COLUMNS = (
    "id",
    "status",
    "order_type",
    "table",
    "customer_name",
    "priority",
    "total_cents",
    "items",
    "notes",
    "allergy",
    "created_at",
    "updated_at",
    "ready_at",
    "completed_at",
    "cancelled_at",
    "version",
)
"""The columns of an order export, in order."""
PAGE = 200
"""Orders asked for a page (the API's most)."""


def order_row(order: Order) -> list[str]:
    """One order as its CSV cells: ``items`` as the order form writes them
    (``2x Burger +no onion @grill``), separated by `` | ``; ``allergy`` the allergens its
    notes name (``kds_client.text.allergies``)."""
    cells: dict[str, Any] = {
        **order.wire(),
        "items": " | ".join(format_item(item) for item in order.items),
        "allergy": ", ".join(allergies(order)),
    }
    return ["" if cells.get(column) is None else str(cells[column]) for column in ORDER_COLUMNS]


async def all_pages(rest: KdsRest, **filters: Any) -> AsyncIterator[Order]:
    """Every order the filters match, page after page, each once."""
    page_number, max_id = 1, None
    while True:
        page = await rest.list_orders(page=page_number, per_page=PAGE, max_id=max_id, **filters)
        max_id = page.max_id if max_id is None else max_id
        for order in page.orders:
            yield order
        if page_number >= page.pages or not page.orders:
            return
        page_number += 1


async def write_orders(rest: KdsRest, out: TextIO, **filters: Any) -> int:
    """Write every order the filters match to ``out`` as CSV, with a header; how many."""
    writer = csv.writer(out)
    writer.writerow(ORDER_COLUMNS)
    count = 0
    async for order in all_pages(rest, **filters):
        writer.writerow(order_row(order))
        count += 1
    return count


REPORT_COLUMNS = ("section", "name", "figure", "value", "week_before")
"""A report as rows: which part, which station/item/type/hour, which figure, and the two."""


def report_rows(report: dict[str, Any]) -> Iterator[list[Any]]:
    """A ``GET /api/reports`` answer as rows of :data:`REPORT_COLUMNS`."""

    def pairs(section: str, name: Any, now: dict[str, Any], figures: Iterable[str]) -> Any:
        before = now.get("previous") or {}
        for figure in figures:
            yield [section, name, figure, now.get(figure), before.get(figure)]

    sales = ("orders", "sales_cents", "average_cents", "with_total", "cancelled")
    times = ("n", "median_s", "p90_s", "over_target")
    yield ["period", "", "since", report.get("since"), report.get("previous_since")]
    yield ["period", "", "until", report.get("until"), report.get("previous_until")]
    yield ["period", "", "target_s", report.get("target_s"), report.get("target_s")]
    yield from pairs("sales", "", report.get("sales") or {}, sales)
    for row in report.get("by_type") or []:
        yield from pairs("by_type", row.get("order_type"), row, sales[:3])
    for row in report.get("by_hour") or []:
        yield from pairs("by_hour", row.get("hour_of_day"), row, ("orders", "sales_cents"))
    yield from pairs("ticket_times", "", report.get("ticket_times") or {}, times)
    for row in report.get("by_station") or []:
        yield from pairs("by_station", row.get("station"), row, times)
    for row in report.get("by_item") or []:
        yield from pairs("by_item", row.get("name"), row, times)
    for row in report.get("product_mix") or []:
        yield ["product_mix", row["name"], "quantity", row["quantity"], row["previous_quantity"]]
        yield ["product_mix", row["name"], "orders", row["orders"], None]
    cancelled = report.get("cancellations") or {}
    yield ["cancellations", "", "count", cancelled.get("count"), cancelled.get("previous")]
    for row in cancelled.get("by") or []:
        who = f"from {row.get('from_status')} by {row.get('by')} ({row.get('role') or '-'})"
        yield ["cancellations", who, "count", row.get("count"), None]


def write_report(report: dict[str, Any], out: TextIO) -> None:
    """Write a report as CSV (:func:`report_rows`), with a header."""
    writer = csv.writer(out)
    writer.writerow(REPORT_COLUMNS)
    for row in report_rows(report):
        writer.writerow(["" if cell is None else cell for cell in row])
