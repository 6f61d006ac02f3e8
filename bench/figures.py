"""The admin console's figures and report (issue 21): ``GET /api/stats`` and
``GET /api/reports`` for a day with 2,000 orders (``--full``: 10,000), each taken, started,
finished and bumped, on SQLite and (when it answers) PostgreSQL. Figures: the answer's wall
time seen by the client (p50 / p99 / max of ``runs`` requests one at a time) and the server's
CPU per request. The orders are written straight into the database through the server's own
repository (``bench.seed.write_changes``): what is timed is the aggregation, not the seeding.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import cpu_seconds, latency_summary, print_table, start_kds
from bench.seed import write_changes

ENDPOINTS = {"stats": "/api/stats", "reports": "/api/reports"}


def figures(*, full: bool = False, runs: int | None = None, baseline: Path | None = None) -> dict:
    orders = 10_000 if full else 2_000
    requests = runs or 30
    rows: list[dict[str, Any]] = []
    for backend in ("sqlite", "postgres"):
        with _database(backend) as db_url:
            if db_url is None and backend == "postgres":
                print("   postgres: not reachable on 127.0.0.1:5432, left out")
                continue
            server = start_kds(f"figures-{backend}", db_url=db_url)
            try:
                url = db_url or _sqlite_url(server.workdir)
                asyncio.run(write_changes(url, orders * 4, spread=timedelta(hours=23)))
                for name, path in ENDPOINTS.items():
                    rows.append(
                        {
                            "backend": backend,
                            "endpoint": name,
                            "orders": orders,
                            **asyncio.run(_time(server, path, requests)),
                        }
                    )
            finally:
                server.stop()
    print_table(
        f"figures for a day of {orders:,} orders ({requests} requests each, one at a time)",
        rows,
        ["backend", "endpoint", "p50_ms", "p99_ms", "max_ms", "cpu_ms_per_request"],
    )
    return {"orders": orders, "requests": requests, "rows": rows}


def _sqlite_url(workdir: Path | None) -> str:
    assert workdir is not None
    return f"sqlite+aiosqlite:///{workdir / 'kds.db'}"


@contextlib.contextmanager
def _database(backend: str) -> Iterator[str | None]:
    if backend == "sqlite":
        yield None
        return
    from tests.support.services import PG_HOST, PG_PORT, _reachable, postgres_database

    if not _reachable(PG_HOST, PG_PORT):
        yield None
        return
    with postgres_database() as url:
        yield url


async def _time(server: Any, path: str, requests: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {server.tokens['admin']}"}
    # The last 24 hours, as the console asks for "today" (every seeded order is in it; the
    # report's same period a week before is empty).
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    path = f"{path}?since={since}"
    seconds: list[float] = []
    async with aiohttp.ClientSession(headers=headers) as session:
        for _warm in range(3):  # the first answers prepare statements and fill caches
            async with session.get(server.url + path) as answer:
                assert answer.status == 200, await answer.text()
                await answer.read()
        cpu_before = cpu_seconds(server.pid)
        for _ in range(requests):
            started = time.perf_counter()
            async with session.get(server.url + path) as answer:
                assert answer.status == 200, await answer.text()
                await answer.read()
            seconds.append(time.perf_counter() - started)
        cpu = cpu_seconds(server.pid) - cpu_before
    summary = latency_summary(seconds)
    return {
        "p50_ms": summary["p50_ms"],
        "p99_ms": summary["p99_ms"],
        "max_ms": summary["max_ms"],
        "cpu_ms_per_request": round(cpu * 1000 / requests, 1),
    }
