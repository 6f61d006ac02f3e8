"""Scheduled orders (issue 15): how late the server fires them, and what waiting costs.

Firing accuracy: 1,000 orders due at random moments of one minute (no prep time, so each
fires at its due time), made ahead through the API; once all have fired, each one's delay is
its ``scheduled -> pending`` event's time minus its ``fire_at`` (both the server's clock).

Idle CPU: the server's CPU over a quiet window with nothing scheduled, then with 1,000
orders scheduled an hour ahead (the scheduler sleeps until the next fire time, and looks at
least every 2 s): what the scheduler costs while it waits.
"""

from __future__ import annotations

import json
import random
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import Server, cpu_seconds, latency_summary, print_table, start_kds

ORDERS = 1000
MINUTE_S = 60.0
LEAD_S = 45.0
"""How far ahead the minute starts: time to make the orders before the first is due."""
IDLE_WINDOW_S = 20.0
CONCURRENCY = 16


def _call(server: Server, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        server.url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {server.tokens['admin']}",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def _create(server: Server, dues: list[datetime]) -> list[int]:
    def one(due: datetime) -> int:
        body = {"items": [{"name": "Bench pie"}], "due_at": due.isoformat()}
        return int(_call(server, "POST", "/api/orders", body)["order"]["id"])

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        return list(pool.map(one, dues))


def _scheduled(server: Server) -> int:
    return int(_call(server, "GET", "/api/orders?status=scheduled&per_page=1")["total"])


def _fires(server: Server) -> list[float]:
    """Each fired order's delay after its fire time, in seconds, from the event log."""
    delays, after = [], 0
    while True:
        page = _call(server, "GET", f"/api/events?after={after}&limit=5000")
        for event in page["events"]:
            data = event["data"]
            if data.get("oldStatus") == "scheduled" and data.get("newStatus") == "pending":
                at = datetime.fromisoformat(event["at"].replace("Z", "+00:00"))
                planned = datetime.fromisoformat(data["order"]["fire_at"].replace("Z", "+00:00"))
                delays.append((at - planned).total_seconds())
        if not page["events"]:
            return delays
        after = page["events"][-1]["seq"]


def _idle_cpu(server: Server, window: float) -> float:
    """The server's CPU over ``window`` seconds, as % of one core."""
    before, started = cpu_seconds(server.pid), time.monotonic()
    time.sleep(window)
    used = cpu_seconds(server.pid) - before
    return round(100 * used / (time.monotonic() - started), 2)


def _accuracy(db_url: str | None, label: str) -> dict[str, Any]:
    server = start_kds(f"sched-{label}", db_url=db_url, rate_limit=0)
    try:
        idle_empty = _idle_cpu(server, IDLE_WINDOW_S)
        far = datetime.now(UTC) + timedelta(hours=1)
        _create(server, [far + timedelta(seconds=n) for n in range(ORDERS)])
        time.sleep(2)  # the creates' own work done
        idle_waiting = _idle_cpu(server, IDLE_WINDOW_S)

        start = datetime.now(UTC) + timedelta(seconds=LEAD_S)
        rng = random.Random(15)
        dues = sorted(start + timedelta(seconds=rng.uniform(0, MINUTE_S)) for _ in range(ORDERS))
        made = time.monotonic()
        _create(server, dues)
        make_s = time.monotonic() - made
        if datetime.now(UTC) >= start:
            raise RuntimeError(f"making {ORDERS} orders took {make_s:.0f} s, past the minute")
        deadline = time.monotonic() + LEAD_S + MINUTE_S + 60
        while _scheduled(server) > ORDERS and time.monotonic() < deadline:
            time.sleep(0.5)  # the far ones stay scheduled
        fired = _fires(server)
        return {
            "database": label,
            "orders": len(fired),
            **latency_summary([max(0.0, d) for d in fired]),
            "early": sum(1 for d in fired if d < 0),
            "make_s": round(make_s, 1),
            "idle_cpu_pct_none": idle_empty,
            "idle_cpu_pct_1000_waiting": idle_waiting,
        }
    finally:
        server.stop()


def scheduling(
    *, full: bool = False, runs: int | None = None, baseline: Path | None = None
) -> dict:
    """Firing accuracy and idle CPU on SQLite (and PostgreSQL with ``--full``)."""
    rows = [_accuracy(None, "sqlite")]
    if full:
        from tests.support.services import postgres_database

        with postgres_database() as url:
            rows.append(_accuracy(url, "postgres"))
    print_table(
        f"scheduled orders: {ORDERS} due within one minute, fired by the server",
        rows,
        [
            "database",
            "orders",
            "p50_ms",
            "p99_ms",
            "max_ms",
            "early",
            "idle_cpu_pct_none",
            "idle_cpu_pct_1000_waiting",
        ],
    )
    return {"rows": rows}
