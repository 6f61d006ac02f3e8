"""The main screen: one server-side page of orders, kept live.

Pages after the first show the list as it was when the first page was read (``max_id``):
orders that arrive meanwhile never shift them; they are counted in the ``+N new`` hint
(only those the view would show) until the first page or ``r`` reads the list as it is now.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer

from admin_tui.announcer import Announcer
from admin_tui.console import Console
from admin_tui.query import SORTS, OrderQuery
from admin_tui.screens.orders_live import LivePage
from admin_tui.screens.search import SearchChoice, SearchScreen
from admin_tui.typeahead import TypeAhead
from admin_tui.widgets.connection_bar import ConnectionBar
from admin_tui.widgets.filter_bar import FilterBar
from admin_tui.widgets.notice_bar import NoticeBar
from admin_tui.widgets.orders_table import OrdersTable
from kds_client.errors import KdsError, NotFound
from kds_client.feed import ConnectionState, FeedStatus
from kds_client.store import Change
from kds_contract import (
    OPEN_STATUSES,
    Order,
    Status,
)
from kds_contract.search import parse_search

FILTER = Binding.Group("filter", compact=True)
SHIFTED_SECONDS = 3.0
"""A move asks which order is meant when a change moved the selected row this recently."""
TYPING_KEYS = {"slash": "text", "d": "since", "n": "create", "e": "edit"}
"""Keys that open a dialog to type in (search, days, the order form): what follows them is
typed there, however fast it came."""
STATUS_KEYS: tuple[tuple[str, tuple[Status, ...], str, str], ...] = (
    # key, statuses shown, name (binding id), description
    ("0", (), "all", "every status"),
    ("1", (Status.PENDING,), "pending", "pending only"),
    ("2", (Status.PREPARING,), "preparing", "preparing only"),
    ("3", (Status.READY,), "ready", "ready only"),
    ("4", (Status.COMPLETED,), "completed", "completed only"),
    ("5", (Status.CANCELLED,), "cancelled", "cancelled only"),
    ("6", (Status.SCHEDULED,), "scheduled", "scheduled only"),
    ("o", OPEN_STATUSES, "open", "open: pending, preparing, ready"),
)


class OrdersScreen(LivePage, Screen[None]):
    """Orders table with filter line; every change the feed reports is applied in place."""

    app: Console

    HELP_TITLE = "Keys: orders"
    HELP_BINDINGS = [
        Binding("up,down", "cursor", "Choose an order"),
        Binding("enter", "open", "Open the order"),
        *OrdersTable.BINDINGS,
    ]
    BINDINGS = [
        # Shown in the footer: what fits in 80 columns. The rest are in the keys panel (?).
        Binding("m", "move", "Move", id="orders.move"),
        Binding("n", "create", "New", id="orders.create"),
        Binding("slash", "search('text')", "Search", id="orders.search"),
        Binding("s", "sort", "Sort", id="orders.sort"),
        Binding("f", "figures", "Figures", id="orders.figures"),
        Binding("p", "report", "Report", show=False, id="orders.report"),
        Binding("E", "export", "Export to CSV", show=False, id="orders.export"),
        *(
            Binding(key, f"filter('{key}')", text, group=FILTER, id=f"orders.filter_{name}")
            for key, _, name, text in STATUS_KEYS
        ),
        Binding("e", "edit", "Edit", show=False, id="orders.edit"),
        Binding("c", "cancel", "Cancel order", show=False, id="orders.cancel"),
        Binding("x,delete", "delete", "Delete order", show=False, id="orders.delete"),
        Binding("d", "search('since')", "Days", show=False, id="orders.days"),
        Binding("r", "reload", "Reload as of now", show=False, id="orders.reload"),
        Binding("w", "screens_online", "Screens online", show=False, id="orders.screens"),
        Binding("k", "tokens", "Tokens", show=False, id="orders.tokens"),
        Binding("M", "menu", "Menu and prep times", show=False, id="orders.menu"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._order_query: OrderQuery | None = None
        self._loading = False
        """A page request is out: live changes are applied now and again after it."""
        self._loads = 0
        self._held: list[Change] = []
        self._cursor_after_load: int | None = None
        """Where the cursor goes once the page arrives: first (-1) or last (+1) row."""
        self._new_ids: set[int] = set()
        """New orders of this view that the pages do not show (the ``+N new`` hint)."""
        self._dialog: TypeAhead | None = None
        """A dialog opened from here: keys that reach this screen while it is up go to it."""

    @property
    def order_query(self) -> OrderQuery:
        """What the table shows."""
        assert self._order_query is not None
        return self._order_query

    def compose(self) -> ComposeResult:
        yield ConnectionBar()
        yield FilterBar(self.app.clock, id="filter-bar")
        yield OrdersTable(self.app.clock, id="orders")
        yield NoticeBar()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.announcer = Announcer(self, self.app.ring)
        self.set_interval(5, self.table.tick)
        self.watch(self.app, "feed_status", self._feed_status, init=False)

    def _feed_status(self, old: FeedStatus | None, new: FeedStatus | None) -> None:
        # Back after a cut: the feed caught up by seq; reload the page so it converges too.
        was_live = old is not None and old.state == ConnectionState.LIVE
        if new is not None and new.state == ConnectionState.LIVE and not was_live:
            if self._order_query is not None:
                self.load_page(top=False)

    @property
    def table(self) -> OrdersTable:
        return self.query_one(OrdersTable)

    @property
    def bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    def now(self) -> datetime:
        return self.app.clock()

    # The query and the page ------------------------------------------------------------

    def set_query(self, query: OrderQuery, *, top: bool = True) -> None:
        """Show what ``query`` asks for; the server fetches it. ``top``: select the first
        row once it arrives (a new filter, sort, day or page)."""
        self._order_query = query
        self.bar.order_query = query
        self.load_page(top=top)

    def on_orders_table_fitted(self, message: OrdersTable.Fitted) -> None:
        if self._order_query is None:
            self.set_query(OrderQuery.today(self.now(), per_page=message.rows))
            return
        # Keep the first order shown on the new page.
        first = (self.order_query.page - 1) * self.order_query.per_page
        self.set_query(
            self.order_query.with_(per_page=message.rows, page=first // message.rows + 1),
            top=False,
        )

    def on_orders_table_page_requested(self, message: OrdersTable.PageRequested) -> None:
        query = self.order_query
        last = query.pages(self.bar.total or 0)
        page = min(max(1, query.page + message.step), last)
        if page != query.page:
            self.set_query(query.with_(page=page))

    def on_orders_table_end_requested(self, message: OrdersTable.EndRequested) -> None:
        """Home: the first order of the first page; End: the last order of the last page."""
        query = self.order_query
        page = 1 if message.step < 0 else query.pages(self.bar.total or 0)
        if page == query.page:
            self.table.cursor_to_end(message.step)
            return
        self._cursor_after_load = message.step
        self.set_query(query.with_(page=page))

    def on_orders_table_selection_left(self, message: OrdersTable.SelectionLeft) -> None:
        what = "was deleted" if message.deleted else "moved off this page"
        self.notify(
            f"Order {message.order_id} {what}: no order is selected (up/down to choose).",
            severity="warning",
            timeout=10,
        )

    @work(exclusive=True, group="page")
    async def load_page(self, *, top: bool = False) -> None:
        """Fetch the current page; changes that arrive meanwhile are applied after it.

        The first page is always the list as it is now; it sets the ``max_id`` the next
        pages are read as of."""
        query = self.order_query
        if query.page == 1:
            query = replace(query, max_id=None)
        self._loads += 1
        serial = self._loads
        bars = self.query(FilterBar)  # found now: when the app quits meanwhile, the screen
        if not bars:  # is emptied; a screen already emptied has nothing to load into
            return
        bar = bars.first()
        self._loading = bar.loading_page = True
        try:
            page = await self.app.rest.list_orders(**query.rest_params(self.now()))
        except KdsError as error:
            self.notify(error.message, title="Orders not loaded", severity="error")
            return
        finally:
            # A newer load may have replaced this one (exclusive worker): it is still loading.
            if serial == self._loads:
                self._loading = bar.loading_page = False
        if not self.query(OrdersTable):  # the app quit while the page came: nothing to show
            return
        if page.total and query.page > query.pages(page.total):
            self.set_query(query.with_(page=query.pages(page.total)), top=top)
            return
        if query.max_id is None:
            query = replace(query, max_id=page.max_id)
            self._new_ids = {i for i in self._new_ids if i > (page.max_id or 0)}
            bar.new_count, bar.changed_count = len(self._new_ids), 0
        self._order_query = bar.order_query = query
        self.table.show(page.orders, top=top)
        if self._cursor_after_load is not None:
            self.table.cursor_to_end(self._cursor_after_load)
            self._cursor_after_load = None
        bar.total = page.total
        held, self._held = self._held, []
        for change in held:
            self._apply(change, quiet=True)

    # Actions on the order under the cursor ---------------------------------------------

    def _current(self) -> Order | None:
        order = self.table.current
        if order is None:
            self.notify("No order selected: up or down to choose one.", severity="warning")
        return order

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        from admin_tui.screens.detail import OrderDetailScreen

        event.stop()
        if (order := self._current()) is not None:
            self.app.push_screen(OrderDetailScreen(order))

    def action_move(self) -> None:
        if (order := self._current()) is not None:
            self.app.start_move(order, ask_which=self.table.shifted_within(SHIFTED_SECONDS))

    def action_cancel(self) -> None:
        if (order := self._current()) is not None:
            self.app.start_cancel(order)

    def action_delete(self) -> None:
        if (order := self._current()) is not None:
            self.app.start_delete(order)

    def action_edit(self) -> None:
        if (order := self._current()) is not None:
            self.app.start_edit(order)

    def action_create(self) -> None:
        self.app.start_create()

    def action_filter(self, key: str) -> None:
        statuses = next(s for k, s, _, _ in STATUS_KEYS if k == key)
        self.set_query(self.order_query.with_(statuses=statuses))

    def action_sort(self) -> None:
        sorts = list(SORTS)
        following = sorts[(sorts.index(self.order_query.sort) + 1) % len(sorts)]
        self.set_query(self.order_query.with_(sort=following))

    def action_search(self, focus: str) -> None:
        query = self.order_query

        def chosen(choice: SearchChoice | None) -> None:
            if choice is None:
                return
            self.set_query(query.with_(text=choice.text, since=choice.since, until=choice.until))
            search = parse_search(choice.text)
            if search is not None and search.order_id is not None:
                self.open_number(search.order_id)

        dialog = SearchScreen(
            query.text, query.since, query.until, today=self.now().date(), focus=focus
        )
        self._dialog = dialog
        self.app.push_screen(dialog, chosen)

    @work(exclusive=True, group="open-number")
    async def open_number(self, order_id: int) -> None:
        """``#1709`` or ``1709`` searched: open that order, as customers and cooks name it."""
        from admin_tui.screens.detail import OrderDetailScreen

        try:
            order: Order | int = await self.app.rest.get_order(order_id)
        except NotFound:
            try:  # a deleted order: its history says who deleted it
                found = bool(await self.app.rest.order_events(order_id))
            except KdsError:
                found = False
            if not found:
                self.notify(f"No order {order_id}.", severity="warning")
                return
            order = order_id
        except KdsError as error:
            self.notify(error.message, title=f"Order {order_id}", severity="error")
            return
        self.app.push_screen(OrderDetailScreen(order))

    def on_key(self, event: events.Key) -> None:
        """Keys typed after ``/``, ``d``, ``n`` or ``e`` go to the dialog it opens, in order,
        however fast they came (a paste, a slow SSH link)."""
        dialog = self._dialog
        if dialog is not None and dialog in self.app.screen_stack:
            event.stop()
            event.prevent_default()
            dialog.type_ahead(event)
            return
        self._dialog = None
        if event.key in TYPING_KEYS and self.app.screen is self:
            # Opened here, not through the app's bindings: the keys behind this one in the
            # queue must find the dialog already open.
            event.stop()
            event.prevent_default()
            self._open_for_typing(TYPING_KEYS[event.key])

    def _open_for_typing(self, what: str) -> None:
        """Open the search (at its ``text`` or ``since`` field), the new order form, or the
        selected order's form."""
        if what == "create":
            self.action_create()
        elif what == "edit":
            self.action_edit()
        else:
            self.action_search(what)
        top = self.app.screen
        if top is not self and isinstance(top, TypeAhead):
            self._dialog = top

    def action_reload(self) -> None:
        """Read the list as it is now (new orders included), staying on this page."""
        self.set_query(self.order_query.with_(page=self.order_query.page, max_id=None), top=False)

    def action_tokens(self) -> None:
        from admin_tui.screens.tokens import TokensScreen

        self.app.push_screen(TokensScreen())

    def action_menu(self) -> None:
        from admin_tui.screens.menu import MenuScreen

        self.app.push_screen(MenuScreen())

    def action_screens_online(self) -> None:
        from admin_tui.screens.screens_online import ScreensOnlineScreen

        self.app.push_screen(ScreensOnlineScreen())

    @work(exclusive=True, group="export")
    async def action_export(self) -> None:
        """Every order of this view (all pages, as of now) to a CSV file in the current
        folder; the notice names the file."""
        from admin_tui.export import export_view

        try:
            path, count = await export_view(self.app.rest, self.order_query, self.now())
        except KdsError as error:
            self.notify(error.message, title="Not exported", severity="error")
            return
        except OSError as error:
            self.notify(
                f"{error.strerror or error}: {error.filename}",
                title="Not exported",
                severity="error",
            )
            return
        self.notify(f"{count} order{'' if count == 1 else 's'} written to {path}", timeout=15)

    def action_report(self) -> None:
        from admin_tui.screens.report import ReportScreen

        self.app.push_screen(ReportScreen(self.order_query))

    def action_figures(self) -> None:
        from admin_tui.screens.figures import FiguresScreen

        self.app.push_screen(FiguresScreen(self.order_query))
