"""The admin console app, and the one factory that builds it for the command line and tests."""

from __future__ import annotations

from collections.abc import Sequence

from textual import work
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel

from admin_tui.actions import OrderActions
from admin_tui.messages import FeedStatusChanged, OrderChanged
from admin_tui.screens.help import HelpScreen
from admin_tui.screens.orders import OrdersScreen
from admin_tui.watchdog import Watchdog
from admin_tui.widgets.notice_bar import NoticeBar
from kds_client.errors import KdsError
from kds_client.feed import FeedStatus, LiveFeed
from kds_client.rest import KdsRest
from kds_client.screens import this_screen
from kds_client.store import Change
from kds_contract.screens import ScreenKind
from kds_ui.safe_app import Clock, local_now

WATCH_SECONDS = 30
"""How often the console looks at webhooks and screens for trouble to ring about."""

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
        Binding("b", "toggle_bell", "Bell on/off", show=False, id="app.bell"),
        Binding("t", "use_token", "Use another token", show=False, id="app.token"),
    ]

    def __init__(
        self, rest: KdsRest, feed: LiveFeed, *, clock: Clock = local_now, bell: bool = False
    ) -> None:
        super().__init__()
        self.rest = rest
        """REST calls: pages of orders, details, history, actions, figures."""
        self.feed = feed
        """Live changes from the ``admin`` room, caught up by seq after a cut."""
        self.clock = clock
        self.bell_on = bell
        """Ring the terminal bell for an order cancelled, a webhook failing, a screen offline
        (off unless ``--bell``, or ``b``)."""
        self.rings = 0
        """How often the bell rang (or would have, had it been on: no, only when on)."""
        self.notice_log: list[str] = []
        """Every notice shown, ``title: message``, oldest first."""
        self.watchdog = Watchdog()

    def ring(self) -> None:
        if self.bell_on:
            self.rings += 1
            self.bell()

    def action_use_token(self) -> None:
        """Type another admin token; the console connects with it at once."""
        from admin_tui.screens.token_entry import TokenScreen

        def typed(token: str | None) -> None:
            if token:
                self.switch_token(token)

        if not self.screen.is_modal:
            self.push_screen(TokenScreen(classes="dialog"), typed)

    @work(exclusive=True, group="token")
    async def switch_token(self, token: str) -> None:
        await self.feed.use_token(token)
        self.notify("Connecting with the new token...")

    def action_toggle_bell(self) -> None:
        """Turn the bell on or off for this session."""
        self.bell_on = not self.bell_on
        if self.bell_on:
            self.notify(
                "Bell on: it rings for an order cancelled, a webhook failing, a screen offline."
            )
        else:
            self.notify("Bell off.")

    def show_notice(
        self, message: str, *, title: str, severity: SeverityLevel, timeout: float | None
    ) -> bool:
        """On a screen with a notice line, the notice goes there: never over the table."""
        self.notice_log.append(f"{title}: {message}")
        bar = self._notice_bar()
        if bar is None:
            return False
        default = 10.0 if severity == "error" else 5.0
        bar.say(message, title=title, severity=severity, timeout=timeout or default)
        return True

    def get_key_display(self, binding: Binding) -> str:
        """Keys as words where Textual would use symbols a plain SSH font may lack."""
        return PLAIN_KEYS.get(binding.key) or super().get_key_display(binding)

    def _notice_bar(self) -> NoticeBar | None:
        """The notice line in view: the top screen's, or, under dialogs, the screen's below."""
        for screen in reversed(self.screen_stack):
            try:
                return screen.query_one(NoticeBar)
            except NoMatches:
                if not screen.is_modal:
                    return None
        return None

    async def on_mount(self) -> None:
        self.feed.on_change(self._feed_changed)
        self.feed.on_status(self._feed_status_changed)
        await self.push_screen(OrdersScreen())
        await self.feed.start()
        self.set_interval(WATCH_SECONDS, self.watch_outside)
        self.watch_outside()

    @work(exclusive=True, group="watchdog")
    async def watch_outside(self) -> None:
        """Webhooks failing and screens gone offline: told (and rung) when they start."""
        try:
            webhooks, screens = await self.rest.webhooks(), await self.rest.screens()
        except KdsError:
            return  # the connection bar says when the server is away
        for alarm in self.watchdog.check(webhooks, screens.screens):
            self.notify(alarm, severity="warning", timeout=15)
            self.ring()

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
    clock: Clock | None = None,
    bell: bool = False,
    rest: KdsRest | None = None,
    feed: LiveFeed | None = None,
) -> AdminApp:
    """Build the console: one ``KdsRest`` and one ``LiveFeed`` on the ``admin`` room.

    ``clock`` is the time of day the console counts ages, "today" and due times against:
    by default the server's, as the feed learns it (``server_now``), so that the console
    agrees with the server and the kitchen's screens where this machine's clock is off.
    Tests pass one to freeze time, and may pass ``rest``/``feed`` of their own.
    """
    url_list = [urls] if isinstance(urls, str) else list(urls)
    rest = rest or KdsRest(url_list, token)
    feed = feed or LiveFeed(
        url_list, token, rooms=("admin",), rest=rest, screen=this_screen(ScreenKind.ADMIN)
    )
    return AdminApp(rest, feed, clock=clock or feed.server_now, bell=bell)
