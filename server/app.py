"""The composition root: builds the application from settings and wires its parts."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from aiohttp import web

from kds_contract.models import MAX_BODY_BYTES
from server import logs, metrics
from server.commands import create_private_file, sqlite_path
from server.config import MetricsPlace, Settings, redact_url
from server.datadir import DataFolderLock
from server.db.engine import Database
from server.db.migrate import migrate
from server.db.repo import StoredEvent
from server.exits import CommandError, Exit
from server.menu import MenuService
from server.metrics_live import LiveState, MetricsEndpoint
from server.outbox.setup import build_outbox
from server.pacing import PacingRules
from server.public import GuessLimiter
from server.readiness import Readiness
from server.realtime import Realtime
from server.scheduler import Scheduler
from server.screens import Screens
from server.service import OrderService, Publisher
from server.tokens import ensure_local_tokens
from server.web.cors import cors_middleware
from server.web.errors import error_middleware
from server.web.keys import DB, READINESS, REALTIME, SCHEDULER, SCREENS, SERVICE, SETTINGS
from server.web.menu import MENU, MENU_ROUTES
from server.web.openapi import openapi_route
from server.web.operating import OPERATING_ROUTES
from server.web.orders import ROUTES, VERSION
from server.web.outbox import OUTBOX, OUTBOX_ROUTES, WEBHOOKS
from server.web.pages import setup_pages
from server.web.public import GUESSES, PUBLIC_ROUTES
from server.web.remote import remote_middleware, trusted_networks
from server.web.routes import setup_routes
from server.web.tokens_api import TOKEN_ROUTES

log = logging.getLogger("server")

IDEMPOTENCY_SWEEP_SECONDS = 3600
LOCK_WAIT_S = 30.0
"""How long a server on PostgreSQL waits for another one making the local tokens."""
GC_THRESHOLDS = (50_000, 50, 1000)
"""Young collections every 50,000 allocations (not 700), older ones rarely, so the
collector does not keep scanning the objects of every connected socket
(docs/PERFORMANCE.md)."""
FULL_GC_SECONDS = 600
"""With such thresholds a full collection could wait for hours: run one every 10 minutes."""


def local_url(settings: Settings) -> str:
    """Where the apps on this host reach the server (kept in the local tokens file)."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    return f"http://{host}:{settings.port}"


METRICS = web.AppKey("metrics", MetricsEndpoint)


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    settings, db, realtime = app[SETTINGS], app[DB], app[REALTIME]
    lock = DataFolderLock(settings.data_dir)
    holder = f"serving {local_url(settings)}"
    if settings.is_sqlite:
        # One server per data folder with SQLite, for as long as it runs.
        lock.acquire(holder)
        create_private_file(sqlite_path(settings))
    try:
        await migrate(db)
        if settings.is_sqlite:
            tokens = await ensure_local_tokens(db, settings.data_dir, local_url(settings))
        else:
            # Servers sharing a data folder make the local tokens one at a time.
            await asyncio.to_thread(lock.acquire, holder, wait_s=LOCK_WAIT_S)
            try:
                tokens = await ensure_local_tokens(db, settings.data_dir, local_url(settings))
            finally:
                lock.release()
    except BaseException:
        await db.dispose()
        lock.release()
        raise
    log.info("database: %s", redact_url(settings.database_url))
    log.info("local tokens (admin, kitchen) for apps on this host: %s", tokens)
    if settings.redis_url:
        log.info("sharing events through redis: %s", redact_url(settings.redis_url))
    tasks = [
        *(asyncio.create_task(work) for work in realtime.background()),
        asyncio.create_task(_sweep_idempotency(app[SERVICE]), name="idempotency-sweep"),
        asyncio.create_task(_collect_garbage(), name="full-gc"),
        asyncio.create_task(app[SCREENS].run(), name="screens"),
    ]
    app[SCHEDULER].start()
    outbox = app[OUTBOX]
    await outbox.start(db)
    log.info("outbox: %s", outbox.describe)
    place = MetricsPlace.parse(settings.metrics)
    apart = None
    if place.enabled and place.port is not None:
        apart = await app[METRICS].serve_apart(place, settings.host)
    # Long-lived objects made at start need never be scanned by the collector again.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    yield
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await app[SCHEDULER].stop()
    await outbox.stop()
    await realtime.close()
    await app[SCREENS].close()
    if apart is not None:
        await apart.cleanup()
    await db.dispose()
    lock.release()
    log.info("stopped")


async def _collect_garbage() -> None:
    while True:
        await asyncio.sleep(FULL_GC_SECONDS)
        gc.collect()


async def _sweep_idempotency(service: OrderService) -> None:
    while True:
        try:
            removed = await service.expire_idempotency_keys()
            if removed:
                log.info("expired %d idempotency keys older than 48 h", removed)
        except Exception:
            log.exception("expiring idempotency keys failed; will try again")
        await asyncio.sleep(IDEMPOTENCY_SWEEP_SECONDS)


def _announcing(realtime: Realtime, *, counted: bool) -> Publisher:
    """Broadcast a committed change; count it for the metrics, and put its order id and
    seq on the request's log lines."""

    async def publish(event: StoredEvent, payload: dict[str, Any]) -> None:
        logs.bind(order_id=event.order_id, seq=event.seq)
        if counted:
            metrics.observe_change(event.type, payload)
        await realtime.publish(event, payload)

    return publish


def init_app(settings: Settings) -> web.Application:
    """The aiohttp application with Socket.IO on the same port, ready to run."""
    place = MetricsPlace.parse(settings.metrics)
    middlewares = [
        # The request's log fields are kept on the request the access log is given: before
        # remote_middleware hands the next ones a copy.
        logs.request_context,
        remote_middleware(trusted_networks(settings.trusted_proxies)),
        cors_middleware(settings.cors_origins),
        error_middleware,
    ]
    if place.enabled:
        middlewares.insert(0, metrics.http_metrics)
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=middlewares)
    db = Database(settings.database_url)
    guesses = GuessLimiter(settings.track_misses_per_minute)
    screens = Screens(db)
    realtime = Realtime(
        db,
        cors_origins=settings.cors_origins,
        redis_url=settings.redis_url,
        revoke_check_seconds=settings.revoke_check_seconds,
        guesses=guesses,
        pickup_names=settings.pickup_names,
        screens=screens,
    )
    readiness = Readiness(db, realtime.redis_health)
    app[SETTINGS] = settings
    app[DB] = db
    app[REALTIME] = realtime
    app[SCREENS] = screens
    app[READINESS] = readiness
    try:
        outbox = build_outbox(
            settings,
            db,
            version=VERSION,
            count=metrics.count_delivery if place.enabled else lambda kind, result, n: None,
        )
    except ValueError as exc:
        raise CommandError(str(exc), Exit.USAGE) from None
    app[OUTBOX] = outbox
    app[WEBHOOKS] = outbox.admin
    rules = PacingRules(max_ahead=timedelta(days=settings.max_due_days))
    service = OrderService(db, _announcing(realtime, counted=place.enabled), rules=rules)
    service.in_transaction.append(outbox.in_transaction)
    service.after_commit.append(outbox.after_commit)
    scheduler = Scheduler(
        service, observe=metrics.observe_fire if place.enabled else lambda delay_s: None
    )
    service.after_commit.append(scheduler.after_commit)
    app[SERVICE] = service
    app[SCHEDULER] = scheduler
    app[MENU] = MenuService(db)
    app[METRICS] = MetricsEndpoint(LiveState(db, realtime, screens, readiness))
    app[GUESSES] = guesses
    realtime.attach(app)
    routes = [
        *ROUTES,
        *MENU_ROUTES,
        *PUBLIC_ROUTES,
        *OPERATING_ROUTES,
        *OUTBOX_ROUTES,
        *TOKEN_ROUTES,
    ]
    metrics_here = place.enabled and place.port is None
    setup_routes(app, [*routes, openapi_route(routes, VERSION, metrics=metrics_here)])
    setup_pages(app)
    if metrics_here:
        app.router.add_get("/metrics", app[METRICS].handle)

    app.on_shutdown.append(_close_sockets)
    app.cleanup_ctx.append(_lifecycle)
    return app


async def _close_sockets(app: web.Application) -> None:
    # Before aiohttp waits for open requests to finish: a WebSocket never finishes by
    # itself, so the sockets are closed first and a stop does not wait out its timeout.
    await app[REALTIME].close()
