"""Notices of live changes: one short line at a time, however busy the kitchen.

Notices are gathered for a moment; each gathering replaces the line shown before it, which,
while still shown, is counted into the new one ("7 new orders, 2 other changes."; for at most
ten seconds, then the count starts over). The line is the screen's notice line, above the
footer (``AdminApp.notify``): it never covers a row of the table. The bell rings (when it is
on) only for what a manager must hear of: an order cancelled, a webhook failing, a screen
gone offline.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.timer import Timer
from textual.widget import Widget

GATHER_SECONDS = 0.25
"""How long to wait for more notices before showing them."""
SHOWN_SECONDS = 4.0
"""How long the line stays after the last change it tells of."""
TALLY_SECONDS = 10.0
"""How long one line keeps counting; in a steady stream the count starts over."""


class Announcer:
    """Shows notices through ``node``'s app; ``bell()`` is called for each alarm."""

    def __init__(self, node: Widget, bell: Callable[[], None]) -> None:
        self._node = node
        self._bell = bell
        self._notices: list[tuple[str, bool]] = []
        self._alarms: list[str] = []
        self._timer: Timer | None = None
        self._shown: list[tuple[str, bool]] = []
        self._shown_until = 0.0
        self._tally_since = 0.0

    def say(self, text: str, *, new_order: bool = False, alarm: bool = False) -> None:
        """Queue one notice; ``new_order`` ones count as new; ``alarm`` ones ring the bell and
        are told in their own words, never counted into a tally."""
        if alarm:
            self._alarms.append(text)
            self._bell()
        else:
            self._notices.append((text, new_order))
        if self._timer is None:
            self._timer = self._node.set_timer(GATHER_SECONDS, self._flush)

    def _flush(self) -> None:
        notices, self._notices, self._timer = self._notices, [], None
        alarms, self._alarms = self._alarms, []
        now = time.monotonic()
        if alarms:
            self._shown, self._shown_until = [], 0.0  # the tally starts over after it
            told = " ".join([*alarms, summary(notices)] if notices else alarms)
            self._node.app.notify(told, severity="warning", timeout=SHOWN_SECONDS * 2)
            return
        if not notices:
            return
        if now < self._shown_until and now - self._tally_since < TALLY_SECONDS:
            notices = self._shown + notices
        else:
            self._tally_since = now
        self._shown = notices
        self._shown_until = now + SHOWN_SECONDS
        self._node.app.notify(summary(notices), timeout=SHOWN_SECONDS)


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
