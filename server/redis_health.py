"""Whether this process reaches Redis: the one place that knows.

The Redis manager (server.shared_events) reports each part of its work here: publishing the
changes made here, receiving the other processes', and a ping every few seconds (so that an
idle, silent Redis is noticed too). Redis counts as reachable when every part's last attempt
worked. ``GET /api/health``, readiness and metrics read this object; nothing else decides.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

log = logging.getLogger(__name__)

PARTS = ("publish", "receive", "ping")


class RedisHealth:
    """Redis as this process last found it."""

    def __init__(self) -> None:
        self._failing: dict[str, str] = {}
        self.since: datetime | None = None
        """When Redis was last found unreachable (UTC), while it is."""
        self._since_monotonic: float | None = None
        self.outages = 0
        """How many times Redis became unreachable since the process started."""
        self.checked = False
        """Whether any part has been tried yet (a process that just started has not)."""

    @property
    def reachable(self) -> bool:
        return not self._failing

    @property
    def reason(self) -> str | None:
        """Why Redis is unreachable, in words; None while it is reachable."""
        if not self._failing:
            return None
        return "; ".join(f"{part}: {why}" for part, why in sorted(self._failing.items()))

    def seconds_away(self) -> float:
        """How long Redis has been unreachable (0 while it is reachable)."""
        if self._since_monotonic is None:
            return 0.0
        return time.monotonic() - self._since_monotonic

    def describe(self) -> str:
        """``ok``, or ``unreachable since <time>: <reason>``, as health says it."""
        if self.reachable:
            return "ok"
        since = (
            self.since.isoformat(timespec="seconds").replace("+00:00", "Z") if self.since else "?"
        )
        return f"unreachable since {since}: {self.reason}"

    def failed(self, part: str, reason: str) -> None:
        """``part`` of the work with Redis failed just now."""
        self.checked = True
        if not self._failing:
            self.since = datetime.now(UTC)
            self._since_monotonic = time.monotonic()
            self.outages += 1
        self._failing[part] = reason

    def worked(self, part: str) -> None:
        """``part`` of the work with Redis worked just now."""
        self.checked = True
        if self._failing.pop(part, None) is not None and not self._failing:
            log.warning("redis: reachable again after %.1f s", self.seconds_away())
            self.since = None
            self._since_monotonic = None
