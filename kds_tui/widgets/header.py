"""The header: station, connection state, feed health, counts, page and clock."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from kds_contract import Status

STALE_AFTER = 15
"""Seconds without a word from the server after which the feed health turns amber."""
STATE_TEXT = {
    "connecting": "… Connecting",
    "live": "● Live",
    "reconnecting": "◌ Reconnecting",
    "offline": "✕ Offline",
}


class ConnectionBadge(Widget):
    """The feed's connection state, in words and a symbol, always on screen."""

    state: reactive[str] = reactive("connecting", layout=True)
    """``connecting``, ``live``, ``reconnecting`` or ``offline``."""
    retry_in: reactive[int | None] = reactive(None, layout=True)
    """Seconds to the next reconnect attempt, while reconnecting."""

    def render(self) -> str:
        text = STATE_TEXT.get(self.state, self.state)
        if self.state == "reconnecting" and self.retry_in is not None:
            text += f" in {self.retry_in}s"
        elif self.state == "offline" and self.retry_in is not None:
            text += f", retry in {self.retry_in}s"
        return text

    def watch_state(self, state: str) -> None:
        for name in STATE_TEXT:
            self.set_class(state == name, f"-{name}")


class FeedHealth(Widget):
    """How long ago the feed last heard from the server."""

    seconds_ago: reactive[int | None] = reactive(None, layout=True)
    """Seconds since the last event or successful check; None before the first."""

    def render(self) -> str:
        if self.seconds_ago is None:
            return "no update yet"
        if self.seconds_ago < 60:
            return f"updated {self.seconds_ago}s ago"
        return f"updated {self.seconds_ago // 60}m ago"

    def watch_seconds_ago(self, seconds: int | None) -> None:
        # The feed checks in every few seconds: silence this long means something is wrong.
        self.set_class(seconds is not None and seconds >= STALE_AFTER, "-old")


class StatusCounts(Widget):
    """How many tickets are new, cooking and ready."""

    counts: reactive[tuple[int, int, int]] = reactive((0, 0, 0), layout=True)
    """Pending, preparing and ready tickets on this display."""

    def render(self) -> str:
        new, cooking, ready = self.counts
        return f"{new} new · {cooking} cook · {ready} ready"

    def show(self, counts: dict[Status, int]) -> None:
        """Show counts by status."""
        self.counts = (
            counts.get(Status.PENDING, 0),
            counts.get(Status.PREPARING, 0),
            counts.get(Status.READY, 0),
        )


class PageIndicator(Widget):
    """Which page of tickets is on screen."""

    page: reactive[int] = reactive(0, layout=True)
    """The page on screen, counted from 0."""
    pages: reactive[int] = reactive(1, layout=True)
    """How many pages there are."""

    def render(self) -> str:
        return f"page {self.page + 1}/{self.pages}"

    def watch_pages(self, pages: int) -> None:
        self.display = pages > 1


class Clock(Widget):
    """The time of day, from the app's clock (frozen in tests)."""

    time: reactive[datetime | None] = reactive(None)
    """The time shown."""

    def render(self) -> str:
        return self.time.strftime("%H:%M") if self.time else "--:--"


class KitchenHeader(Horizontal):
    """One line across the top of the display."""

    def __init__(self, station: str | None) -> None:
        super().__init__()
        self.station = station

    def compose(self) -> ComposeResult:
        title = self.station.upper() if self.station else "EXPO"
        yield Static(title, classes="station")
        yield ConnectionBadge()
        yield FeedHealth()
        yield StatusCounts()
        yield PageIndicator()
        yield Clock()
