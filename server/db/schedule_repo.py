"""The menu, and the scheduler's questions about scheduled orders."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kds_contract import Status
from kds_contract.menu import Menu, MenuItem, menu_key
from server.db.repo import events, orders, seq_counter
from server.db.tables import MenuItemRow

menu_items = cast(Table, MenuItemRow.__table__)

_SCHEDULED = str(Status.SCHEDULED)


async def due_to_fire(conn: AsyncConnection, now: datetime, limit: int) -> list[int]:
    """The ids of scheduled orders whose fire time has come, the earliest first."""
    result = await conn.execute(
        select(orders.c.id)
        .where(and_(orders.c.status == _SCHEDULED, orders.c.fire_at <= now))
        .order_by(orders.c.fire_at, orders.c.id)
        .limit(limit)
    )
    return [int(row[0]) for row in result]


async def next_fire_at(conn: AsyncConnection) -> datetime | None:
    """The earliest fire time of a scheduled order, None when there is none."""
    result = await conn.execute(
        select(orders.c.fire_at)
        .where(and_(orders.c.status == _SCHEDULED, orders.c.fire_at.is_not(None)))
        .order_by(orders.c.fire_at)
        .limit(1)
    )
    value: datetime | None = result.scalar_one_or_none()
    return value


async def load_menu(conn: AsyncConnection) -> tuple[Menu, int]:
    """The menu, in the order it was given, and its version."""
    result = await conn.execute(
        select(menu_items.c.name, menu_items.c.station, menu_items.c.prep_seconds).order_by(
            menu_items.c.position
        )
    )
    items = [MenuItem(name=r.name, station=r.station, prep_seconds=r.prep_seconds) for r in result]
    version = await conn.execute(select(seq_counter.c.menu_version).where(seq_counter.c.id == 1))
    return Menu(items=items), int(version.scalar_one_or_none() or 0)


async def replace_menu(conn: AsyncConnection, menu: Menu) -> int:
    """Put ``menu`` in place of the one stored; returns the menu's new version."""
    result = await conn.execute(
        update(seq_counter)
        .where(seq_counter.c.id == 1)
        .values(menu_version=seq_counter.c.menu_version + 1)
        .returning(seq_counter.c.menu_version)
    )
    version = int(result.scalar_one())
    await conn.execute(delete(menu_items))
    if menu.items:
        await conn.execute(
            insert(menu_items),
            [
                {
                    "key": menu_key(item.name),
                    "position": index,
                    "name": item.name,
                    "station": item.station,
                    "prep_seconds": item.prep_seconds,
                }
                for index, item in enumerate(menu.items)
            ],
        )
    return version


async def events_since(
    conn: AsyncConnection, since: datetime, after: int, limit: int
) -> list[tuple[int, str, datetime, str]]:
    """A page of the log's events at or after ``since`` with a seq after ``after``:
    (seq, type, at, payload as JSON text), in seq order."""
    result = await conn.execute(
        select(events.c.seq, events.c.type, events.c.at, events.c.data)
        .where(and_(events.c.seq > after, events.c.at >= since))
        .order_by(events.c.seq)
        .limit(limit)
    )
    return [(int(r.seq), str(r.type), r.at, str(r.data)) for r in result]
