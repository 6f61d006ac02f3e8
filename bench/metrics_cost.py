"""What the metrics cost (issue 16): create-order throughput and fan-out p99 with
``/metrics`` on (scraped every 5 s, as a busy Prometheus would) and with ``--metrics off``.

Both servers run at once, each with the same live clients; their windows alternate (on,
off, off, on, ...) so that a machine whose speed drifts weighs on both alike. Each window:
a closed loop of 32 concurrent POSTs (orders/s, p50, p99), then orders at 20/s timed from
the POST to each live client having it (fan-out p50, p99).
"""

from __future__ import annotations

import threading
import time
import urllib.request
from typing import Any

from bench.common import (
    Server,
    cpu_seconds,
    latency_summary,
    median_of,
    print_table,
    start_kds,
)
from bench.procs import ClientGroup, load

CLIENTS = 200
CONCURRENCY = 32
FANOUT_RATE = 20.0
SCRAPE_EVERY_S = 5.0


class _Scraper:
    """GET /metrics every few seconds while a window runs (the scrape's own cost counts)."""

    def __init__(self, url: str) -> None:
        self.url = url + "/metrics"
        self.scrapes = 0
        self.seconds: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _Scraper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            with urllib.request.urlopen(self.url, timeout=10) as resp:
                resp.read()
            self.seconds.append(time.perf_counter() - started)
            self.scrapes += 1
            self._stop.wait(SCRAPE_EVERY_S)


def _window(server: Server, clients: ClientGroup, duration: float, first: int) -> dict[str, Any]:
    token = server.tokens["admin"]
    cpu0 = cpu_seconds(server.pid)
    closed = load(server.url, token, concurrency=CONCURRENCY, duration=duration, first=first)
    cpu = cpu_seconds(server.pid) - cpu0
    time.sleep(0.5)
    clients.collect()  # the closed loop's deliveries are not the fan-out's
    posted = load(server.url, token, rate=FANOUT_RATE, duration=duration, first=first + 500_000)
    time.sleep(1.0)  # stragglers
    sent = set(posted["sent"])
    fanned = [lat for index, lat in clients.collect() if index in sent]
    closed_lat = latency_summary(closed["latencies"])
    fan = latency_summary(fanned)
    expected = len(sent) * clients.connected
    return {
        "orders_per_s": round(len(closed["sent"]) / closed["elapsed"], 1),
        "cpu_ms_per_order": round(1000 * cpu / max(1, len(closed["sent"])), 3),
        "create_p50_ms": closed_lat["p50_ms"],
        "create_p99_ms": closed_lat["p99_ms"],
        "fanout_p50_ms": fan["p50_ms"],
        "fanout_p99_ms": fan["p99_ms"],
        "delivered_pct": round(100 * len(fanned) / expected, 2) if expected else None,
        "errors": sum(
            v for k, v in {**closed["statuses"], **posted["statuses"]}.items() if k != "201"
        ),
    }


def hook_cost(count: int = 200_000) -> dict[str, float]:
    """Microseconds per call of what metrics add to a request and to a status move, timed
    in this process (steady where a loaded machine's throughput is not)."""
    from server import metrics

    payload = {
        "order": {
            "items": [{"station": "grill"}, {"station": "fry"}],
            "pending_at": "2026-12-06T06:00:00.000Z",
            "preparing_at": "2026-12-06T06:04:00.000Z",
        },
        "oldStatus": "pending",
        "newStatus": "preparing",
    }
    started = time.perf_counter()
    for _ in range(count):
        metrics.observe_request("/api/orders", "POST", 201, 0.004)
    request_us = (time.perf_counter() - started) / count * 1e6
    started = time.perf_counter()
    for _ in range(count):
        metrics.observe_change("order:statusUpdated", payload)
    move_us = (time.perf_counter() - started) / count * 1e6
    return {"request_us": round(request_us, 3), "status_move_us": round(move_us, 3)}


def metrics_cost(*, full: bool = False, runs: int | None = None, **_: Any) -> dict[str, Any]:
    duration = 15.0 if full else 4.0
    runs = runs or (5 if full else 3)
    servers = {
        "metrics on": start_kds("metrics-on", rate_limit=0),
        "metrics off": start_kds("metrics-off", rate_limit=0, extra_args=("--metrics", "off")),
    }
    groups: dict[str, ClientGroup] = {}
    windows: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
    scrapes = 0
    scrape_s: list[float] = []
    try:
        for name, server in servers.items():
            groups[name] = ClientGroup(server.url, server.tokens["kitchen"], CLIENTS)
        names = list(servers)
        for run in range(runs):
            for name in names if run % 2 == 0 else reversed(names):
                server, clients = servers[name], groups[name]
                if name == "metrics on":
                    with _Scraper(server.url) as scraper:
                        windows[name].append(_window(server, clients, duration, run * 1_000_000))
                    scrapes += scraper.scrapes
                    scrape_s += scraper.seconds
                else:
                    windows[name].append(_window(server, clients, duration, run * 1_000_000))
    finally:
        for clients in groups.values():
            clients.close()
        for server in servers.values():
            server.stop()
    rows = [
        {
            "variant": name,
            "live_clients": groups[name].connected if name in groups else 0,
            **{
                key: median_of(found, key)
                for key in (
                    "orders_per_s",
                    "cpu_ms_per_order",
                    "create_p50_ms",
                    "create_p99_ms",
                    "fanout_p50_ms",
                    "fanout_p99_ms",
                    "delivered_pct",
                )
            },
            "errors": sum(w["errors"] for w in found),
            "runs": found,
        }
        for name, found in windows.items()
    ]
    print_table(
        f"metrics cost: {CLIENTS} live clients, {runs} alternating runs of {duration:.0f} s "
        f"+ {duration:.0f} s (medians; /metrics scraped every {SCRAPE_EVERY_S:.0f} s when on)",
        rows,
        [
            "variant",
            "live_clients",
            "orders_per_s",
            "cpu_ms_per_order",
            "create_p50_ms",
            "create_p99_ms",
            "fanout_p50_ms",
            "fanout_p99_ms",
            "delivered_pct",
            "errors",
        ],
    )
    hooks = hook_cost()
    scrape = latency_summary(scrape_s)
    print(
        f"in-process: {hooks['request_us']} us per request counted and timed, "
        f"{hooks['status_move_us']} us per status move observed; a scrape took "
        f"{scrape['p50_ms']} ms (p50), {scrape['max_ms']} ms (max)",
        flush=True,
    )
    return {
        "clients": CLIENTS,
        "duration_s": duration,
        "runs": runs,
        "scrapes": scrapes,
        "hooks": hooks,
        "scrape": scrape,
        "rows": rows,
    }
