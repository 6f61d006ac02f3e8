"""Catch-up (issue 7, item 5): a client that was away while 10,000 changes were made, from
reconnecting to having exactly the server's state.

Two ways, side by side: the live feed as the apps use it (which reloads a snapshot when it is
more than ``max_catch_up`` events behind) and a replay of every event (``max_catch_up``
raised above 10,000).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import REPO, print_table, start_kds
from bench.seed import post_orders, write_changes

OPEN_ORDERS = 300
CHANGES = 10_000


async def _converge(url: str, token: str, start_seq: int, orders: list[Any], **feed: Any) -> float:
    from kds_client import KdsRest, OrderStore
    from kds_client.feed import LiveFeed

    store = OrderStore()
    store.reset(orders, start_seq)
    rest = KdsRest(url, token)
    live = LiveFeed([url], token, rooms=("kitchen",), store=store, rest=rest, **feed)
    try:
        latest = (await rest.health())["seq"]
        started = time.perf_counter()
        await live.start()
        await asyncio.wait_for(live.wait_live(), 60)
        elapsed = time.perf_counter() - started
        assert store.last_seq >= latest, (store.last_seq, latest)
    finally:
        await live.stop()
        await rest.close()
    return elapsed


async def _snapshot(url: str, token: str) -> tuple[list[Any], int]:
    from kds_client import KdsRest

    async with KdsRest(url, token) as rest:
        page = await rest.list_orders(per_page=200, page=1, sort="id")
        orders = list(page.orders)
        for number in range(2, page.pages + 1):
            orders += (await rest.list_orders(per_page=200, page=number, sort="id")).orders
        return orders, int(page.seq or 0)


def catchup(
    *, full: bool = False, runs: int | None = None, baseline: Path | None = None, **_: Any
) -> dict[str, Any]:
    runs = runs or (5 if full else 3)
    sources = [("kds", REPO)] + ([("kds@baseline", baseline)] if baseline else [])
    rows = []
    for server_name, source in sources:
        server = start_kds("catchup", rate_limit=0, source=source)
        try:
            token = server.tokens["kitchen"]
            asyncio.run(post_orders(server.url, server.tokens["admin"], OPEN_ORDERS))
            orders, seq = asyncio.run(_snapshot(server.url, token))
            db_url = f"sqlite+aiosqlite:///{server.workdir / 'kds.db'}"
            last = asyncio.run(write_changes(db_url, CHANGES))
            for name, options in (
                ("live feed (snapshot when > 5,000 behind)", {}),
                ("event replay (max_catch_up=20,000)", {"max_catch_up": 20_000}),
            ):
                times = [
                    asyncio.run(_converge(server.url, token, seq, orders, **options))
                    for _ in range(runs)
                ]
                rows.append(
                    {
                        "server": server_name,
                        "client": name,
                        "behind": last - seq,
                        "median_s": round(statistics.median(times), 3),
                        "max_s": round(max(times), 3),
                        "runs_s": [round(t, 3) for t in times],
                    }
                )
        finally:
            server.stop()
    print_table(
        f"catch-up after {CHANGES:,} changes ({runs} runs)",
        rows,
        ["server", "client", "behind", "median_s", "max_s"],
    )
    return {"changes": CHANGES, "rows": rows}
