"""Filling a server with orders: over REST (as a POS would), or straight into its database
(10,000 changes in seconds, through the server's own repository functions)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

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


async def write_changes(db_url: str, changes: int, batch: int = 500) -> int:
    """Write ``changes`` changes (each order created, started, finished, bumped) directly into
    the database, ``batch`` to a transaction, as the server would record them. Returns the
    last seq."""
    from kds_contract import ORDER_CREATED, ORDER_STATUS_UPDATED, OrderCreate, Status
    from server import domain
    from server.db import repo
    from server.db.engine import Database
    from server.service import event_payload

    db = Database(db_url)
    steps = [Status.PREPARING, Status.READY, Status.COMPLETED]
    data = OrderCreate.model_validate({"table": "T1", "items": ITEMS[:3]})
    seq = 0
    try:
        done = 0
        while done < changes:
            async with db.writing() as conn:
                for _ in range(min(batch, changes - done) // 4 or 1):
                    now = datetime.now(UTC)
                    seq = await repo.next_seq(conn)
                    order = domain.new_order(data, 0, now)
                    order = order.model_copy(update={"id": await repo.insert_order(conn, order)})
                    payload = event_payload(ORDER_CREATED, None, order, seq)
                    await repo.insert_event(
                        conn,
                        repo.StoredEvent(seq, ORDER_CREATED, order.id, now, repo.dumps(payload)),
                    )
                    for target in steps:
                        seq = await repo.next_seq(conn)
                        moved = domain.move(order, target, None, now)
                        await repo.update_order(conn, moved)
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
