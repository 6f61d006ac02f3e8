"""Python's garbage collector, kept from pausing the display.

A full collection walks every object the process holds: with a Textual app, a board of
300 orders and the client library loaded that is 100-130 ms on this kind of machine, long
enough to show as a stutter when it lands on an event. Objects made while starting (modules,
the first board's widgets and orders) live as long as the display does, so once the first
board is up they are moved out of the collector's reach (``gc.freeze``); later collections
walk only what was made since, a few milliseconds.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze() -> None:
    """Collect once, then leave everything alive now out of later collections (once)."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


def thaw() -> None:
    """Give the frozen objects back to the collector (the display is closing)."""
    global _frozen
    if _frozen:
        _frozen = False
        gc.unfreeze()
