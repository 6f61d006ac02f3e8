"""Python's garbage collector, kept from pausing the display while it is busy.

A full collection walks every object the process holds (a Textual app, a board, the
client library), and it lands wherever the allocation counts say, often on an event: the
display pauses while it draws a change (the figures are in docs/PERFORMANCE.md).

So, as the display starts, ``gc.freeze()``: what exists then (the modules, their classes and
functions) lives as long as the process and is never walked again, and full collections
no longer start on their own (young ones still do): the display's start is not paused by a
walk over everything the imports made. Once the first board is up: one collection, over
what the start made, and ``gc.freeze()`` again. Instead the display runs one itself at most once a
minute, at a quiet moment (no change for a few seconds), when it delays nobody's ticket.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

EVERY_SECONDS = 60.0
"""Least time between two full collections run by the display."""
QUIET_SECONDS = 2.0
"""No change for this long: a collection now delays nobody's ticket."""
FULL_AFTER = 1000
"""Young collections between automatic full ones (the default is 10): under a long rush
with no quiet moment, a full collection still comes, every ~15 minutes."""


class Collector:
    """When the garbage collector may walk everything (one per display).

    Args:
        clock: monotonic seconds (tests pass their own).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._settled = False
        self._began = False
        self._thresholds = gc.get_threshold()
        self._last_full = self._last_change = clock()

    def begin(self) -> None:
        """The display is starting: freeze what exists, take over full collections."""
        if self._began or self._settled or gc.get_freeze_count():
            return  # once (and not over another display's freeze, in tests)
        self._began = True
        gc.freeze()
        self._take_over()

    def settle(self) -> None:
        """The first board is up: collect, freeze what exists, take over full collections."""
        if self._settled or (gc.get_freeze_count() and not self._began):
            return  # once (and not over another display's freeze, in tests)
        self._settled = True
        gc.collect()
        gc.freeze()
        self._take_over()
        self._last_full = self.clock()

    def _take_over(self) -> None:
        young, middle, _ = self._thresholds
        gc.set_threshold(young, middle, FULL_AFTER)

    def changed(self) -> None:
        """Something arrived that the display has to show."""
        self._last_change = self.clock()

    def tick(self) -> None:
        """Run a full collection if one is due and the display is quiet (call every second)."""
        now = self.clock()
        due = now - self._last_full >= EVERY_SECONDS
        if self._settled and due and now - self._last_change >= QUIET_SECONDS:
            gc.collect()
            self._last_full = self.clock()

    def release(self) -> None:
        """The display is closing: give everything back to the collector as it was."""
        if self._settled or self._began:
            self._settled = self._began = False
            gc.unfreeze()
            gc.set_threshold(*self._thresholds)
