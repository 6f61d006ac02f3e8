"""What the console's screens may use of their app, so that they never import it.

``admin_tui.app.AdminApp`` is the one implementation; a screen declares ``app: Console``.
"""

from __future__ import annotations

from textual.reactive import reactive

from kds_client.feed import FeedStatus, LiveFeed
from kds_client.rest import KdsRest
from kds_contract import Order
from kds_ui.safe_app import Clock, SafeApp


class Console(SafeApp):
    """The admin console as its screens see it: its REST client and live feed, its clock,
    whether it rings, the feed's status, and the actions on an order."""

    rest: KdsRest
    feed: LiveFeed
    clock: Clock
    bell_on: bool

    feed_status: reactive[FeedStatus | None] = reactive(None)
    """The live feed's last status; every screen's connection bar follows it."""

    def ring(self) -> None:
        """Ring the terminal bell, if the person turned it on (off by default)."""
        raise NotImplementedError

    def start_move(self, order: Order, *, ask_which: bool = False) -> None:
        raise NotImplementedError

    def start_cancel(self, order: Order) -> None:
        raise NotImplementedError

    def start_delete(self, order: Order) -> None:
        raise NotImplementedError

    def start_edit(self, order: Order) -> None:
        raise NotImplementedError

    def start_create(self) -> None:
        raise NotImplementedError
