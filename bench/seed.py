"""Filling a server with orders: over REST (as a POS would), or straight into its database
(10,000 changes in seconds, through the server's own repository functions)."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime, timedelta

import aiohttp

from bench.loadgen import ITEMS


async def post_orders(url: str, token: str, count: int, concurrency: int = 16) -> list[int]:
    """Create ``count`` orders through the REST API; returns their ids."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    ids: list[int] = []
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(headers=headers) as session:

        async def one(n: int) -> None:
            body = {
                "table": f"T{n % 40 + 1}",
                "priority": "rush" if n % 10 == 0 else "normal",
                "notes": "nut allergy" if n % 7 == 0 else None,
                "items": ITEMS[: 1 + n % len(ITEMS)],
            }
            async with gate, session.post(f"{url}/api/orders", data=json.dumps(body)) as answer:
                assert answer.status == 201, await answer.text()
                ids.append((await answer.json())["order"]["id"])

        await asyncio.gather(*(one(n) for n in range(count)))
    return sorted(ids)


STEP_SECONDS = ((60, 300), (300, 1200), (30, 300))
"""How long after the last step each of started, ready and bumped comes, at most and at
least, with ``spread`` (a kitchen's times, so that the report's medians are not all 0)."""


async def write_changes(
    db_url: str, changes: int, batch: int = 500, *, spread: timedelta | None = None
) -> int:
    """Write ``changes`` changes (each order created, started, finished, bumped) directly into
    the database, ``batch`` to a transaction, as the server would record them. Returns the
    last seq.

    Without ``spread`` every change is made now; with it the orders are made evenly over
    that time up to 35 minutes ago, and each step some minutes after the one before
    (``STEP_SECONDS``, the same for every run)."""
    from kds_contract import ORDER_CREATED, ORDER_STATUS_UPDATED, OrderCreate, Status
    from server import domain
    from server.db import repo
    from server.db.engine import Database
    from server.service import event_payload

    db = Database(db_url)
    steps = [Status.PREPARING, Status.READY, Status.COMPLETED]
    data = OrderCreate.model_validate({"table": "T1", "items": ITEMS[:3]})
    seq = 0
    chance = random.Random(7)
    started = datetime.now(UTC)
    orders = max(1, changes // 4)
    try:
        done = 0
        while done < changes:
            async with db.writing() as conn:
                for _ in range(min(batch, changes - done) // 4 or 1):
                    now = datetime.now(UTC)
                    if spread is not None:
                        latest = started - timedelta(minutes=35)
                        now = latest - spread + spread * (done // 4) / orders
                    seq = await repo.next_seq(conn)
                    order = domain.new_order(data, 0, now)
                    order = order.model_copy(update={"id": await repo.insert_order(conn, order)})
                    payload = event_payload(ORDER_CREATED, None, order, seq)
                    await repo.insert_event(
                        conn,
                        repo.StoredEvent(seq, ORDER_CREATED, order.id, now, repo.dumps(payload)),
                    )
                    for target, (least, most) in zip(steps, STEP_SECONDS, strict=True):
                        if spread is not None:
                            now += timedelta(seconds=chance.uniform(least, most))
                        seq = await repo.next_seq(conn)
                        moved = domain.move(order, target, None, now)
                        await repo.update_order(conn, moved, order)
                        payload = event_payload(ORDER_STATUS_UPDATED, order, moved, seq)
                        event = repo.StoredEvent(
                            seq, ORDER_STATUS_UPDATED, order.id, now, repo.dumps(payload)
                        )
                        await repo.insert_event(conn, event)
                        order = moved
                    done += 4
    finally:
        await db.dispose()
    return seq
