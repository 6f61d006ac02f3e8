"""Fan-out latency (issue 7, item 1) and server memory/idle CPU (item 3).

N live clients in the kitchen room; orders POSTed at 20/s; for each client and order, the
time from the POST being sent to the client having ``order:created``. The stock Node.js
socket.io server runs the same load in the same run, as the reference: every server is up
with its clients (in two Node.js processes) at once and their windows alternate.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.common import (
    Server,
    cpu_seconds,
    latency_summary,
    median_of,
    print_table,
    rss_mb,
    start_kds,
    start_node,
)
from bench.procs import ClientGroup, load

RATE = 20.0
CLIENT_PROCESSES = 2
"""The clients are spread over two Node.js processes: one process holding 1,000 clients was
at 56% of a core reading them one after another, which capped the tail it measured."""


def _servers(baseline: Path | None) -> list[tuple[str, Any]]:
    variants: list[tuple[str, Any]] = [("kds", lambda: start_kds("kds"))]
    if baseline is not None:
        variants.append(("kds@baseline", lambda: start_kds("kds-baseline", source=baseline)))
    variants.append(("node", start_node))
    return variants


def _window(server: Server, clients: ClientGroup, duration: float, first: int) -> dict[str, Any]:
    cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
    client_cpu0 = [cpu_seconds(proc.pid) for proc in clients.procs]
    posted = load(server.url, server.tokens["admin"], rate=RATE, duration=duration, first=first)
    time.sleep(1.0)  # stragglers
    elapsed = time.monotonic() - t0
    cpu = (cpu_seconds(server.pid) - cpu0) / elapsed
    client_cpu = [
        (cpu_seconds(proc.pid) - before) / elapsed
        for proc, before in zip(clients.procs, client_cpu0, strict=True)
    ]
    records = clients.collect()
    sent = set(posted["sent"])
    latencies = [lat for index, lat in records if index in sent]
    expected = len(sent) * clients.connected
    return {
        **latency_summary(latencies),
        "delivered": len(latencies),
        "expected": expected,
        "delivered_pct": round(100 * len(latencies) / expected, 2) if expected else None,
        "posted": len(sent),
        "post_errors": {k: v for k, v in posted["statuses"].items() if k != "201"},
        "server_cpu_pct": round(100 * cpu, 1),
        "client_cpu_pct": round(100 * max(client_cpu), 1),
        "rss_mb": rss_mb(server.pid),
    }


def fanout(
    *, full: bool = False, runs: int | None = None, baseline: Path | None = None, **_: Any
) -> dict[str, Any]:
    sizes = (100, 500, 1000)
    duration = 20.0 if full else 4.0
    runs = runs or (5 if full else 3)
    rows = []
    for size in sizes:
        variants = _servers(baseline)
        started: list[tuple[str, Server, ClientGroup]] = []
        windows: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in variants}
        try:
            for name, start in variants:
                server = start()
                try:
                    clients = ClientGroup(
                        server.url, server.tokens["kitchen"], size, processes=CLIENT_PROCESSES
                    )
                except BaseException:
                    server.stop()
                    raise
                started.append((name, server, clients))
            # The servers' windows alternate (a, b, c, then b, c, a, ...), so that a drift of
            # this shared machine weighs on every server alike; the ones not measured sit idle
            # with their clients connected.
            for run in range(runs):
                turn = run % len(started)
                for name, server, clients in started[turn:] + started[:turn]:
                    windows[name].append(_window(server, clients, duration, first=run * 100_000))
        finally:
            for _, server, clients in started:
                clients.close()
                server.stop()
        for name, _server, clients in started:
            done = windows[name]
            delivered = sum(w["delivered"] for w in done)
            expected = sum(w["expected"] for w in done)
            rows.append(
                {
                    "server": name,
                    "clients": size,
                    "connected": clients.connected,
                    "p50_ms": median_of(done, "p50_ms"),
                    "p99_ms": median_of(done, "p99_ms"),
                    "max_ms": max((w["max_ms"] or 0) for w in done),
                    "delivered_pct": round(100 * delivered / expected, 2) if expected else None,
                    "cpu_pct": median_of(done, "server_cpu_pct"),
                    "client_cpu_pct": median_of(done, "client_cpu_pct"),
                    "rss_mb": done[-1]["rss_mb"],
                    "runs": done,
                }
            )
        node = next(r for r in rows if r["server"] == "node" and r["clients"] == size)
        for row in rows:
            if row["clients"] == size and row["p99_ms"] and node["p99_ms"]:
                row["p99_vs_node"] = round(row["p99_ms"] / node["p99_ms"], 2)
    print_table(
        f"fan-out: {RATE:.0f} orders/s, {runs} alternating runs of {duration:.0f} s (medians)",
        rows,
        [
            "server",
            "clients",
            "connected",
            "p50_ms",
            "p99_ms",
            "p99_vs_node",
            "max_ms",
            "delivered_pct",
            "cpu_pct",
            "client_cpu_pct",
            "rss_mb",
        ],
    )
    return {
        "client_processes": CLIENT_PROCESSES,
        "rate": RATE,
        "duration_s": duration,
        "runs": runs,
        "rows": rows,
    }


def memory(
    *, full: bool = False, runs: int | None = None, baseline: Path | None = None, **_: Any
) -> dict[str, Any]:
    """RSS with 0 and 1,000 clients connected, and CPU while they sit idle."""
    idle = 60.0 if full else 30.0  # at least one ping round (every 25 s)
    rows = []
    for name, start in _servers(baseline):
        server = start()
        clients = None
        try:
            time.sleep(1.0)
            empty = rss_mb(server.pid)
            clients = ClientGroup(server.url, server.tokens["kitchen"], 1000)
            time.sleep(2.0)
            cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
            time.sleep(idle)
            cpu = (cpu_seconds(server.pid) - cpu0) / (time.monotonic() - t0)
            rows.append(
                {
                    "server": name,
                    "rss_empty_mb": empty,
                    "connected": clients.connected,
                    "rss_1000_mb": rss_mb(server.pid),
                    "idle_cpu_pct": round(100 * cpu, 2),
                    "idle_s": idle,
                }
            )
        finally:
            if clients is not None:
                clients.close()
            server.stop()
    print_table(
        "server memory and idle CPU with 1,000 clients",
        rows,
        ["server", "rss_empty_mb", "connected", "rss_1000_mb", "idle_cpu_pct", "idle_s"],
    )
    return {"rows": rows}
