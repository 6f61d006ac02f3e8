"""CPU time per ``OrderService.create`` in-process (32 concurrent, SQLite in a temp folder):
a figure that moves less with the machine's load than the HTTP benchmarks do.

    PYTHONPATH=<tree> .venv/bin/python bench/service_cpu.py <label>

Run it for two trees in turn (the baseline's and this one) to compare them.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from typing import Any

from kds_contract import OrderCreate
from server.db.engine import Database
from server.db.migrate import migrate
from server.domain import Actor
from server.service import OrderService

WORKERS = 32
PER_WORKER = 60


async def main(label: str) -> None:
    folder = tempfile.mkdtemp()
    db = Database(f"sqlite+aiosqlite:///{folder}/kds.db")
    await migrate(db)

    async def publish(*_: Any) -> None:
        pass

    service = OrderService(db, publish)
    till = Actor.token(1, "till", "pos")
    data = OrderCreate.model_validate(
        {"table": "4", "items": [{"name": "Burger", "modifiers": ["no onion"]}, {"name": "Fries"}]}
    )

    async def worker(count: int) -> None:
        for _ in range(count):
            await service.create(data, till)

    await asyncio.gather(*(worker(20) for _ in range(WORKERS)))  # warm up
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(PER_WORKER) for _ in range(WORKERS)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    count = WORKERS * PER_WORKER
    print(f"{label}: {1e6 * cpu / count:.1f} us CPU per order, {count / wall:.0f} orders/s")
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "kds"))
