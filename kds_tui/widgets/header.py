"""The header: station, connection state, feed health, counts, page and clock.

The header is redrawn every second (feed health, the clock) and on every event (counts), so
each part repaints only when its text changes, and asks for a new layout of the screen (which
costs as much as redrawing every ticket) only when its width changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from kds_contract import Status

STALE_AFTER = 15
"""Seconds without a word from the server after which the feed health turns amber."""
WORD_TEXT = {
    "LIVE": ("● Live", "live"),
    "NOT ALLOWED": ("✕ Not allowed", "refused"),
    "NOT CONNECTED YET": ("◌ Not connected yet", "waiting"),
    "OFFLINE": ("✕ Offline", "offline"),
}
"""The header's words for each of ``kds_tui.model.connection_word``'s, and their class."""


class HeaderText(Widget):
    """A header part as wide as its text (``width: auto``)."""

    _width = -1

    def _refit(self) -> None:
        """Lay the header out again if the text's width changed (a repaint is automatic)."""
        width = cell_len(str(self.render()))
        if width != self._width:
            self._width = width
            self.refresh(layout=True)


class ConnectionBadge(HeaderText):
    """The feed's connection state, in words and a symbol, always on screen: the same word
    as the board's banner (see ``kds_tui.model.connection_word``)."""

    word: reactive[str] = reactive("NOT CONNECTED YET")
    """``LIVE``, ``NOT ALLOWED``, ``NOT CONNECTED YET`` or ``OFFLINE``."""
    trying: reactive[bool] = reactive(False)
    """An attempt to connect is under way."""
    retry_in: reactive[int | None] = reactive(None)
    """Seconds to the next attempt to connect, while waiting for it."""
    for_customers: reactive[bool] = reactive(False)
    """On the pickup board: "Updating…" whenever it is not live, and nothing technical."""

    def render(self) -> str:
        if self.for_customers:
            return "● Live" if self.word == "LIVE" else "Updating…"
        text, _ = WORD_TEXT.get(self.word, (self.word, ""))
        if self.word in ("LIVE", "NOT ALLOWED"):
            return text
        if self.trying:
            return f"{text}, connecting…"
        return f"{text}, retry in {self.retry_in}s" if self.retry_in is not None else text

    def watch_word(self, word: str) -> None:
        for name, (_, css) in WORD_TEXT.items():
            self.set_class(word == name, f"-{css}")
        self._refit()

    def watch_trying(self) -> None:
        self._refit()

    def watch_retry_in(self) -> None:
        self._refit()

    def watch_for_customers(self) -> None:
        self._refit()


class FeedHealth(HeaderText):
    """How long ago the feed last heard from the server."""

    seconds_ago: reactive[int | None] = reactive(None)
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
        self._refit()


class StatusCounts(Widget):
    """How many tickets are new, cooking and ready (as wide as the header leaves it)."""

    counts: reactive[tuple[int, int, int]] = reactive((0, 0, 0))
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


class PageIndicator(HeaderText):
    """Which page of tickets is on screen, and where the newest unseen order is."""

    page: reactive[int] = reactive(0)
    """The page on screen, counted from 0."""
    pages: reactive[int] = reactive(1)
    """How many pages there are."""
    new: reactive[tuple[int, int, int] | None] = reactive(None)
    """The oldest new order off this page: its number, its page, how many new in all."""

    def render(self) -> str:
        text = f"page {self.page + 1}/{self.pages}"
        if self.new is not None:
            order_id, page, count = self.new
            more = f" +{count - 1}" if count > 1 else ""
            text += f" · new #{order_id} on p{page + 1}{more} (g)"
        return text

    def watch_page(self) -> None:
        self._refit()

    def watch_pages(self) -> None:
        self._show()

    def watch_new(self) -> None:
        self.set_class(self.new is not None, "-new")
        self._show()

    def _show(self) -> None:
        self.display = self.pages > 1 or self.new is not None
        self._refit()


class Clock(Widget):
    """The time of day, from the app's clock (frozen in tests)."""

    time: reactive[datetime | None] = reactive(None, repaint=False)
    """The time shown (it is set every second, and repaints once a minute)."""

    def render(self) -> str:
        return self.time.strftime("%H:%M") if self.time else "--:--"

    def watch_time(self, old: datetime | None, new: datetime | None) -> None:
        if old is None or new is None or (old.hour, old.minute) != (new.hour, new.minute):
            self.refresh()


class KitchenHeader(Horizontal):
    """One line across the top of the display."""

    def __init__(self, station: str | None) -> None:
        super().__init__()
        self.station = station
        self.badge = ConnectionBadge()
        self.health = FeedHealth()
        self.counts = StatusCounts()
        self.page_indicator = PageIndicator()
        self.clock = Clock()

    def compose(self) -> ComposeResult:
        title = self.station.upper() if self.station else "EXPO"
        yield Static(title, classes="station")
        yield self.badge
        yield self.health
        yield self.counts
        yield self.page_indicator
        yield self.clock

    def show_feed(self, status: Any, word: str, now: float) -> None:
        """The feed's state, how long since it last heard from the server, when it retries.

        Args:
            status: a ``kds_client.FeedStatus``.
            word: its state in one word (``kds_tui.model.connection_word``).
            now: the time of day as a timestamp.
        """
        since, retry = status.last_event_at, status.next_attempt_at
        self.badge.word = word
        self.badge.trying = str(status.state) == "connecting"
        self.health.seconds_ago = None if since is None else int(now - since)
        self.badge.retry_in = None if retry is None else max(0, round(retry - now))
