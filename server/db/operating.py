"""What operators read from the database: screens seen, open tickets by station, orders by
status and how long the oldest has waited. Plain SQLAlchemy Core statements."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kds_contract import OPEN_STATUSES, Status
from kds_contract.screens import ScreenHello
from server.db.tables import OrderRow, ScreenRow

screens = cast(Table, ScreenRow.__table__)
orders = cast(Table, OrderRow.__table__)


def _identity(hello: ScreenHello) -> Any:
    return and_(
        screens.c.kind == str(hello.kind),
        screens.c.station == hello.station_key,
        screens.c.name == hello.name,
    )


async def screen_joined(
    conn: AsyncConnection, hello: ScreenHello, process: str, now: datetime
) -> None:
    """Record a screen as connected to ``process`` (made on its first join)."""
    values = {
        "shown_station": hello.station,
        "version": hello.version,
        "connected": True,
        "process": process,
        "connected_at": now,
        "last_seen_at": now,
    }
    result = await conn.execute(update(screens).where(_identity(hello)).values(**values))
    if not result.rowcount:
        await conn.execute(
            insert(screens).values(
                kind=str(hello.kind), station=hello.station_key, name=hello.name, **values
            )
        )


async def screen_left(
    conn: AsyncConnection, hello: ScreenHello, process: str, now: datetime
) -> None:
    """Record a screen as gone, unless another process holds it now (it failed over)."""
    await conn.execute(
        update(screens)
        .where(and_(_identity(hello), screens.c.process == process))
        .values(connected=False, last_seen_at=now)
    )


async def screens_seen(conn: AsyncConnection, process: str, now: datetime) -> None:
    """Every screen this process holds was seen now."""
    await conn.execute(
        update(screens)
        .where(and_(screens.c.process == process, screens.c.connected.is_(True)))
        .values(last_seen_at=now)
    )


async def forget_screens(conn: AsyncConnection, before: datetime) -> int:
    result = await conn.execute(delete(screens).where(screens.c.last_seen_at < before))
    return int(result.rowcount or 0)


async def list_screens(conn: AsyncConnection, since: datetime) -> list[Any]:
    """Rows of the screens seen since ``since`` (a connected one is seen every heartbeat)."""
    result = await conn.execute(
        select(screens)
        .where(screens.c.last_seen_at >= since)
        .order_by(screens.c.kind, screens.c.station, screens.c.name)
    )
    return list(result)


async def open_tickets_by_station(conn: AsyncConnection) -> Counter[str | None]:
    """Open orders with an item not done, by the item's station (lower case; None for
    items that have none). An order counts once per station."""
    result = await conn.execute(
        select(orders.c["items"]).where(orders.c.status.in_([str(s) for s in OPEN_STATUSES]))
    )
    texts = [items for (items,) in result]
    # Reading every open order's items is the scrape's largest cost: off the event loop.
    return await asyncio.to_thread(_stations_with_work, texts)


def _stations_with_work(texts: list[str]) -> Counter[str | None]:
    counts: Counter[str | None] = Counter()
    for items in texts:
        stations = {
            (item.get("station") or "").strip().lower() or None
            for item in json.loads(items)
            if not item.get("done")
        }
        counts.update(stations)
    return counts


async def orders_by_status(conn: AsyncConnection) -> dict[str, int]:
    result = await conn.execute(select(orders.c.status, func.count()).group_by(orders.c.status))
    counts = {str(s): 0 for s in Status}
    counts.update({str(status): int(n) for status, n in result})
    return counts


async def oldest_in_status(conn: AsyncConnection) -> dict[str, datetime]:
    """When the longest-waiting open order entered its status, by open status."""
    found: dict[str, datetime] = {}
    for status in OPEN_STATUSES:
        column = orders.c[f"{status}_at"]
        result = await conn.execute(select(func.min(column)).where(orders.c.status == str(status)))
        value = result.scalar_one_or_none()
        if value is not None:
            found[str(status)] = _aware(value)
    return found


def _aware(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite's min() returns the stored text
        value = datetime.fromisoformat(value)
    return cast(datetime, value if value.tzinfo else value.replace(tzinfo=UTC))
