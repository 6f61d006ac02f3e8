"""The orders of a view to a CSV file the console names (``kds_client.csv_export``'s columns,
as ``kds-order list --csv`` writes them)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from admin_tui.query import OrderQuery
from kds_client.csv_export import write_orders
from kds_client.rest import KdsRest


def export_path(now: datetime, folder: Path | None = None) -> Path:
    """``kds-orders-2026-12-06-091502.csv`` in ``folder`` (the current one), never an
    existing file."""
    folder = folder or Path.cwd()
    stem = f"kds-orders-{now:%Y-%m-%d-%H%M%S}"
    path, n = folder / f"{stem}.csv", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.csv"
    return path


async def export_view(rest: KdsRest, query: OrderQuery, now: datetime) -> tuple[Path, int]:
    """Write every order ``query`` shows (filters, search, days, sort; every page) to a new
    file; its path and how many orders.

    Raises:
        OSError: the file could not be written.
        KdsError: the server could not be read (the file is removed).
    """
    filters = query.rest_params(now)
    for paging in ("page", "per_page", "max_id"):
        filters.pop(paging, None)
    path = export_path(now)
    try:
        with path.open("x", newline="", encoding="utf-8") as out:
            count = await write_orders(rest, out, **filters)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path.resolve(), count
