"""The kitchen display app: wires the live feed to the board and the keys to the server.

The feed's callbacks become messages (``OrderChanged``, ``FeedStatusChanged``); every action
runs in a worker that asks the server through ``kds_client`` and reports a refusal in the
server's own words. The app itself does no network I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.geometry import Region, Size
from textual.notifications import SeverityLevel
from textual.reactive import reactive

from kds_contract import OPEN_STATUSES, ORDER_CREATED, ORDER_DELETED, Order
from kds_contract.statuses import UPCOMING_STATUSES
from kds_tui.actions import KitchenActions
from kds_tui.alerts import alert_for
from kds_tui.collector import Collector
from kds_tui.config import Settings
from kds_tui.messages import BoardLaidOut, FeedStatusChanged, OrderChanged, PageChanged
from kds_tui.model import (
    all_day,
    connection_word,
    has_work,
    known_stations,
    stale_note,
    station_items,
    station_warning,
    status_counts,
)
from kds_tui.upcoming_actions import UpcomingActions
from kds_tui.widgets.allday import AllDayPanel
from kds_tui.widgets.board import Board
from kds_tui.widgets.footer import KeysFooter
from kds_tui.widgets.header import KitchenHeader
from kds_tui.widgets.help import HelpScreen, key_rows
from kds_tui.widgets.notice import Notice
from kds_tui.widgets.pickup import PickupBoard
from kds_tui.widgets.upcoming import UpcomingStrip
from kds_ui.help import shown_keys
from kds_ui.safe_app import Clock, local_now

PREPARE_AFTER_S = 1.0
"""How long after the first board the tickets are worked out at the all-day panel's width."""
ALERT_BATCH_SECONDS = 0.5
"""Changes announced within this long ring the bell once and share one notice."""
TIMEOUTS: dict[str, float] = {"information": 4.0, "warning": 6.0, "error": 10.0}
"""How long a notice stays, by severity, unless its caller says."""


class KitchenApp(KitchenActions, UpcomingActions):
    """The kitchen display. Build it with :func:`make_app`."""

    CSS_PATH = "kds.tcss"
    TITLE = "Kitchen display"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("u", "undo", "Undo", id="undo"),
        Binding("r", "recall", "Recall", id="recall"),
        Binding("a", "toggle_all_day", "All day", id="all_day"),
        Binding("f", "fire_upcoming", "Fire now", show=False, id="fire_upcoming"),
        Binding("t", "next_upcoming", "Next upcoming", show=False, id="next_upcoming"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    show_all_day: reactive[bool] = reactive(False, repaint=False)
    """Whether the all-day panel is open. Opening or closing it lays the screen out anew,
    which draws what changed: no repaint of the whole screen after that (a screen update of
    its own, ~5 ms of CPU)."""

    def __init__(self, feed: Any, settings: Settings, *, clock: Clock = local_now) -> None:
        super().__init__()
        self.feed = feed
        self.settings = settings
        self.clock = clock
        self.menu_stations: tuple[str, ...] = ()
        """The menu's stations, once known (see :meth:`set_menu_stations`)."""
        self._summary_pending = False
        self._last_state = ""
        self._notes: list[str] = []
        self._ring_due = False
        self._flush_due = False
        self._was_live = False
        self._told_offline = False
        self._told_new: int | None = None
        self._told_new_text = ""
        self._stale: bool | None = None
        self.collector = Collector()
        self._header = KitchenHeader(settings.station)
        self._pickup = PickupBoard() if settings.pickup else None
        self._all_day = None if settings.pickup else AllDayPanel(id="all-day")
        self._upcoming = None if settings.pickup else UpcomingStrip()
        self._notice = Notice(self._selected_regions)
        self.board: Board | None = None
        """The board (there is none on the pickup screen)."""

    # -- building and tearing down ------------------------------------------------------

    async def on_load(self) -> None:
        # Before anything is built: a full collection no longer walks what the imports made.
        self.collector.begin()
        # The feed starts connecting while the screen is built; what it says waits in the
        # app's queue until the board is mounted.
        self.feed.on_change(lambda change: self.post_message(OrderChanged(change)))
        self.feed.on_status(lambda status: self.post_message(FeedStatusChanged(status)))
        await self.feed.start()

    def compose(self) -> ComposeResult:
        yield self._header
        if self._upcoming is not None:
            yield self._upcoming
        with Horizontal(id="main") as self._main:
            if self._pickup is not None:
                yield self._pickup
            else:
                self.board = Board(
                    station=self.settings.station,
                    thresholds=self.settings.thresholds,
                    allergens=self.settings.allergens,
                    now=self.clock(),
                    id="board",
                )
                self.board.page_listener = self.on_page_changed
                yield self.board
            if self._all_day is not None:
                yield self._all_day
        yield KeysFooter()
        yield self._notice

    def on_mount(self) -> None:
        self.set_keymap(dict(self.settings.keymap))
        if self.settings.pickup:
            self.screen_stack[0].add_class("-pickup")
            self._header.badge.for_customers = True
        self._show_status(self.feed.status)
        self._load(self.feed.store.open_orders())
        self._tick()
        self.set_interval(1.0, self._tick)

    async def on_unmount(self) -> None:
        self.collector.release()
        await self.feed.stop()

    def set_menu_stations(self, stations: Iterable[str]) -> None:
        """The menu's stations (``GET /api/menu``): a mistyped station is told from them
        too, not only from the stations on open orders."""
        self.menu_stations = tuple(stations)
        self._schedule_summary()

    # -- notices -------------------------------------------------------------------------

    def show_notice(
        self, message: str, *, title: str, severity: SeverityLevel, timeout: float | None
    ) -> bool:
        """One notice at a time, in place of the one before (see ``widgets.notice``).

        The pickup board faces customers: it shows them no notice at all.
        """
        if not self.settings.pickup:
            text = f"{title}: {message}" if title else message
            self._notice.say(text, severity=severity, timeout=timeout or TIMEOUTS[severity])
        return True

    def _selected_regions(self) -> list[Region]:
        """Where the selected ticket is on screen: no notice goes over it."""
        board = self.board
        if board is None or board.selected_id is None:
            return []
        regions = []
        for column in board.columns():
            for card in column.cards:
                if card.order.id == board.selected_id:
                    area = column.region
                    regions.append(Region(area.x, area.y + card.top, area.width, card.height))
        return regions

    def on_board_laid_out(self, _: BoardLaidOut) -> None:
        self._notice.replace_after_layout()

    # -- what the feed says ----------------------------------------------------------------

    def on_feed_status_changed(self, message: FeedStatusChanged) -> None:
        status = message.status
        state, before = str(status.state), self._last_state
        why = f": {status.error}" if status.error else ""
        if state != before:
            if before == "live":
                self.notify(f"Connection lost{why}", severity="warning", timeout=6)
            elif state == "offline" and not self._told_offline:
                self.notify(f"Offline{why}", severity="error", timeout=10)
                self._told_offline = True
            elif state == "live" and self._was_live:
                self.notify("Back online: the board is up to date", timeout=4)
            if state == "live":
                self._was_live, self._told_offline = True, False
                self.read_menu()
            self._last_state = state
        self._show_status(status)

    def on_order_changed(self, message: OrderChanged) -> None:
        change = message.change
        self.collector.changed()
        if board := self.board:
            # Tickets are drawn as of the clock now, not its last tick: the first orders
            # come after the first answer set the server's clock (see ``make_app``).
            board.now = self.clock()
        if change.type == "reset" or change.order_id is None:  # a snapshot: all again
            self._load(self.feed.store.open_orders())
            # As the feed is now (it may have gone live with this snapshot, its message on
            # the way): the board is laid out once, in the room it has live or not.
            self._show_status(self.feed.status)
            return
        order: Order | None = change.order
        previous: Order | None = change.previous
        ours = self.is_ours(change.order_id, order.version if order is not None else 0)
        relevant = any(
            o is not None and station_items(o, self.settings.station) for o in (order, previous)
        )
        if change.type == ORDER_DELETED or order is None:
            if board := self.board:
                board.remove_order(change.order_id, elsewhere=not ours)
            if relevant and previous is not None and not ours and not self.settings.pickup:
                self._note(f"#{change.order_id} was deleted")
        else:
            if board := self.board:
                board.update_order(order, previous, elsewhere=not ours)
                if change.type == ORDER_CREATED and not ours and relevant:
                    board.arrived(order.id)
            if relevant and not ours and not self.settings.pickup:
                self._announce(change.type, order, previous)
        self._schedule_summary()

    def _announce(self, kind: str, order: Order, previous: Order | None) -> None:
        """Bell, highlight and a few words for a change made somewhere else."""
        alert = alert_for(kind, order, previous)
        if alert is None:
            return
        if alert.highlight:
            if board := self.board:
                board.highlight(order.id)
        alone = bool(alert.title) or alert.severity != "information"
        if alone:
            # An edit or a cancel: said on its own, with what changed.
            self.notify(
                alert.message, title=alert.title, severity=alert.severity, timeout=alert.timeout
            )
        self._ring_due = self._ring_due or alert.ring
        self._note("" if alone else alert.message)

    def _note(self, message: str) -> None:
        """A few words for the next batch notice (a burst reads as one notice)."""
        if message:
            self._notes.append(message)
        if not self._flush_due:
            self._flush_due = True
            self.set_timer(ALERT_BATCH_SECONDS, self._flush_alerts)

    def _flush_alerts(self) -> None:
        # A burst (a reconnect's catch-up, a rush) rings once and reads as one notice.
        self._flush_due = False
        if self._ring_due and self.settings.bell:
            self.bell()
        notes, self._notes, self._ring_due = self._notes, [], False
        if notes:
            shown = notes[:3] + ([f"… and {len(notes) - 3} more"] if len(notes) > 3 else [])
            self.notify(" · ".join(shown), timeout=2.5)

    def _load(self, orders: list[Order]) -> None:
        if board := self.board:
            board.load(orders)
        self._schedule_summary()
        if orders:
            # Once the first board is up, what start-up made is never scanned again.
            self.call_after_refresh(self.collector.settle)
            self.set_timer(PREPARE_AFTER_S, self._prepare_all_day)

    def _prepare_all_day(self) -> None:
        """Work the tickets out ahead, while idle, at the width the all-day panel leaves
        them, so that opening it draws them rather than working 300 tickets out first."""
        if self.board is not None and self._all_day is not None and not self.show_all_day:
            if self._main.size.width:
                self.board.prepare_width(self._main.size.width - self._all_day_width())

    def _all_day_width(self) -> int:
        # A quarter of the screen, between 20 and 32 cells: names wrap, never cut.
        return max(20, min(32, self.size.width // 4))

    def _show_status(self, status: Any) -> None:
        # The feed reports "offline" once more while the app shuts down, screens gone.
        if not self._header.is_attached:
            return
        stale = str(status.state) != "live"
        ever_live = self._was_live or status.last_event_at is not None
        if stale != self._stale:
            self._stale = stale
            if board := self.board:
                board.stale = stale
            if self.settings.pickup:
                # For the pickup board's header (``Screen.-pickup.-stale``); a class on the
                # kitchen screen would restyle every widget on it for nothing.
                for screen in self.screen_stack[:1]:
                    screen.set_class(stale, "-stale")
        if stale and (board := self.board):
            board.say_why_stale(
                stale_note(
                    refused=status.refused, ever_live=ever_live, url=status.url, error=status.error
                )
            )
        word = connection_word(str(status.state), refused=status.refused, ever_live=ever_live)
        self._header.show_feed(status, word, self.clock().timestamp())

    def _schedule_summary(self) -> None:
        if not self._summary_pending:
            self._summary_pending = True
            self.call_after_refresh(self._refresh_summary)

    def _refresh_summary(self) -> None:
        """Counts, all-day and pickup numbers, the station check: sums over the open orders."""
        self._summary_pending = False
        orders = self.feed.store.open_orders()
        station = self.settings.station
        shown = [o for o in orders if has_work(o, station)]
        self._header.counts.show(status_counts(shown))
        if self._all_day is not None and self.show_all_day:
            self._all_day.show(all_day(orders, station, self.settings.allergens))
        if self._pickup is not None:
            self._pickup.show(orders)
        if board := self.board:
            board.warn_station(station_warning(station, known_stations(orders, self.menu_stations)))
        self._show_upcoming()

    def on_page_changed(self, message: PageChanged) -> None:
        indicator = self._header.page_indicator
        indicator.page, indicator.pages = message.page, message.pages
        new = message.new_id
        if new is None or message.new_page is None:
            indicator.new = None
            return
        indicator.new = (new, message.new_page, message.new_count)
        key = self.key_display_for("go_new")
        said = f"New order #{new} is on page {message.new_page + 1}: press {key} to see it"
        if new != self._told_new:
            self._told_new = new
            self.notify(said)
        elif self._told_new_text != said:
            # Its page changed (a banner came, tickets before it left): a notice still
            # showing says the page it is on now.
            self._notice.amend(self._told_new_text, said)
        self._told_new_text = said

    # -- the clock -------------------------------------------------------------------------

    def _tick(self) -> None:
        now = self.clock()
        self._header.clock.time = now
        if board := self.board:
            board.tick(now)
        self._show_upcoming()
        self._show_status(self.feed.status)
        self.collector.tick()

    # -- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The pickup board faces customers: it shows numbers and takes no kitchen action.
        if self.settings.pickup and action in ("undo", "recall", "toggle_all_day", "help"):
            return False
        allowed = self.upcoming_action(action)
        return True if allowed is None else allowed

    def action_toggle_all_day(self) -> None:
        """Show or hide the all-day panel."""
        self.show_all_day = not self.show_all_day

    def watch_show_all_day(self, show: bool) -> None:
        if self._all_day is not None:
            # Shown by itself (a class on the screen would restyle every widget on it).
            panel = self._all_day_width()
            self._all_day.styles.width = panel
            if show:
                # Its counts at once, in the room it is about to have: the screen update
                # that opens it draws them (not one a frame later, when it has that room).
                gutter = self._all_day.styles.gutter
                room = Size(panel - gutter.width, self._main.size.height - gutter.height)
                orders = self.feed.store.open_orders()
                rows = all_day(orders, self.settings.station, self.settings.allergens)
                self._all_day.show(rows, room)
            self._all_day.display = show
            if self.board is not None and self._main.size.width:
                # The board is laid out at once in the room it is about to have.
                self.board.resize_to(self._main.size.width - (panel if show else 0))

    def action_help(self) -> None:
        """Show every key as currently mapped."""
        self.push_screen(HelpScreen(self.key_rows()))

    def key_rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) for every binding, with the config file's remaps applied."""
        return key_rows(
            [*Board.BINDINGS, *self.BINDINGS], self.settings.keymap, self.get_key_display
        )

    def key_display_for(self, binding_id: str) -> str:
        """The key (the first of them) that does a binding's action, remaps applied."""
        binding = next(
            b
            for b in [*Board.BINDINGS, *self.BINDINGS]
            if isinstance(b, Binding) and b.id == binding_id
        )
        return shown_keys(binding, self.get_key_display, self.settings.keymap)[0]


def make_app(
    settings: Settings,
    *,
    feed: Any = None,
    clock: Clock | None = None,
) -> KitchenApp:
    """Build the display the same way for the command line and for tests.

    Args:
        settings: what to show and how (see :class:`kds_tui.config.Settings`).
        feed: a ``kds_client.LiveFeed`` (or a stand-in with the same surface); by default
            one on ``settings.urls`` with ``settings.token``, in the kitchen room.
        clock: the time of day; tests pass a frozen one. By default the server's, as the
            feed learns it (``server_now``), so that held items, countdowns and timers agree
            with the server and every other screen even where this machine's clock is off.
    """
    if feed is None:
        from kds_client.feed import LiveFeed
        from kds_client.screens import this_screen
        from kds_contract.screens import ScreenKind

        kind = ScreenKind.PICKUP if settings.pickup else ScreenKind.KITCHEN
        screen = this_screen(kind, settings.station, settings.screen_name)
        feed = LiveFeed(
            list(settings.urls),
            settings.token,
            rooms=("kitchen",),
            screen=screen,
            snapshot_statuses=(*UPCOMING_STATUSES, *OPEN_STATUSES),
        )
    if clock is None:
        clock = getattr(feed, "server_now", local_now)
    return KitchenApp(feed, settings, clock=clock)
