"""When a failed delivery is tried again (SPEC: Email, Webhooks), and Retry-After."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

EMAIL_RETRY_SECONDS: tuple[float, ...] = (10, 60, 300, 1800, *([3600.0] * 24))
"""10 s, 1 min, 5 min, 30 min, then hourly for 24 h."""
WEBHOOK_RETRY_SECONDS: tuple[float, ...] = (
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    24 * 3600,
)
"""Standard Webhooks' schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h."""
WEBHOOK_JITTER = 0.1
"""Webhook retries wait up to 10 % longer, so endpoints that failed together are not all
tried again in the same second."""
MAX_RETRY_AFTER_S = 24 * 3600.0


def parse_schedule(text: str | None, default: Sequence[float], name: str) -> tuple[float, ...]:
    """``"1,1,2"`` as seconds between attempts; ``default`` when not set."""
    if text is None or not text.strip():
        return tuple(default)
    try:
        delays = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"{name}: '{text}' is not a list of seconds; give it like 1,1,2") from None
    if not delays or any(not d >= 0 or d > 10 * 24 * 3600 for d in delays):
        raise ValueError(f"{name}: each delay must be 0 to 864000 seconds (got '{text}')")
    return delays


def retry_delay(
    schedule: Sequence[float],
    attempts: int,
    *,
    jitter: float = 0.0,
    rng: random.Random | None = None,
) -> float | None:
    """Seconds to wait after the ``attempts``-th failed attempt, or None when every retry is
    used."""
    if attempts > len(schedule):
        return None
    delay = schedule[attempts - 1]
    if jitter:
        delay *= 1 + (rng or random).uniform(0, jitter)
    return delay


def retry_after(header: str | None, now: datetime) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delay-seconds or an HTTP date), capped at
    a day; None when absent or unreadable."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return min(float(header), MAX_RETRY_AFTER_S)
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - now).total_seconds()), MAX_RETRY_AFTER_S)
