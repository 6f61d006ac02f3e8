"""The figures and reports as answers, from what the database counted (no web or database
imports): the period as counted, hours filled in, the same period a week before."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from kds_contract import Order, OrderType, Status
from kds_contract.models import utc_z
from kds_contract.period import Period

SLOWEST_OPEN = 5
MAX_DAYS = 366
"""The longest period of hours one answer lists."""
WEEK = timedelta(days=7)


class PeriodTooLong(ValueError):
    """The hours to list, up to now, span more than :data:`MAX_DAYS` days."""


@dataclass(frozen=True)
class Durations:
    n: int = 0
    median_s: float | None = None
    p90_s: float | None = None
    over_target: int = 0


@dataclass(frozen=True)
class Hour:
    start: datetime
    count: int
    kept: int = 0
    sales_cents: int = 0


@dataclass(frozen=True)
class Figures:
    """What ``GET /api/stats`` counts for a period."""

    counts: dict[str, int]
    to_ready: Durations
    to_complete: Durations
    hours: list[Hour]
    first: datetime | None
    slowest_open: list[Order]


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else utc_z(moment)


def _durations(value: Any) -> dict[str, Any]:
    return {"median_s": value.median_s, "p90_s": value.p90_s, "n": value.n}


def hour_span(period: Period, first: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """The hours to list: from the period's start (or its first order) to its end or now.

    Raises:
        PeriodTooLong: more than :data:`MAX_DAYS` days of hours.
    """
    start = period.since or first or now
    start = start.replace(minute=0, second=0, microsecond=0)
    end = min(period.until or now + timedelta(hours=1), now + timedelta(hours=1))
    if end - start > timedelta(days=MAX_DAYS):
        raise PeriodTooLong(
            f"the period up to now is at most {MAX_DAYS} days; ask for a shorter one"
        )
    return start, end


def figures(period: Period, found: Figures, now: datetime) -> dict[str, Any]:
    """Counts by status, time to ready and to completion, orders per hour, slowest open.

    Raises:
        PeriodTooLong: see :func:`hour_span`.
    """
    start, end = hour_span(period, found.first, now)
    by_hour = {hour.start: hour.count for hour in found.hours}
    per_hour: list[dict[str, Any]] = []
    hour = start
    while hour < end:
        per_hour.append({"hour": utc_z(hour), "count": by_hour.get(hour, 0)})
        hour += timedelta(hours=1)
    return {
        "since": _time(period.since),
        "until": _time(period.until),
        "first_order_at": _time(found.first),
        "total": sum(found.counts.values()),
        "counts": {s.value: found.counts.get(s.value, 0) for s in Status},
        "time_to_ready": _durations(found.to_ready),
        "time_to_complete": _durations(found.to_complete),
        "per_hour": per_hour,
        "slowest_open": [
            {**o.wire(), "age_s": round((now - o.timer_start()).total_seconds(), 1)}
            for o in found.slowest_open
        ],
    }


# --- reports -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sales:
    orders: int = 0
    sales_cents: int = 0
    with_total: int = 0
    cancelled: int = 0

    @property
    def average_cents(self) -> int | None:
        return round(self.sales_cents / self.with_total) if self.with_total else None


@dataclass(frozen=True)
class Sold:
    name: str
    quantity: int
    orders: int


@dataclass(frozen=True)
class Cancelled:
    from_status: str
    by: str
    role: str | None
    count: int


@dataclass(frozen=True)
class PeriodReport:
    """What the database counted for one period of a report."""

    sales: Sales = field(default_factory=Sales)
    by_type: dict[str, Sales] = field(default_factory=dict)
    hours: list[Hour] = field(default_factory=list)
    ticket_times: Durations = field(default_factory=Durations)
    by_station: dict[str, Durations] = field(default_factory=dict)
    by_item: dict[str, Durations] = field(default_factory=dict)
    product_mix: list[Sold] = field(default_factory=list)
    cancellations: list[Cancelled] = field(default_factory=list)


def previous_week(period: Period, now: datetime) -> Period:
    """The same period a week before; a period that runs to now or later is compared up to
    the same time a week ago (today so far with the same day last week, so far)."""
    until = period.until if period.until is not None and period.until <= now else now
    return Period(period.since, until).shifted(-WEEK)


def _sales(value: Sales) -> dict[str, Any]:
    return {
        "orders": value.orders,
        "sales_cents": value.sales_cents,
        "average_cents": value.average_cents,
        "with_total": value.with_total,
        "cancelled": value.cancelled,
    }


def _with_previous(now: Any, before: Any) -> dict[str, Any]:
    return {**now, "previous": before}


def _times(value: Durations) -> dict[str, Any]:
    return asdict(value)


def _local_hours(hours: list[Hour], zone: tzinfo) -> dict[int, Hour]:
    """UTC hours folded into the hours of the day in ``zone``."""
    folded: dict[int, Hour] = {}
    for hour in hours:
        local = hour.start.astimezone(zone).hour
        seen = folded.get(local, Hour(hour.start, 0))
        folded[local] = Hour(
            seen.start,
            seen.count + hour.count,
            seen.kept + hour.kept,
            seen.sales_cents + hour.sales_cents,
        )
    return folded


def report(
    period: Period,
    previous: Period,
    now_report: PeriodReport,
    before: PeriodReport,
    *,
    target_s: float,
    zone: tzinfo,
    zone_name: str,
) -> dict[str, Any]:
    """``GET /api/reports``: the period's figures, each with the week before's beside it."""
    types = [t.value for t in OrderType]
    hours_now, hours_before = _local_hours(now_report.hours, zone), _local_hours(before.hours, zone)
    busy = sorted(set(hours_now) | set(hours_before))
    by_hour = [
        {
            "hour_of_day": h,
            "orders": hours_now[h].kept if h in hours_now else 0,
            "sales_cents": hours_now[h].sales_cents if h in hours_now else 0,
            "previous": {
                "orders": hours_before[h].kept if h in hours_before else 0,
                "sales_cents": hours_before[h].sales_cents if h in hours_before else 0,
            },
        }
        for h in (range(busy[0], busy[-1] + 1) if busy else ())
    ]

    def times(now_by: dict[str, Durations], before_by: dict[str, Durations], key: str) -> Any:
        names = sorted(now_by, key=lambda n: (-now_by[n].n, n))
        return [
            {
                key: name,
                **_times(now_by[name]),
                "previous": _times(before_by.get(name, Durations())),
            }
            for name in names
        ]

    sold_before = {s.name: s for s in before.product_mix}
    return {
        "since": _time(period.since),
        "until": _time(period.until),
        "previous_since": _time(previous.since),
        "previous_until": _time(previous.until),
        "time_zone": zone_name,
        "target_s": target_s,
        "sales": _with_previous(_sales(now_report.sales), _sales(before.sales)),
        "by_type": [
            {
                "order_type": t,
                **_sales(now_report.by_type.get(t, Sales())),
                "previous": _sales(before.by_type.get(t, Sales())),
            }
            for t in types
        ],
        "by_hour": by_hour,
        "ticket_times": _with_previous(
            _times(now_report.ticket_times), _times(before.ticket_times)
        ),
        "by_station": times(now_report.by_station, before.by_station, "station"),
        "by_item": times(now_report.by_item, before.by_item, "name"),
        "product_mix": [
            {
                "name": s.name,
                "quantity": s.quantity,
                "orders": s.orders,
                "previous_quantity": sold_before[s.name].quantity if s.name in sold_before else 0,
            }
            for s in now_report.product_mix
        ],
        "cancellations": {
            "count": now_report.sales.cancelled,
            "previous": before.sales.cancelled,
            "by": [
                {"from_status": c.from_status, "by": c.by, "role": c.role, "count": c.count}
                for c in now_report.cancellations
            ],
        },
    }
