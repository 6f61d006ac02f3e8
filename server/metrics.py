"""The server's Prometheus metrics (prometheus-client), and the small hooks that feed them.

Names follow Prometheus' rules: a ``kds_`` prefix, base units (seconds), ``_total`` on
counters, and no order ids, names or other unbounded values in labels. Station names come
from tills, so at most ``MAX_STATIONS`` distinct ones become label values (the rest are
counted as ``(other)``); items without a station are ``(none)``.

Each server process has its own metrics (scrape each process; docs/DEPLOY.md). What comes
from the database (orders by status, the event log's seq, screens by station) is read when
``/metrics`` is scraped (``server.metrics_live``), so every process shows the same values
there.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from prometheus_client import Counter, Histogram, disable_created_metrics

from kds_contract import ORDER_STATUS_UPDATED, Status
from server.web.errors import Handler

NO_STATION = "(none)"
OTHER_STATION = "(other)"
MAX_STATIONS = 50
UNMATCHED_ROUTE = "(unmatched)"
SOCKET_ROUTE = "/socket.io/"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Methods kept as label values; any other a client sends is counted as ``OTHER``."""
CLIENT_GONE = 499
"""The status counted for a request whose client went away before its answer (nginx's)."""

disable_created_metrics()  # the ``_created`` series double the scrape and nobody reads them

HTTP_REQUESTS = Counter(
    "kds_http_requests",
    "HTTP requests answered, by route template, method and status",
    ["route", "method", "status"],
)
HTTP_DURATION = Histogram(
    "kds_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and method (Socket.IO's own "
    "long-lived requests are left out)",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
BROADCASTS = Counter(
    "kds_socketio_broadcasts",
    "Changes broadcast to the Socket.IO rooms by this process, by event",
    ["event"],
)
TICKET_SECONDS = Histogram(
    "kds_ticket_stage_duration_seconds",
    "How long tickets took, by stage (created_to_started, started_to_ready, "
    "ready_to_collected) and by the stations of their items; observed on each forward move "
    "made through this process",
    ["stage", "station"],
    buckets=(15, 30, 60, 120, 180, 300, 450, 600, 900, 1200, 1800, 2700, 3600, 7200),
)
DELIVERIES = Counter(
    "kds_deliveries",
    "Delivery attempts of emails and webhooks by this process, by kind (email, webhook) and "
    "result (sent, retry: failed and will be tried again, failed: given up)",
    ["kind", "result"],
)

SCHEDULED_FIRE_DELAY = Histogram(
    "kds_scheduled_fire_delay_seconds",
    "How long after its fire time this process fired each scheduled order (its count: the "
    "orders this process fired; a kill or stop across a fire time shows as a long delay)",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 30.0, 300.0, 3600.0),
)

STAGES: dict[tuple[str, str], tuple[str, str, str]] = {
    # (from, to): (stage, start field, end field)
    (Status.PENDING, Status.PREPARING): ("created_to_started", "pending_at", "preparing_at"),
    (Status.PREPARING, Status.READY): ("started_to_ready", "preparing_at", "ready_at"),
    (Status.READY, Status.COMPLETED): ("ready_to_collected", "ready_at", "completed_at"),
}
"""The forward moves that end a stage of a ticket, and the timestamps that bound it."""

_stations: set[str] = set()
_tickets: dict[tuple[str, str], Any] = {}
_broadcasts: dict[str, Any] = {}
"""Label children looked up once (``labels()`` takes a lock and checks its values)."""


def station_label(station: str | None) -> str:
    """A station as a label value: lower case, ``(none)``, or ``(other)`` past the cap."""
    key = (station or "").strip().lower()
    if not key:
        return NO_STATION
    if key in _stations:
        return key
    if len(_stations) >= MAX_STATIONS:
        return OTHER_STATION
    _stations.add(key)
    return key


# --- hooks ------------------------------------------------------------------------------


def observe_fire(delay_s: float) -> None:
    """A scheduled order fired by this process, ``delay_s`` after its fire time."""
    SCHEDULED_FIRE_DELAY.observe(max(0.0, delay_s))


def count_delivery(kind: str, result: str, n: int = 1) -> None:
    """Delivery attempts: ``kind`` email or webhook; ``result`` sent, retry or failed."""
    DELIVERIES.labels(kind, result).inc(n)


def observe_change(event_type: str, payload: dict[str, Any]) -> None:
    """A committed change, as it is broadcast: counts it, and times the ticket's stage a
    status move ends."""
    counter = _broadcasts.get(event_type)
    if counter is None:
        counter = _broadcasts[event_type] = BROADCASTS.labels(event_type)
    counter.inc()
    if event_type != ORDER_STATUS_UPDATED:
        return
    stage = STAGES.get((payload.get("oldStatus", ""), payload.get("newStatus", "")))
    if stage is None:
        return
    name, start_field, end_field = stage
    order = payload["order"]
    start = order.get(start_field) or order.get("created_at")
    end = order.get(end_field)
    if not start or not end:
        return
    seconds = max(
        0.0, (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    )
    for station in _stations_of(order.get("items") or ()):
        child = _tickets.get((name, station))
        if child is None:
            child = _tickets[(name, station)] = TICKET_SECONDS.labels(name, station)
        child.observe(seconds)


def _stations_of(items: Iterable[dict[str, Any]]) -> set[str]:
    return {station_label(item.get("station")) for item in items} or {NO_STATION}


@dataclass
class _Route:
    count: dict[tuple[str, int], Any]
    duration: Any


_routes: dict[tuple[str, str], _Route] = {}


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """One HTTP request answered (the label children are looked up once per route)."""
    entry = _routes.get((route, method))
    if entry is None:
        duration = None if route == SOCKET_ROUTE else HTTP_DURATION.labels(route, method)
        entry = _routes[(route, method)] = _Route({}, duration)
    counter = entry.count.get((route, status))
    if counter is None:
        counter = entry.count[(route, status)] = HTTP_REQUESTS.labels(route, method, str(status))
    counter.inc()
    if entry.duration is not None:
        entry.duration.observe(seconds)


def route_of(request: web.Request) -> str:
    """The route template a request matched (``/api/orders/{id}``), never its path."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED_ROUTE


@web.middleware
async def http_metrics(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Counts and times every request by route template, method and status."""
    start = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except asyncio.CancelledError:
        status = CLIENT_GONE
        raise
    finally:
        method = request.method if request.method in METHODS else "OTHER"
        observe_request(route_of(request), method, status, time.perf_counter() - start)
