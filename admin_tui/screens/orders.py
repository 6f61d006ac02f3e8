"""The main screen: one server-side page of orders, kept live."""

from __future__ import annotations

from datetime import datetime

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer

from admin_tui.announcer import Announcer
from admin_tui.console import Console
from admin_tui.messages import OrderChanged, OrderSaved
from admin_tui.query import SORTS, OrderQuery
from admin_tui.screens.search import SearchChoice, SearchScreen
from admin_tui.widgets.connection_bar import ConnectionBar
from admin_tui.widgets.filter_bar import FilterBar
from admin_tui.widgets.orders_table import OrdersTable
from kds_client.errors import KdsError
from kds_client.feed import ConnectionState, FeedStatus
from kds_client.store import Change
from kds_contract import (
    OPEN_STATUSES,
    ORDER_CREATED,
    ORDER_DELETED,
    ORDER_STATUS_UPDATED,
    Order,
    Status,
)

FILTER = Binding.Group("filter", compact=True)
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


class OrdersScreen(Screen[None]):
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
        *(
            Binding(key, f"filter('{key}')", text, group=FILTER, id=f"orders.filter_{name}")
            for key, _, name, text in STATUS_KEYS
        ),
        Binding("e", "edit", "Edit", show=False, id="orders.edit"),
        Binding("c", "cancel", "Cancel order", show=False, id="orders.cancel"),
        Binding("x,delete", "delete", "Delete order", show=False, id="orders.delete"),
        Binding("d", "search('since')", "Days", show=False, id="orders.days"),
        Binding("r", "reload", "Reload", show=False, id="orders.reload"),
        Binding("w", "screens_online", "Screens online", show=False, id="orders.screens"),
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

    @property
    def order_query(self) -> OrderQuery:
        """What the table shows."""
        assert self._order_query is not None
        return self._order_query

    def compose(self) -> ComposeResult:
        yield ConnectionBar()
        yield FilterBar(self.app.clock, id="filter-bar")
        yield OrdersTable(self.app.clock, id="orders")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.announcer = Announcer(self, self.app.bell if self.app.bell_on else None)
        self.set_interval(5, self.table.tick)
        self.watch(self.app, "feed_status", self._feed_status, init=False)

    def _feed_status(self, old: FeedStatus | None, new: FeedStatus | None) -> None:
        # Back after a cut: the feed caught up by seq; reload the page so it converges too.
        was_live = old is not None and old.state == ConnectionState.LIVE
        if new is not None and new.state == ConnectionState.LIVE and not was_live:
            if self._order_query is not None:
                self.load_page()

    @property
    def table(self) -> OrdersTable:
        return self.query_one(OrdersTable)

    @property
    def bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    def now(self) -> datetime:
        return self.app.clock()

    # The query and the page ------------------------------------------------------------

    def set_query(self, query: OrderQuery) -> None:
        """Show what ``query`` asks for; the server fetches it."""
        self._order_query = query
        self.bar.order_query = query
        self.load_page()

    def on_orders_table_fitted(self, message: OrdersTable.Fitted) -> None:
        if self._order_query is None:
            self.set_query(OrderQuery.today(self.now(), per_page=message.rows))
            return
        # Keep the first order shown on the new page.
        first = (self.order_query.page - 1) * self.order_query.per_page
        self.set_query(
            self.order_query.with_(per_page=message.rows, page=first // message.rows + 1)
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

    @work(exclusive=True, group="page")
    async def load_page(self) -> None:
        """Fetch the current page; changes that arrive meanwhile are applied after it."""
        query = self.order_query
        self._loads += 1
        serial = self._loads
        bar = self.bar  # found now: when the app quits meanwhile, the screen is emptied
        self._loading = bar.loading_page = True
        try:
            page = await self.app.rest.list_orders(**query.rest_params(self.now()))
        except KdsError as error:
            self.notify(error.message, title="Orders not loaded", severity="error", markup=False)
            return
        finally:
            # A newer load may have replaced this one (exclusive worker): it is still loading.
            if serial == self._loads:
                self._loading = bar.loading_page = False
        if page.total and query.page > query.pages(page.total):
            self.set_query(query.with_(page=query.pages(page.total)))
            return
        self.table.show(page.orders)
        if self._cursor_after_load is not None:
            self.table.cursor_to_end(self._cursor_after_load)
            self._cursor_after_load = None
        self.bar.total = page.total
        self.bar.new_count = self.bar.changed_count = 0
        held, self._held = self._held, []
        for change in held:
            self._apply(change, quiet=True)

    # Live changes ----------------------------------------------------------------------

    def on_order_changed(self, message: OrderChanged) -> None:
        if self._order_query is None:
            return
        if self._loading:
            self._held.append(message.change)
        self._apply(message.change)

    def on_order_saved(self, message: OrderSaved) -> None:
        if message.order is not None:
            self.table.update_order(message.order)
        elif message.deleted_id is not None and self.table.remove_order(message.deleted_id):
            self.bar.total = max(0, (self.bar.total or 1) - 1)

    def _apply(self, change: Change, *, quiet: bool = False) -> None:
        if change.type == "reset":
            self.load_page()
        elif change.type == ORDER_DELETED and change.order_id is not None:
            if self.table.remove_order(change.order_id):
                self.bar.total = max(0, (self.bar.total or 1) - 1)
                if not quiet:
                    self.announcer.say(f"Order {change.order_id} was deleted.")
        elif change.order is not None and change.type == ORDER_CREATED:
            self._created(change.order, quiet=quiet)
        elif change.order is not None and self._changed(change, quiet):
            if change.type == ORDER_STATUS_UPDATED and change.previous is not None and not quiet:
                self.announcer.say(
                    f"Order {change.order.id}: {change.previous.status.value} -> "
                    f"{change.order.status.value}"
                )

    def _changed(self, change: Change, quiet: bool) -> bool:
        """Show a change to an order; whether its row is on the page now.

        Sorted by last change, a changed order of this view belongs at the top of page 1: it
        goes there (or, seen from another page or through a search, is counted in the
        ``N changed`` hint). Other sorts keep each row where it is and update it in place.
        """
        order = change.order
        assert order is not None
        query = self.order_query
        if not query.last_change_first:
            return self.table.update_order(order)
        shown = self.table.order(order.id)
        if shown is not None and order.version <= shown.version:
            return False
        now = self.now()
        searched_row = shown is not None and bool(query.text.strip())
        if query.page == 1 and (query.matches(order, now) or searched_row):
            self.table.put_top(order, query.per_page)
            if shown is None and not query.matches(_before(change), now):
                self.bar.total = (self.bar.total or 0) + 1  # it joins what the view counts
            return True
        belongs = bool(query.text.strip()) or query.matches(order, now)
        if belongs and (shown is None or query.page > 1) and not quiet:
            self.bar.changed_count += 1
        return self.table.update_order(order)

    def _created(self, order: Order, *, quiet: bool) -> None:
        query = self.order_query
        if self.table.order(order.id) is not None:
            return
        fits = query.page == 1 and query.newest_first and query.matches(order, self.now())
        if fits:
            self.table.insert_top(order, query.per_page)
            self.bar.total = (self.bar.total or 0) + 1
        elif not quiet:
            self.bar.new_count += 1
        if not quiet:
            where = "" if fits else " (not on this page)"
            self.announcer.say(f"New order {order.id}{where}.", new_order=True)

    # Actions on the order under the cursor ---------------------------------------------

    def _current(self) -> Order | None:
        order = self.table.current
        if order is None:
            self.notify("No order selected.", severity="warning", timeout=2)
        return order

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        from admin_tui.screens.detail import OrderDetailScreen

        event.stop()
        if (order := self._current()) is not None:
            self.app.push_screen(OrderDetailScreen(order))

    def action_move(self) -> None:
        if (order := self._current()) is not None:
            self.app.start_move(order)

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
            if choice is not None:
                self.set_query(
                    query.with_(text=choice.text, since=choice.since, until=choice.until)
                )

        self.app.push_screen(
            SearchScreen(
                query.text, query.since, query.until, today=self.now().date(), focus=focus
            ),
            chosen,
        )

    def action_reload(self) -> None:
        self.load_page()

    def action_screens_online(self) -> None:
        from admin_tui.screens.screens_online import ScreensOnlineScreen

        self.app.push_screen(ScreensOnlineScreen())

    def action_figures(self) -> None:
        from admin_tui.screens.figures import FiguresScreen

        self.app.push_screen(FiguresScreen(self.order_query))


def _before(change: Change) -> Order:
    """The order as it was before ``change``, as far as a filter can tell (its status)."""
    assert change.order is not None
    if change.previous is not None:
        return change.previous
    # The feed keeps open orders only; for a closed one the event still says where it was.
    data = change.event.data if change.event is not None else None
    old = data.get("oldStatus") if isinstance(data, dict) else None
    if change.type == ORDER_STATUS_UPDATED and old in set(Status):
        return change.order.model_copy(update={"status": Status(old)})
    return change.order
