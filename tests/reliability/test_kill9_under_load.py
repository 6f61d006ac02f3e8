"""SIGKILL under load: 8 writers with Idempotency-Keys, the server killed twice mid-stream and
restarted. 0 acknowledged orders lost, 0 duplicates, and a live client ends equal to the
server (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from kds_client import KdsRest, LiveFeed
from tests.reliability.common import report
from tests.reliability.load import FAST_FEED, Writers
from tests.support.client import all_orders, converged, wait_for
from tests.support.server import ServerProcess

KILLS = 2


async def kill_and_restart_during(writers: Writers, server: ServerProcess) -> list[float]:
    """Kill -9 the server each time another third of the orders is acknowledged; restart
    it at once. Returns how long each outage lasted (kill to healthy), in seconds."""
    outages = []
    for kill in range(1, KILLS + 1):
        await wait_for(
            lambda kill=kill: len(writers.acked) >= writers.total * kill // (KILLS + 1),
            60,
            message="the writers to get that far",
        )
        assert len(writers.acked) < writers.total, "the kill must come mid-stream"
        start = time.monotonic()
        await asyncio.to_thread(server.kill)
        await asyncio.to_thread(server.start)
        outages.append(round(time.monotonic() - start, 2))
    return outages


async def test_kill_9_under_load_loses_and_duplicates_nothing(
    server_factory: Callable[..., ServerProcess], backend_db: str
) -> None:
    server = server_factory(db_url=backend_db)
    writers = Writers(server.url, server.tokens["pos"], count=8, per_writer=40)
    feed = LiveFeed(server.url, server.tokens["kitchen"], **FAST_FEED)
    await feed.start()
    try:
        await wait_for(lambda: feed.live, 10, message="the live client to connect")
        started = time.monotonic()
        write = asyncio.create_task(writers.run())
        outages = await kill_and_restart_during(writers, server)
        await asyncio.wait_for(write, 120)
        elapsed = time.monotonic() - started

        async with KdsRest(server.url, server.tokens["admin"]) as admin:
            writers.check(await all_orders(admin))
            events = (await admin.event_page(0, 5000)).events
            assert [e.type for e in events].count("order:created") == writers.total
            assert [e.seq for e in events] == sorted({e.seq for e in events})
            took = await converged(feed, admin)
    finally:
        await feed.stop()
    report(
        "kill -9 under load",
        backend=backend_db.split(":")[0],
        orders=writers.total,
        kills=KILLS,
        outage_s=outages,
        retries=writers.retries,
        acked_by_replay=writers.replayed,
        lost=0,
        duplicates=0,
        seconds=round(elapsed, 1),
        feed_converged_after_s=round(took, 2),
    )
