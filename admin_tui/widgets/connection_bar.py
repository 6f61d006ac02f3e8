"""The top line of every screen: what this is, and whether it is live."""

from __future__ import annotations

import time

from rich.text import Text
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from kds_client.feed import ConnectionState, FeedStatus

STATE_LABEL: dict[ConnectionState, str] = {
    ConnectionState.CONNECTING: "CONNECTING",
    ConnectionState.LIVE: "LIVE",
    ConnectionState.RECONNECTING: "RECONNECTING",
    ConnectionState.OFFLINE: "OFFLINE",
}


WAITING = (ConnectionState.RECONNECTING, ConnectionState.OFFLINE)
"""States in which the feed waits for its next attempt (``next_attempt_at``)."""

TOKEN_HINT = (
    "t: type another admin token. To make one, on the server's host:",
    "kds-server token create --role admin --data-dir <the server's data folder>",
)
"""What to do when the server refuses the token; each line fits 80 columns."""


def token_problem(status: FeedStatus | None) -> str | None:
    """``token refused`` or ``not an admin token`` while the server refuses the token."""
    if status is None or status.state == ConnectionState.LIVE or not status.refused:
        return None
    # A role refused (403) rather than an unknown token (401): the server's word for it.
    return "not an admin token" if "forbidden" in (status.error or "") else "token refused"


class ConnectionBar(Widget):
    """Title on the left; connection state and server on the right. Follows ``app.feed_status``.

    While the server refuses the token, a second line says what to do about it.
    """

    status: reactive[FeedStatus | None] = reactive(None)
    """The feed's last reported status; ``None`` before the first report."""

    def __init__(self, title: str = "KDS admin", **kwargs) -> None:
        super().__init__(**kwargs)
        self.title = title
        self._ticker: Timer | None = None

    def on_mount(self) -> None:
        self.watch(self.app, "feed_status", self._follow, init=True)

    def _follow(self, status: FeedStatus | None) -> None:
        self.status = status

    def watch_status(self, status: FeedStatus | None) -> None:
        state = status.state if status else ConnectionState.CONNECTING
        for each in ConnectionState:
            self.set_class(each == state, f"-{each.value}")
        self.set_class(token_problem(status) is not None, "-token")
        # A countdown to the next attempt needs a tick; a live feed does not.
        waiting = state in WAITING
        if waiting and self._ticker is None:
            self._ticker = self.set_interval(1, self.refresh)
        elif not waiting and self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    def render(self) -> Text:
        status = self.status
        state = status.state if status else ConnectionState.CONNECTING
        words = STATE_LABEL[state]
        if state in WAITING and status and status.next_attempt_at:
            words += f", retry in {max(0, round(status.next_attempt_at - time.time()))}s"
        problem = token_problem(status)
        reason = ""
        if problem:
            detail = problem
        elif status and status.error and state != ConnectionState.LIVE:
            detail, reason = "", status.error
        else:
            detail = _host(status.url) if status and status.url else ""
        left = Text(f" {self.title}", style="bold")
        label = Text(f" {words} ", style="reverse")
        room = self.size.width - left.cell_len - label.cell_len - 3
        detail_text = Text(detail)
        if reason and Text(reason).cell_len <= room:
            detail_text, reason = Text(reason), ""  # the reason fits beside the state
        detail_text.truncate(max(0, room), overflow="ellipsis")
        right = Text.assemble(label, " ", detail_text, " ")
        gap = max(1, self.size.width - left.cell_len - right.cell_len)
        line = Text.assemble(left, " " * gap, right)
        if reason:
            # Why it is not live, whole on lines of its own: never cut at 80 columns.
            for part in Text(reason).wrap(self.app.console, max(10, self.size.width - 2))[:2]:
                line.append("\n ")
                line.append_text(part)
        if problem:
            for hint in TOKEN_HINT:
                line.append(f"\n {hint}", style="bold")
        return line


def _host(url: str) -> str:
    return url.split("://", 1)[-1].rstrip("/")
