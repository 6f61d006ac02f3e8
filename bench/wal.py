"""An order's write on SQLite, its fsync included, with the WAL checkpointed in the background
(the server's way) or inside a commit by SQLite itself (``wal_autocheckpoint=1000``, the way
before): the write block's wall time (p50, p99, p99.9, max).

In this process, on the server's own writer (``Database.writing()``): each write takes the
seq, inserts the benchmark's order and its event, and commits; one every 5 ms. The two ways
alternate, each on a fresh database, so a drift of the shared disk weighs on both alike.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import latency_summary, percentile, print_table
from bench.loadgen import order_body
from kds_contract import OrderCreate
from server import domain
from server.db import inline, repo
from server.db.engine import Database
from server.db.migrate import migrate
from server.db.prepared import driver_connection

GAP_S = 0.005
WAYS = ("background", "in the commit")


async def _writes(way: str, count: int) -> list[float]:
    folder = Path(tempfile.mkdtemp(prefix="kds-bench-wal-"))
    every = inline.CHECKPOINT_EVERY
    db = Database(f"sqlite+aiosqlite:///{folder / 'kds.db'}")
    try:
        await migrate(db)
        if way == "in the commit":
            inline.CHECKPOINT_EVERY = 10**9  # no background checkpoint ...
            writer = db._group.writer
            assert isinstance(writer, inline.SqliteWriter) and writer._conn is not None
            # ... and SQLite's own, as before
            driver_connection(writer._conn).execute("PRAGMA wal_autocheckpoint=1000")
        data = OrderCreate.model_validate_json(json.dumps(order_body(0)))
        seconds = []
        for n in range(count):
            now = datetime.now(UTC)
            order = domain.new_order(data, 0, now, tracking_code=f"bench-{n}")
            started = time.perf_counter()
            async with db.writing() as conn:
                seq = await repo.next_seq(conn)
                order_id = await repo.insert_order(conn, order)
                payload = json.dumps({"order": order.wire(), "seq": seq})
                await repo.insert_event(
                    conn, repo.StoredEvent(seq, "order:created", order_id, now, payload)
                )
            seconds.append(time.perf_counter() - started)
            await asyncio.sleep(GAP_S)
        return seconds
    finally:
        inline.CHECKPOINT_EVERY = every
        await db.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def wal(*, full: bool = False, runs: int | None = None, **_: Any) -> dict[str, Any]:
    count = 3000 if full else 1000
    runs = runs or 2
    measured: dict[str, list[float]] = {way: [] for way in WAYS}
    for run in range(runs):
        for way in WAYS[run % 2 :] + WAYS[: run % 2]:
            measured[way] += asyncio.run(_writes(way, count))
    rows = []
    for way, seconds in measured.items():
        ms = [s * 1000 for s in seconds]
        rows.append(
            {
                "checkpoint": way,
                **latency_summary(seconds),
                "p999_ms": round(percentile(ms, 99.9) or 0, 2),
                "over_5ms": sum(1 for m in ms if m > 5),
            }
        )
    print_table(
        f"an order's write on SQLite, one every {GAP_S * 1000:.0f} ms, {runs} x {count} per way",
        rows,
        ["checkpoint", "n", "p50_ms", "p99_ms", "p999_ms", "max_ms", "over_5ms"],
    )
    return {"count": count, "runs": runs, "gap_s": GAP_S, "rows": rows}
