"""Notices of live changes: one short notification at a time, however busy the kitchen.

Notices are gathered for a moment; each gathering replaces the notification shown before
it, which, while still on screen, is counted into the new one ("7 new orders, 2 other
changes."; for at most ten seconds, then the count starts over). So a burst reads as one line
in the corner, and never stacks up over the screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.notifications import Notification, Notify
from textual.timer import Timer
from textual.widget import Widget

GATHER_SECONDS = 0.25
"""How long to wait for more notices before showing them."""
SHOWN_SECONDS = 4.0
"""How long the notification stays up after the last change it tells of."""
TALLY_SECONDS = 10.0
"""How long one notification keeps counting; in a steady stream the count starts over."""


class Announcer:
    """Shows notifications for live changes on ``node``; rings ``bell`` once per new-order burst."""

    def __init__(self, node: Widget, bell: Callable[[], None] | None) -> None:
        self._node = node
        self._bell = bell
        self._notices: list[tuple[str, bool]] = []
        self._timer: Timer | None = None
        self._shown: Notification | None = None
        self._shown_notices: list[tuple[str, bool]] = []
        self._tally_since = 0.0

    def say(self, text: str, *, new_order: bool = False) -> None:
        """Queue one notice; ``new_order`` ones ring the bell and count as new."""
        self._notices.append((text, new_order))
        if self._timer is None:
            self._timer = self._node.set_timer(GATHER_SECONDS, self._flush)

    def _flush(self) -> None:
        notices, self._notices, self._timer = self._notices, [], None
        if not notices:
            return
        if self._bell is not None and any(is_new for _, is_new in notices):
            self._bell()
        app = self._node.app
        now = time.monotonic()
        if self._shown is not None and not self._shown.has_expired:
            # The shown notice gives way to the new one: an expired notification is dropped
            # when the next one is added (so also if its own Notify is still queued).
            self._shown.timeout = 0
            if now - self._tally_since < TALLY_SECONDS:
                notices = self._shown_notices + notices
            else:
                self._tally_since = now
        else:
            self._tally_since = now
        self._shown = Notification(summary(notices), timeout=SHOWN_SECONDS, markup=False)
        self._shown_notices = notices
        app.post_message(Notify(self._shown))


def summary(notices: list[tuple[str, bool]]) -> str:
    """One notice as it is; several as ``3 new orders, 2 other changes.``"""
    if len(notices) == 1:
        return notices[0][0]
    new = sum(1 for _, is_new in notices if is_new)
    other = len(notices) - new
    parts = []
    if new:
        parts.append(f"{new} new order{'s' if new > 1 else ''}")
    if other:
        parts.append(f"{other} other change{'s' if other > 1 else ''}")
    return ", ".join(parts) + "."
