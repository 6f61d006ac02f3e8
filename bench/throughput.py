"""Create-order throughput and latency with 100 live clients (issue 7, item 2).

Variants side by side: SQLite, PostgreSQL, the same endpoint doing no database work (the
ceiling) and a bare aiohttp handler (the framework's floor, no Socket.IO clients). Each run:
a closed loop of 32 concurrent POSTs (orders/s, p50/p99), then an open loop at 100 orders/s
(p50/p99).
"""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import (
    Server,
    cpu_seconds,
    latency_summary,
    median_of,
    print_table,
    start_kds,
    start_python,
)
from bench.procs import ClientGroup, load

CONCURRENCY = 32
OPEN_RATE = 100.0
PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/{}"


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
        check=True,
        capture_output=True,
    )


def start_postgres(source: Path | None = None) -> Server:
    name = f"kds_bench_{uuid.uuid4().hex[:8]}"
    _psql(f"CREATE DATABASE {name}")
    try:
        kwargs: dict[str, Any] = {"source": source} if source else {}
        server = start_kds("postgres", db_url=PG.format(name), rate_limit=0, **kwargs)
    except Exception:
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        raise
    server.on_stop.append(lambda: _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    return server


def _variants(baseline: Path | None) -> list[tuple[str, Any, bool]]:
    variants: list[tuple[str, Any, bool]] = [
        ("sqlite", lambda: start_kds("sqlite", rate_limit=0), True)
    ]
    if baseline is not None:
        variants.append(
            ("sqlite@baseline", lambda: start_kds("sqlite-b", rate_limit=0, source=baseline), True)
        )
    variants.append(("postgres", start_postgres, True))
    variants.append(
        ("no-db ceiling", lambda: start_python("nodb", "bench.nodb_server", rate_limit=0), True)
    )
    variants.append(("bare aiohttp", lambda: start_python("floor", "bench.floor_server"), False))
    return variants


def throughput(
    *, full: bool = False, runs: int | None = None, baseline: Path | None = None, **_: Any
) -> dict[str, Any]:
    duration = 15.0 if full else 4.0
    runs = runs or (5 if full else 3)
    rows = []
    for name, start, live in _variants(baseline):
        server = start()
        clients = None
        try:
            if live:
                clients = ClientGroup(server.url, server.tokens["kitchen"], 100)
            windows = []
            for run in range(runs):
                token = server.tokens["admin"]
                cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
                closed = load(
                    server.url,
                    token,
                    concurrency=CONCURRENCY,
                    duration=duration,
                    first=run * 1_000_000,
                )
                cpu = (cpu_seconds(server.pid) - cpu0) / (time.monotonic() - t0)
                opened = load(
                    server.url,
                    token,
                    rate=OPEN_RATE,
                    duration=duration,
                    first=run * 1_000_000 + 500_000,
                )
                delivered = None
                if clients is not None:
                    time.sleep(0.5)
                    got = len(clients.collect())
                    want = (len(closed["sent"]) + len(opened["sent"])) * clients.connected
                    delivered = round(100 * got / want, 2) if want else None
                closed_lat = latency_summary(closed["latencies"])
                open_lat = latency_summary(opened["latencies"])
                windows.append(
                    {
                        "orders_per_s": round(len(closed["sent"]) / closed["elapsed"], 1),
                        "p50_ms": closed_lat["p50_ms"],
                        "p99_ms": closed_lat["p99_ms"],
                        "open_p50_ms": open_lat["p50_ms"],
                        "open_p99_ms": open_lat["p99_ms"],
                        "errors": {
                            k: v
                            for k, v in {**closed["statuses"], **opened["statuses"]}.items()
                            if k != "201"
                        },
                        "server_cpu_pct": round(100 * cpu, 1),
                        "delivered_pct": delivered,
                    }
                )
        finally:
            if clients is not None:
                clients.close()
            server.stop()
        rows.append(
            {
                "variant": name,
                "live_clients": clients.connected if clients else 0,
                "orders_per_s": median_of(windows, "orders_per_s"),
                "p50_ms": median_of(windows, "p50_ms"),
                "p99_ms": median_of(windows, "p99_ms"),
                "open100_p50_ms": median_of(windows, "open_p50_ms"),
                "open100_p99_ms": median_of(windows, "open_p99_ms"),
                "cpu_pct": median_of(windows, "server_cpu_pct"),
                "errors": sum(sum(w["errors"].values()) for w in windows),
                "runs": windows,
            }
        )
    print_table(
        f"create-order: {CONCURRENCY} concurrent POSTs, then {OPEN_RATE:.0f}/s open loop; "
        f"{runs} runs of {duration:.0f} s (medians)",
        rows,
        [
            "variant",
            "live_clients",
            "orders_per_s",
            "p50_ms",
            "p99_ms",
            "open100_p50_ms",
            "open100_p99_ms",
            "cpu_pct",
            "errors",
        ],
    )
    return {
        "concurrency": CONCURRENCY,
        "open_rate": OPEN_RATE,
        "duration_s": duration,
        "runs": runs,
        "rows": rows,
    }
