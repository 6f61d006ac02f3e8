"""The admin console app, and the one factory that builds it for the command line and tests."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding

from admin_tui.actions import OrderActions
from admin_tui.messages import FeedStatusChanged, OrderChanged
from admin_tui.screens.help import HelpScreen
from admin_tui.screens.orders import OrdersScreen
from kds_client.feed import FeedStatus, LiveFeed
from kds_client.rest import KdsRest
from kds_client.screens import this_screen
from kds_client.store import Change
from kds_contract.screens import ScreenKind
from kds_ui.safe_app import Clock, local_now

PLAIN_KEYS = {
    "enter": "enter",
    "up": "up",
    "down": "down",
    "left": "left",
    "right": "right",
    "escape": "esc",
}


class AdminApp(OrderActions):
    """Every order live, with filters, paging, history, actions and the day's figures."""

    CSS_PATH = "admin.tcss"
    TITLE = "KDS admin"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark,f1", "keys", "Keys", id="app.keys"),
        Binding("h", "webhooks", "Webhooks", show=False, id="app.webhooks"),
    ]

    def __init__(
        self, rest: KdsRest, feed: LiveFeed, *, clock: Clock = local_now, bell: bool = True
    ) -> None:
        super().__init__()
        self.rest = rest
        """REST calls: pages of orders, details, history, actions, figures."""
        self.feed = feed
        """Live changes from the ``admin`` room, caught up by seq after a cut."""
        self.clock = clock
        self.bell_on = bell
        """Ring the terminal bell on a new order."""

    def get_key_display(self, binding: Binding) -> str:
        """Keys as words where Textual would use symbols a plain SSH font may lack."""
        return PLAIN_KEYS.get(binding.key) or super().get_key_display(binding)

    async def on_mount(self) -> None:
        self.feed.on_change(self._feed_changed)
        self.feed.on_status(self._feed_status_changed)
        await self.push_screen(OrdersScreen())
        await self.feed.start()

    async def on_unmount(self) -> None:
        await self.feed.stop()
        await self.rest.close()

    def _feed_changed(self, change: Change) -> None:
        self.broadcast(OrderChanged(change))

    def _feed_status_changed(self, status: FeedStatus) -> None:
        self.post_message(FeedStatusChanged(status))

    def on_feed_status_changed(self, message: FeedStatusChanged) -> None:
        self.feed_status = message.status

    def action_webhooks(self) -> None:
        """Show the webhook endpoints and their health."""
        from admin_tui.screens.webhooks import WebhooksScreen

        if not isinstance(self.screen, WebhooksScreen) and not self.screen.is_modal:
            self.push_screen(WebhooksScreen())

    def action_keys(self) -> None:
        """Show the keys of the current screen (and the app's own)."""
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        bindings = [*getattr(screen, "HELP_BINDINGS", ()), *screen.BINDINGS]
        if not screen.is_modal:  # a dialog takes every key itself: the app's do not apply
            bindings += self.BINDINGS
        title = getattr(screen, "HELP_TITLE", "Keys")
        self.push_screen(HelpScreen(title, bindings, notes=getattr(screen, "HELP_NOTES", "")))


def make_app(
    urls: Sequence[str] | str,
    token: str,
    *,
    clock: Clock = local_now,
    bell: bool = True,
    rest: KdsRest | None = None,
    feed: LiveFeed | None = None,
) -> AdminApp:
    """Build the console: one ``KdsRest`` and one ``LiveFeed`` on the ``admin`` room.

    Tests pass ``clock`` to freeze time, and may pass ``rest``/``feed`` of their own.
    """
    url_list = [urls] if isinstance(urls, str) else list(urls)
    rest = rest or KdsRest(url_list, token)
    feed = feed or LiveFeed(
        url_list, token, rooms=("admin",), rest=rest, screen=this_screen(ScreenKind.ADMIN)
    )
    return AdminApp(rest, feed, clock=clock, bell=bell)
