"""The server's clock, as the ``Date`` headers of its answers tell it (to the second).

Fire times and due times are the server's; a screen whose own clock is off by minutes would
show a held dish as fired (or a fired one as held) while every other screen counts down
right. Each answer bounds how far the server's clock is ahead of this machine's: the header
was written after the request was sent and before the answer came, rounded down to the
second. The bounds of every answer are intersected; when they disagree (this machine's clock
was changed), the last answer's bounds start again. The lower bound is the one used (see
``offset``). The browser pages keep the same rule
(``server/static/live.js``, ``ServerClock``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime


class ServerClock:
    """How far the server's clock is ahead of this machine's, learnt from its answers."""

    def __init__(self, local: Callable[[], float] = time.time) -> None:
        self.local = local
        """This machine's clock, in seconds since the epoch."""
        self.low = -math.inf
        self.high = math.inf

    def heard(self, date_header: str | None, sent_at: float, at: float) -> None:
        """Learn from one answer: its ``Date`` header, and this machine's time (``local``)
        when the request was sent and when its answer came."""
        try:
            date = parsedate_to_datetime(date_header or "").timestamp()
        except (TypeError, ValueError):
            return
        low, high = date - at, date + 1 - sent_at
        if max(low, self.low) > min(high, self.high):
            self.low, self.high = low, high
        else:
            self.low, self.high = max(low, self.low), min(high, self.high)

    def passed(self, moment: float, at: float) -> None:
        """Learn from a time the server wrote (an order's ``updated_at``, to the
        millisecond), received at ``at`` (``local``): its clock had reached it by then. A dish
        fired as its order was made is so never drawn held for the second a ``Date`` header
        leaves open."""
        low = moment - at
        if low > self.high:
            self.low, self.high = low, math.inf  # this machine's clock was changed
        else:
            self.low = max(low, self.low)

    @property
    def offset(self) -> float:
        """Seconds the server's clock is surely ahead of this machine's: the lower bound
        (0 until an answer). The server's time taken so is never ahead of the server, so a
        held dish is never shown fired before the server would take it as done (its fire
        time comes at most the bounds' width, about a second, late on screen). With no
        upper bound (only times the server wrote, which may be old), this machine's clock
        unless the server is known to be ahead of it."""
        if math.isinf(self.low):
            return 0.0
        return self.low if math.isfinite(self.high) else max(0.0, self.low)

    def now(self) -> datetime:
        """The server's time now, in this machine's time zone."""
        return datetime.fromtimestamp(self.local() + self.offset).astimezone()
