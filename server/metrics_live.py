"""``GET /metrics``: the process's metrics with the live state read at scrape time.

What a scrape reads fresh: readiness (the database and Redis), Socket.IO clients by room and
station, screens connected by kind and station, the database pool, and from the database
(within the readiness timeout) orders by status, how long the oldest open ticket has waited
in its status, the event log's seq, and each station's open tickets and kitchen screens
online. While the database does not answer, its values are left out of the scrape and
``kds_ready`` is 0.

``--metrics`` decides where this is served: ``on`` (the server's own port, the default),
``off``, or ``[HOST:]PORT`` (a listener of its own, for a port that only Prometheus reaches).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from server.config import MetricsPlace
from server.db import operating, repo
from server.db.engine import Database
from server.metrics import station_label
from server.readiness import CHECK_TIMEOUT_S, DATABASE, OK, Readiness
from server.realtime import Realtime
from server.screens import Screens

log = logging.getLogger(__name__)


@dataclass
class _FromDatabase:
    orders: dict[str, int] = field(default_factory=dict)
    oldest: dict[str, datetime] = field(default_factory=dict)
    seq: int = 0
    open_tickets: Counter[str | None] = field(default_factory=Counter)
    station_screens: dict[str | None, int] = field(default_factory=dict)


class LiveState(Collector):
    """The values a scrape reads fresh (``refresh`` first, then ``collect``)."""

    def __init__(
        self, db: Database, realtime: Realtime, screens: Screens, readiness: Readiness
    ) -> None:
        self.db = db
        self.realtime = realtime
        self.screens = screens
        self.readiness = readiness
        self._checks: dict[str, str] = {}
        self._stored: _FromDatabase | None = None
        self._at = datetime.now(UTC)

    async def refresh(self) -> None:
        self._at = datetime.now(UTC)
        self._checks = await self.readiness.check()
        self._stored = None
        if self._checks.get(DATABASE) != OK:
            return
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_S):
                self._stored = await self._read()
        except Exception as exc:
            log.warning("metrics: cannot read the database's figures: %s", exc)

    async def _read(self) -> _FromDatabase:
        found = _FromDatabase()
        async with self.db.reading() as conn:
            found.orders = await operating.orders_by_status(conn)
            found.oldest = await operating.oldest_in_status(conn)
            found.seq = await repo.current_seq(conn)
        listing = await self.screens.listing()
        for cover in listing.stations:
            found.open_tickets[cover.station] = cover.open_tickets
            found.station_screens[cover.station] = cover.screens_online
        return found

    def collect(self) -> Iterator[Metric]:
        ready = GaugeMetricFamily(
            "kds_ready", "1 when this process is ready (database and Redis reachable), else 0"
        )
        ready.add_metric(
            [], 1.0 if self._checks and all(v == OK for v in self._checks.values()) else 0.0
        )
        yield ready
        up = GaugeMetricFamily(
            "kds_dependency_up",
            "1 when the part answered this scrape's readiness check, else 0",
            labels=["dependency"],
        )
        for part, state in self._checks.items():
            up.add_metric([part], 1.0 if state == OK else 0.0)
        yield up
        yield from self._live()
        if self._stored is not None:
            yield from self._database(self._stored)

    def _live(self) -> Iterator[Metric]:
        clients = GaugeMetricFamily(
            "kds_socketio_clients",
            "Socket.IO clients connected to this process, by room and by the station their "
            "screen shows",
            labels=["room", "station"],
        )
        for (room, station), n in sorted(self.realtime.clients_by_room().items()):
            clients.add_metric([room, station_label(station)], n)
        yield clients
        screens = GaugeMetricFamily(
            "kds_screens_connected",
            "Screens connected to this process, by kind and station (a pair seen since the "
            "process started stays, at 0)",
            labels=["kind", "station"],
        )
        for (kind, station), n in sorted(self.screens.connected_counts().items()):
            screens.add_metric([kind, station_label(station)], n)
        yield screens
        in_use = GaugeMetricFamily(
            "kds_db_pool_connections_in_use",
            "Database connections of this process's pool checked out now",
        )
        size = GaugeMetricFamily(
            "kds_db_pool_connections_max", "The size of this process's database pool"
        )
        pools = {id(e.pool): e.pool for e in (self.db.writer, self.db.reader)}
        in_use.add_metric([], sum(_checked_out(p) for p in pools.values()))
        size.add_metric([], sum(_size(p) for p in pools.values()))
        yield in_use
        yield size

    def _database(self, stored: _FromDatabase) -> Iterator[Metric]:
        orders = GaugeMetricFamily(
            "kds_orders", "Orders in the database by status", labels=["status"]
        )
        for status, n in sorted(stored.orders.items()):
            orders.add_metric([status], n)
        yield orders
        oldest = GaugeMetricFamily(
            "kds_order_oldest_in_status_seconds",
            "How long the longest-waiting open order has been in its status, by open status",
            labels=["status"],
        )
        for status, since in sorted(stored.oldest.items()):
            oldest.add_metric([status], max(0.0, (self._at - since).total_seconds()))
        yield oldest
        seq = GaugeMetricFamily("kds_event_log_seq", "The last seq of the event log")
        seq.add_metric([], stored.seq)
        yield seq
        tickets = GaugeMetricFamily(
            "kds_station_open_tickets",
            "Open orders with an item of the station not done",
            labels=["station"],
        )
        online = GaugeMetricFamily(
            "kds_station_screens_online",
            "Kitchen screens (terminal or browser) of the station online, on any process",
            labels=["station"],
        )
        for station in sorted(stored.open_tickets, key=lambda s: s or ""):
            label = station_label(station)
            tickets.add_metric([label], stored.open_tickets[station])
            online.add_metric([label], stored.station_screens.get(station, 0))
        yield tickets
        yield online


def _checked_out(pool: object) -> int:
    method = getattr(pool, "checkedout", None)
    return int(method()) if callable(method) else 0


def _size(pool: object) -> int:
    method = getattr(pool, "size", None)
    return int(method()) if callable(method) else 0


class _Process(Collector):
    """The process-wide registry's metrics (``server.metrics`` and the process's own)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


class MetricsEndpoint:
    """Serves ``/metrics``: the module's metrics and this process's live state, in the
    format the scraper asks for (Prometheus text, or OpenMetrics)."""

    def __init__(self, live: LiveState) -> None:
        self.live = live
        self._registry = CollectorRegistry(auto_describe=False)
        self._registry.register(_Process())
        self._registry.register(live)
        self._lock = asyncio.Lock()

    async def handle(self, request: web.Request) -> web.Response:
        encode, content_type = choose_encoder(request.headers.get("Accept", ""))
        async with self._lock:  # two scrapes at once read the database once each, in turn
            await self.live.refresh()
            body = encode(self._registry)
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def serve_apart(self, place: MetricsPlace, default_host: str) -> web.AppRunner:
        """Start a listener of its own for ``/metrics``; ``cleanup()`` the runner to stop it."""
        app = web.Application()
        app.router.add_get("/metrics", self.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        host = place.host or default_host
        await web.TCPSite(runner, host, place.port).start()
        log.info("metrics on http://%s:%s/metrics", host, place.port)
        return runner
