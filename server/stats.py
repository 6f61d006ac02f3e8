"""The day's figures, computed from the orders (no web or database imports)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from kds_contract import OPEN_STATUSES, Order, Status

SLOWEST_OPEN = 5


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _durations(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"median_s": None, "p90_s": None, "n": 0}
    return {
        "median_s": round(median(values), 1),
        "p90_s": round(_percentile(values, 0.9), 1),
        "n": len(values),
    }


def figures(orders: list[Order], since: datetime, until: datetime, now: datetime) -> dict[str, Any]:
    """Counts by status, time to ready and to completion, orders per hour, slowest open."""
    in_range = [o for o in orders if since <= o.created_at < until]
    counts = Counter(str(o.status) for o in in_range)
    to_ready = [
        (o.ready_at - o.created_at).total_seconds() for o in in_range if o.ready_at is not None
    ]
    to_complete = [
        (o.completed_at - o.created_at).total_seconds()
        for o in in_range
        if o.completed_at is not None and o.status is Status.COMPLETED
    ]
    per_hour: list[dict[str, Any]] = []
    hour = since.replace(minute=0, second=0, microsecond=0)
    buckets = Counter(o.created_at.replace(minute=0, second=0, microsecond=0) for o in in_range)
    while hour < min(until, now + timedelta(hours=1)):
        per_hour.append({"hour": hour.isoformat().replace("+00:00", "Z"), "count": buckets[hour]})
        hour += timedelta(hours=1)
    open_orders = sorted(
        (o for o in orders if o.status in OPEN_STATUSES), key=lambda o: o.created_at
    )[:SLOWEST_OPEN]
    return {
        "since": since.isoformat().replace("+00:00", "Z"),
        "until": until.isoformat().replace("+00:00", "Z"),
        "total": len(in_range),
        "counts": {str(s): counts.get(str(s), 0) for s in Status},
        "time_to_ready": _durations(to_ready),
        "time_to_complete": _durations(to_complete),
        "per_hour": per_hour,
        "slowest_open": [
            {**o.wire(), "age_s": round((now - o.created_at).total_seconds(), 1)}
            for o in open_orders
        ],
    }
