"""What the public pages may see and how often they may guess: no web or database layer.

The tracking page and the pickup board get ``kds_contract.tracking.public_order`` of an
order, never more; a change is announced to them as the kitchen's event with the order cut
down to those fields. Unknown tracking codes are counted per address, so that guessing
codes is slow (and hopeless anyway at 128 bits).
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from typing import Any

MAX_ADDRESSES = 10_000
"""Addresses whose misses are remembered at most; the least recently seen are forgotten."""


def public_payload(payload: dict[str, Any], public: dict[str, Any]) -> dict[str, Any]:
    """An event's payload with its order replaced by ``public`` (its public fields)."""
    out: dict[str, Any] = {"order": public}
    if "oldStatus" in payload:
        out["oldStatus"] = payload["oldStatus"]
        out["newStatus"] = payload["newStatus"]
    out["seq"] = payload["seq"]
    out["epoch"] = payload.get("epoch")
    return out


class GuessLimiter:
    """Counts each address's unknown tracking codes: a bucket of ``per_minute`` misses a
    minute (bursts of twice that). An empty bucket refuses every lookup from that address
    until it refills, found or not, so that a guesser learns nothing while refused."""

    def __init__(self, per_minute: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(1.0, per_minute * 2)
        self._clock = clock
        self._buckets: collections.OrderedDict[str, tuple[float, float]] = collections.OrderedDict()

    def _level(self, address: str) -> float:
        now = self._clock()
        tokens, last = self._buckets.get(address, (self.burst, now))
        return min(self.burst, tokens + (now - last) * self.rate)

    def retry_after(self, address: str) -> float:
        """0 if this address may look a code up now, else the seconds to wait."""
        if self.rate <= 0:
            return 0.0
        tokens = self._level(address)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def miss(self, address: str) -> None:
        """Count an unknown code looked up from this address."""
        if self.rate <= 0:
            return
        tokens = self._level(address)
        self._buckets[address] = (max(0.0, tokens - 1), self._clock())
        self._buckets.move_to_end(address)
        while len(self._buckets) > MAX_ADDRESSES:
            self._buckets.popitem(last=False)
