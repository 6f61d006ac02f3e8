"""Notices of live changes, gathered for a moment so a burst reads as one line."""

from __future__ import annotations

from collections.abc import Callable

from textual.timer import Timer
from textual.widget import Widget

GATHER_SECONDS = 0.25
"""How long to wait for more notices before showing them."""
MAX_SINGLE = 3
"""Up to this many notices are shown one by one; more become one summary."""


class Announcer:
    """Shows notifications for live changes on ``node``; rings ``bell`` once per new-order burst."""

    def __init__(self, node: Widget, bell: Callable[[], None] | None) -> None:
        self._node = node
        self._bell = bell
        self._notices: list[tuple[str, bool]] = []
        self._timer: Timer | None = None

    def say(self, text: str, *, new_order: bool = False) -> None:
        """Queue one notice; ``new_order`` ones ring the bell and count as new."""
        self._notices.append((text, new_order))
        if self._timer is None:
            self._timer = self._node.set_timer(GATHER_SECONDS, self._flush)

    def _flush(self) -> None:
        notices, self._notices, self._timer = self._notices, [], None
        if not notices:
            return
        new = sum(1 for _, is_new in notices if is_new)
        if new and self._bell is not None:
            self._bell()
        if len(notices) <= MAX_SINGLE:
            for text, is_new in notices:
                self._node.notify(text, timeout=4 if is_new else 3, markup=False)
            return
        parts = []
        if new:
            parts.append(f"{new} new order{'s' if new > 1 else ''}")
        if len(notices) > new:
            other = len(notices) - new
            parts.append(f"{other} other change{'s' if other > 1 else ''}")
        self._node.notify(", ".join(parts) + ".", timeout=4)
