"""Load for the reliability tests: writers that retry with their Idempotency-Key until the
server acknowledges, and live feeds to compare with the server's state."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from kds_contract import Order

FAST_FEED: dict[str, Any] = {
    "check_interval": 1.0,
    "backoff_base": 0.2,
    "backoff_max": 1.0,
    "connect_timeout": 2.0,
    "snapshot_statuses": None,  # every order, so that the whole store can be compared
}
RETRYABLE = {409, 429, 503}


@dataclass
class Writers:
    """``count`` writers placing orders as fast as the server takes them.

    Each order has its own Idempotency-Key (also written in its ``table``); a request that
    fails in any way is sent again with the same key and body until it gets a 201.
    """

    url: str
    token: str
    count: int = 8
    per_writer: int = 40
    acked: dict[str, int] = field(default_factory=dict)
    """Idempotency-Key -> the order id the server acknowledged."""
    retries: int = 0
    replayed: int = 0
    """Acknowledgements that came as a replay of an earlier, unanswered request."""

    @property
    def total(self) -> int:
        return self.count * self.per_writer

    async def run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            await asyncio.gather(*(self._writer(session, n) for n in range(self.count)))

    async def _writer(self, session: aiohttp.ClientSession, n: int) -> None:
        for i in range(self.per_writer):
            key = f"w{n}-{i}"
            body = {"items": [{"name": "Burger"}, {"name": "Fries"}], "table": key}
            headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": key}
            while key not in self.acked:
                try:
                    async with session.post(
                        f"{self.url}/api/orders", json=body, headers=headers
                    ) as resp:
                        if resp.status == 201:
                            self.acked[key] = (await resp.json())["order"]["id"]
                            self.replayed += resp.headers.get("Idempotent-Replayed") == "true"
                            continue
                        if resp.status not in RETRYABLE:
                            raise AssertionError(f"{key}: {resp.status} {await resp.text()}")
                except (aiohttp.ClientError, TimeoutError, ConnectionError):
                    pass
                self.retries += 1
                await asyncio.sleep(random.uniform(0.02, 0.1))

    def check(self, orders: dict[int, Order]) -> None:
        """0 acknowledged orders lost, 0 duplicates: one order per key, the one acknowledged."""
        assert len(self.acked) == self.total
        tables = Counter(o.table for o in orders.values())
        duplicates = {t: n for t, n in tables.items() if n > 1}
        assert not duplicates, f"orders created twice: {duplicates}"
        lost = [k for k, oid in self.acked.items() if oid not in orders or orders[oid].table != k]
        assert not lost, f"acknowledged orders lost: {lost}"
        assert len(orders) == self.total, "no order the writers did not place"
