"""Figures and reports over a period, computed by the database (aggregates, never every row).

Durations are in seconds between two of an order's times. A median is the middle value (the
mean of the two middle ones for an even count); a p90 is the nearest-rank 90th percentile:
the value at rank ceil(0.9 n) of the n sorted values. Both are found with window functions,
on SQLite and PostgreSQL alike. Items are read from their rows (``order_items``, written with
each order), never out of the orders' JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    String,
    and_,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    null,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import CompoundSelect, Select

from kds_contract import OPEN_STATUSES, Order, Status
from kds_contract.period import Period
from server.db.repo import ORDER_COLUMNS, events, order_items, orders, row_order
from server.stats import Cancelled, Durations, Hour, Sales, Sold

CANCELLED = Status.CANCELLED.value


def _is_pg(conn: AsyncConnection) -> bool:
    return conn.dialect.name == "postgresql"


def _seconds(conn: AsyncConnection, start: Any, end: Any) -> ColumnElement[float]:
    if _is_pg(conn):
        return cast(extract("epoch", end - start), Float)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


STARTED = func.coalesce(orders.c.fire_at, orders.c.created_at)
"""When the kitchen's clock for an order starts: its fire time (a scheduled order waits
outside the kitchen until then), its creation for orders made before fire times."""


def _hour(conn: AsyncConnection, moment: Any) -> ColumnElement[str]:
    """The UTC hour a time falls in, as ``YYYY-MM-DD HH``."""
    if _is_pg(conn):
        return func.to_char(func.timezone("UTC", moment), "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", moment)


def _json_text(conn: AsyncConnection, document: Any, key: str) -> ColumnElement[str]:
    """``document[key]`` as text (a JSON text column or an item from :func:`_items`)."""
    if _is_pg(conn):
        return cast(document, JSONB).op("->>")(key)
    return type_coerce(func.json_extract(document, f"$.{key}"), String)


def _in(period: Period, *more: ColumnElement[bool]) -> ColumnElement[bool]:
    """The orders of ``period``, its bounds left as parameters (:func:`_params`)."""
    bounds: list[ColumnElement[bool]] = []
    if period.since is not None:
        bounds.append(orders.c.created_at >= bindparam("since", type_=orders.c.created_at.type))
    if period.until is not None:
        bounds.append(orders.c.created_at < bindparam("until", type_=orders.c.created_at.type))
    return and_(True, *bounds, *more)


def _over(d: Any, target_s: float | None) -> ColumnElement[bool]:
    """A duration over the target (a parameter, :func:`_params`); none without one."""
    return d > bindparam("target", type_=Float()) if target_s is not None else literal(False)


def _params(period: Period, target_s: float | None = None) -> dict[str, Any]:
    """The values of :func:`_in`'s and :func:`_over`'s parameters."""
    values = {"since": period.since, "until": period.until, "target": target_s}
    return {name: value for name, value in values.items() if value is not None}


_BUILT: dict[tuple[Any, ...], Any] = {}
"""Each statement built once for each database and shape of question (which of the period's
bounds and the target there are): building the ticket times' statement took ~5 ms of
Python, more than some of the statements take to run."""


def _built(
    conn: AsyncConnection,
    name: str,
    period: Period,
    target_s: float | None,
    build: Callable[[], Any],
    *more: Any,
) -> Any:
    key = (name, conn.dialect.name, period.since is None, period.until is None, target_s is None)
    key += more
    found = _BUILT.get(key)
    if found is None:
        found = _BUILT[key] = build()
    return found


def _items_of(
    conn: AsyncConnection, order_id: ColumnElement[int], *where: ColumnElement[bool]
) -> tuple[Any, ColumnElement[bool]]:
    """The ``order_items`` rows of the order ``order_id`` (a column of the orders it is
    joined to) that pass ``where``, and the join's condition.

    On PostgreSQL they are a ``LATERAL`` subquery (its ``OFFSET`` keeps the planner from
    flattening it into a plain join), so each order's rows are looked up by the key: as a
    plain join, a database without statistics (a fresh one, or one whose items were just
    filled in by the migration, until it is analysed) was planned as a hash join over every
    item ever stored (1.5 million rows: ~500 ms where the period's took ~5)."""
    if not _is_pg(conn):
        return order_items, and_(order_items.c.order_id == order_id, *where)
    found = (
        select(order_items.c.name, order_items.c.station, order_items.c.quantity)
        .add_columns(order_items.c.first_of_name)
        .where(order_items.c.order_id == order_id, *where)
        .offset(0)
        .lateral()
    )
    return found, true()


_NO_JIT = sql_text(
    "SELECT set_config('jit', 'off', true) WHERE current_setting('jit', true) IS NOT NULL"
)
"""PostgreSQL's JIT compilation off for the rest of the report's transaction (where the
server has it). Without statistics the planner guesses thousands of item rows for each
order's key, and the statement's guessed cost starts a compilation that took ~400 ms, where
the statement runs in ~30 ms."""


def _not_cancelled() -> ColumnElement[bool]:
    return orders.c.status != CANCELLED


def _durations_select(
    source: Select[Any, Any] | CompoundSelect[Any], target_s: float | None
) -> Select[Any, Any]:
    """Median, p90, count (``n``) and how many over ``target_s`` (``over``), by ``grp``, of
    ``source``'s columns ``grp`` and ``d`` (the duration).

    The counts come from a plain ``GROUP BY``; the one window function numbers each group's
    durations in order, and only the rows at the median's and the p90's ranks are joined to
    the counts and aggregated (on SQLite a second window for the count and an aggregate over
    every numbered row cost as much again as the numbering). Groups of several kinds share
    one ``grp`` column, each kind's groups with a prefix of their own (:func:`ticket_times`):
    SQLite's window partitions by one column in two thirds of the time it takes by two."""
    src = source.cte("durations")
    over = _over(src.c.d, target_s)
    counts = (
        select(src.c.grp, func.count().label("n"), func.sum(case((over, 1), else_=0)).label("over"))
        .group_by(src.c.grp)
        .subquery()
    )
    ranked = select(
        src.c.grp,
        src.c.d,
        func.row_number().over(partition_by=src.c.grp, order_by=src.c.d).label("rn"),
    ).subquery()
    rn, n, d = ranked.c.rn, counts.c.n, ranked.c.d
    middle = or_(rn == (n + 1) // 2, rn == (n + 2) // 2)
    p90 = rn == (n * 9 + 9) // 10
    return (
        select(
            counts.c.grp,
            n,
            func.avg(case((middle, d))).label("median"),
            func.max(case((p90, d))).label("p90"),
            counts.c.over,
        )
        # Each numbered row looks up its group's counts (a LEFT JOIN, which SQLite keeps in
        # this order; the WHERE keeps only rows with counts, as an inner join would): the
        # other way round SQLite indexed every numbered row to look them up by group.
        .select_from(ranked.join(counts, counts.c.grp == ranked.c.grp, isouter=True))
        .where(or_(middle, p90))
        .group_by(counts.c.grp, n, counts.c.over)
    )


def _durations_of(row: Any) -> Durations:
    return Durations(int(row.n), _round(row.median), _round(row.p90), int(row.over or 0))


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


async def time_to(
    conn: AsyncConnection, period: Period, end: str, target_s: float | None = None
) -> Durations:
    """From fired (``STARTED``) to ``end`` (``ready``, ``completed``) for the orders of
    ``period`` that got there (for ``completed``, that are completed now)."""

    def build() -> Any:
        column = orders.c[f"{end}_at"]
        more: list[ColumnElement[bool]] = [column.is_not(None)]
        if end == Status.COMPLETED.value:
            more.append(orders.c.status == end)
        source = select(literal(1).label("grp"), _seconds(conn, STARTED, column).label("d")).where(
            _in(period, *more)
        )
        return _durations_select(source, target_s)

    statement = _built(conn, "time_to", period, target_s, build, end)
    for row in await conn.execute(statement, _params(period, target_s)):
        return _durations_of(row)
    return Durations()


ALL, STATION, NAME = "a", "s", "n"
"""The prefixes of :func:`ticket_times`' groups."""


@dataclass(frozen=True)
class TicketTimes:
    """What :func:`ticket_times` finds for a period."""

    all: Durations
    by_station: dict[str, Durations]
    by_item: dict[str, Durations]
    product_mix: list[Sold]


async def ticket_times(
    conn: AsyncConnection, period: Period, target_s: float | None
) -> TicketTimes:
    """In one statement, over the orders' item rows (``order_items``):

    - fired (``STARTED``) to ready, over the orders that got there, all of them and by the
      ``station`` and the item ``name`` of their items (an order counts once for each
      station or item it has, its first item of each; no station is ``""``);
    - the product mix: the items of the orders not cancelled by name, most sold first (then
      by name), with how many orders had them.
    """

    def build() -> Any:
        # Each order's duration, worked out once (not once per item).
        ready = (
            select(orders.c.id, _seconds(conn, STARTED, orders.c.ready_at).label("d"))
            .where(_in(period, orders.c.ready_at.is_not(None)))
            .cte("ready")
        )
        # One group column for the three kinds of groups: "a" (all), "s" and the station, "n"
        # and the item's name.
        sources: list[Select[Any, Any]] = [select(literal(ALL).label("grp"), ready.c.d)]
        for prefix, key in ((STATION, "station"), (NAME, "name")):
            items, on = _items_of(conn, ready.c.id, order_items.c[f"first_of_{key}"])
            sources.append(
                select((literal(prefix) + items.c[key]).label("grp"), ready.c.d).select_from(
                    ready.join(items, on)
                )
            )
        times = (
            _durations_select(union_all(*sources), target_s)
            .add_columns(null().label("quantity"), null().label("orders"))
            .add_columns(literal("times").label("kind"))
        )
        items, on = _items_of(conn, orders.c.id)
        mix = (
            select(
                items.c.name.label("grp"),
                null().label("n"),
                null().label("median"),
                null().label("p90"),
                null().label("over"),
                func.sum(items.c.quantity).label("quantity"),
                func.sum(case((items.c.first_of_name, 1), else_=0)).label("orders"),
                literal("mix").label("kind"),
            )
            .select_from(orders.join(items, on))
            .where(_in(period, _not_cancelled()))
            .group_by(items.c.name)
        )
        both = union_all(times, mix)
        return both.order_by(
            both.selected_columns.kind,
            both.selected_columns.quantity.desc(),
            both.selected_columns.grp,
        )

    statement = _built(conn, "ticket_times", period, target_s, build)
    if _is_pg(conn):
        await conn.execute(_NO_JIT)
    result = await conn.execute(statement, _params(period, target_s))
    found: dict[str, dict[str, Durations]] = {ALL: {}, STATION: {}, NAME: {}}
    sold: list[Sold] = []
    for row in result:
        if row.kind == "mix":
            sold.append(Sold(str(row.grp), int(row.quantity or 0), int(row.orders)))
        else:
            found[row.grp[0]][row.grp[1:]] = _durations_of(row)
    return TicketTimes(found[ALL].get("", Durations()), found[STATION], found[NAME], sold)


async def status_counts(conn: AsyncConnection, period: Period) -> dict[str, int]:
    def build() -> Any:
        return select(orders.c.status, func.count()).where(_in(period)).group_by(orders.c.status)

    statement = _built(conn, "status_counts", period, None, build)
    result = await conn.execute(statement, _params(period))
    return {str(status): int(count) for status, count in result}


async def first_created(conn: AsyncConnection, period: Period) -> datetime | None:
    """When the first order of ``period`` was created (None: no order)."""
    statement = _built(
        conn,
        "first",
        period,
        None,
        lambda: select(func.min(orders.c.created_at)).where(_in(period)),
    )
    return _utc((await conn.execute(statement, _params(period))).scalar())


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite answers an aggregate of times as text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def hours(conn: AsyncConnection, period: Period) -> list[Hour]:
    """Orders by the UTC hour they were created in, the hours with orders only, in order."""

    def build() -> Any:
        hour = _hour(conn, orders.c.created_at).label("hour")
        kept = case((_not_cancelled(), 1), else_=0)
        sales = case((_not_cancelled(), func.coalesce(orders.c.total_cents, 0)), else_=0)
        return (
            select(hour, func.count(), func.sum(kept), func.sum(sales))
            .where(_in(period))
            .group_by(hour)
            .order_by(hour)
        )

    result = await conn.execute(_built(conn, "hours", period, None, build), _params(period))
    return [
        Hour(
            datetime.strptime(text, "%Y-%m-%d %H").replace(tzinfo=UTC),
            int(count),
            int(kept or 0),
            int(sales or 0),
        )
        for text, count, kept, sales in result
    ]


def _sales_columns() -> list[Any]:
    kept = _not_cancelled()
    return [
        func.sum(case((kept, 1), else_=0)),
        func.sum(case((kept, func.coalesce(orders.c.total_cents, 0)), else_=0)),
        func.sum(case((and_(kept, orders.c.total_cents.is_not(None)), 1), else_=0)),
        func.sum(case((orders.c.status == CANCELLED, 1), else_=0)),
    ]


@dataclass(frozen=True)
class SalesFound:
    """What :func:`sales` finds for a period."""

    all: Sales
    by_type: dict[str, Sales]
    hours: list[Hour]


async def sales(conn: AsyncConnection, period: Period) -> SalesFound:
    """The sales of the orders of ``period``: all of them, by order type, and by the UTC hour
    they were created in (the hours with orders only, in order), from one statement that
    counts them by hour and order type (at most 24 x 3 rows a day, added up here)."""

    def build() -> Any:
        hour = _hour(conn, orders.c.created_at).label("hour")
        return (
            select(hour, orders.c.order_type, func.count(), *_sales_columns())
            .where(_in(period))
            .group_by(hour, orders.c.order_type)
        )

    result = await conn.execute(_built(conn, "sales", period, None, build), _params(period))
    every: dict[str, int] = {}
    by_hour: dict[str, Sales] = {}
    by_type: dict[str, Sales] = {}
    for text, order_type, count, *columns in result:
        found = Sales(*(int(value or 0) for value in columns))
        every[text] = every.get(text, 0) + int(count)
        by_hour[text] = _add(by_hour.get(text, Sales()), found)
        by_type[str(order_type)] = _add(by_type.get(str(order_type), Sales()), found)
    hours = [
        Hour(
            datetime.strptime(text, "%Y-%m-%d %H").replace(tzinfo=UTC),
            every[text],
            by_hour[text].orders,
            by_hour[text].sales_cents,
        )
        for text in sorted(by_hour)
    ]
    total = Sales()
    for found in by_type.values():
        total = _add(total, found)
    return SalesFound(total, by_type, hours)


def _add(a: Sales, b: Sales) -> Sales:
    return Sales(
        a.orders + b.orders,
        a.sales_cents + b.sales_cents,
        a.with_total + b.with_total,
        a.cancelled + b.cancelled,
    )


async def cancellations(conn: AsyncConnection, period: Period) -> list[Cancelled]:
    """The cancelled orders of ``period``, by the status they left and who cancelled them."""

    def build() -> Any:
        # The event's status is read only once its order is known to be cancelled: a test of the
        # event's JSON alone let PostgreSQL (with no statistics yet) start from the events and
        # parse every event's payload (100-150 ms for 8,000 events, where the cancelled orders'
        # events take a few); tied to the order's row, it is tested after the join.
        new_status = case(
            (orders.c.status == CANCELLED, _json_text(conn, events.c.data, "newStatus"))
        )
        old = _json_text(conn, events.c.data, "oldStatus").label("old")
        by = func.coalesce(_json_text(conn, events.c.actor, "name"), "").label("by")
        role = _json_text(conn, events.c.actor, "role").label("role")
        return (
            select(old, by, role, func.count())
            .select_from(events.join(orders, orders.c.id == events.c.order_id))
            .where(
                _in(
                    period,
                    orders.c.status == CANCELLED,
                    events.c.type == "order:statusUpdated",
                    new_status == CANCELLED,
                )
            )
            .group_by(old, by, role)
            .order_by(func.count().desc(), old, by)
        )

    statement = _built(conn, "cancellations", period, None, build)
    result = await conn.execute(statement, _params(period))
    return [Cancelled(str(o or "?"), str(b), r, int(c)) for o, b, r, c in result]


async def oldest_open(conn: AsyncConnection, limit: int) -> list[Order]:
    """The open orders that have waited longest, oldest first (any day)."""
    result = await conn.execute(
        select(*ORDER_COLUMNS)
        .where(orders.c.status.in_([s.value for s in OPEN_STATUSES]))
        .order_by(STARTED, orders.c.id)
        .limit(limit)
    )
    return [row_order(row) for row in result]
