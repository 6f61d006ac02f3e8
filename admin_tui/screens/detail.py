"""One order in full: every field, the items with their done marks, and its history."""

from __future__ import annotations

import asyncio

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from admin_tui import formatting as fmt
from admin_tui.console import Console
from admin_tui.history import describe
from admin_tui.messages import OrderChanged, OrderSaved
from admin_tui.widgets.connection_bar import ConnectionBar
from admin_tui.widgets.failed_deliveries import FailedDeliveries
from admin_tui.widgets.notice_bar import NoticeBar
from kds_client.errors import KdsError, NotFound
from kds_client.feed import ConnectionState, FeedStatus
from kds_client.store import Event
from kds_contract import ORDER_DELETED, Order, Status


class OrderDetailScreen(Screen[None]):
    """Shows the order as the server has it now, and follows its live changes."""

    app: Console

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    """Wide terminals show the history beside the order, narrow ones below it."""
    HELP_TITLE = "Keys: order detail"
    HELP_BINDINGS = [Binding("up,down,pageup,pagedown", "scroll", "Scroll")]
    BINDINGS = [
        Binding("escape,backspace", "app.pop_screen", "Back", id="detail.back"),
        Binding("m", "move", "Move", id="detail.move"),
        Binding("e", "edit", "Edit", id="detail.edit"),
        Binding("c", "cancel", "Cancel", id="detail.cancel"),
        Binding("x,delete", "delete", "Del", id="detail.delete"),
        Binding("r", "reload", "Reload", id="detail.reload"),
    ]

    def __init__(self, order: Order | int) -> None:
        """Show ``order``, or the order with this id (a deleted one: its history, and who
        deleted it)."""
        super().__init__()
        self.order_id = order if isinstance(order, int) else order.id
        self.order: Order | None = None if isinstance(order, int) else order
        """The order as last heard of; None once it is deleted."""
        self._history: list[Event] = []

    def compose(self) -> ComposeResult:
        yield ConnectionBar(title=f"KDS admin - order {self.order_id}")
        with VerticalScroll(id="detail"), Container(id="detail-columns"):
            with Vertical(id="detail-left"):
                yield Static(id="summary")
                yield Static(id="items")
                yield FailedDeliveries(self.order_id)
            yield Static(Text("history: loading...", style="dim"), id="history")
        yield NoticeBar()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._render_order()
        self.load()
        self.watch(self.app, "feed_status", self._feed_status, init=False)

    def _feed_status(self, old: FeedStatus | None, new: FeedStatus | None) -> None:
        # Live again after a cut: what failed or went stale meanwhile is fetched again.
        was_live = old is not None and old.state == ConnectionState.LIVE
        if new is not None and new.state == ConnectionState.LIVE and not was_live:
            self.load()

    @work(exclusive=True, group="detail")
    async def load(self) -> None:
        """Fetch the order and its history from the server."""
        rest = self.app.rest
        try:
            order, events = await asyncio.gather(
                rest.get_order(self.order_id), rest.order_events(self.order_id)
            )
        except NotFound:
            self.order = None
            self._render_order()
            history = await self._events_or_none()
            if history is not None:
                self._history = history
                self._render_history()
            return
        except KdsError as error:
            self.notify(
                error.message, title=f"Order {self.order_id}", severity="error", markup=False
            )
            if not self._history:
                self.query_one("#history", Static).update(
                    Text("history: not loaded; it loads by itself once live again", style="dim")
                )
            return
        self.order = order
        self._history = events
        self._render_order()
        self._render_history()

    async def _events_or_none(self) -> list[Event] | None:
        try:
            return await self.app.rest.order_events(self.order_id)
        except KdsError:
            return None

    def on_order_changed(self, message: OrderChanged) -> None:
        change = message.change
        if change.order_id == self.order_id or change.type == "reset":
            if change.type == ORDER_DELETED:
                self.order = None
                self._render_order()
            elif change.order is not None:
                self.order = change.order
                self._render_order()
            self.load()

    def on_order_saved(self, message: OrderSaved) -> None:
        if message.order is not None and message.order.id == self.order_id:
            self.order = message.order
            self._render_order()
        elif message.deleted_id == self.order_id:
            self.app.pop_screen()

    def _render_order(self) -> None:
        summary = self.query_one("#summary", Static)
        items = self.query_one("#items", Static)
        if self.order is None:
            summary.update(Text(f"Order {self.order_id} was deleted.", style="bold #ff5f5f"))
            items.update("")
            return
        summary.update(order_summary(self.order, self.app.clock()))
        items.update(items_table(self.order))

    def _render_history(self) -> None:
        now = self.app.clock()
        table = fmt.titled_table("History", show_header=True, header_style="bold")
        table.add_column("when", no_wrap=True)
        table.add_column("what")
        table.add_column("by", style="dim")
        for line in describe(self._history):
            table.add_row(fmt.local_time(line.at, now), Text(line.what), Text(line.who or "-"))
        if not self._history:
            table.add_row("-", "no events", "")
        self.query_one("#history", Static).update(table)

    def _require_order(self) -> Order | None:
        if self.order is None:
            self.notify(f"Order {self.order_id} no longer exists.", severity="warning")
        return self.order

    def action_move(self) -> None:
        if order := self._require_order():
            self.app.start_move(order)

    def action_cancel(self) -> None:
        if order := self._require_order():
            self.app.start_cancel(order)

    def action_delete(self) -> None:
        if order := self._require_order():
            self.app.start_delete(order)

    def action_edit(self) -> None:
        if order := self._require_order():
            self.app.start_edit(order)

    def action_reload(self) -> None:
        self.load()


def order_summary(order: Order, now) -> Group:
    """Every field of the order, label and value."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    title = Text.assemble(
        (f"Order {order.id}  ", "bold"),
        fmt.status_text(order.status),
        ("  RUSH" if order.priority == "rush" else "", "bold #ff5f5f"),
    )
    # Text, never str: Rich reads str cells as markup, and these come from tills.
    grid.add_row("type", Text(fmt.TYPE_LABEL[order.order_type]))
    grid.add_row("table", Text(order.table or "-"))
    grid.add_row("customer", Text(order.customer_name or "-"))
    if order.user_id:
        grid.add_row("account", Text(order.user_id))
    grid.add_row("priority", Text(order.priority.value))
    grid.add_row("notes", Text(order.notes, style="bold reverse") if order.notes else "-")
    grid.add_row("total", fmt.money(order.total_cents) or "-")
    grid.add_row(
        "created",
        f"{fmt.local_time(order.created_at, now)}  ({fmt.since(order.created_at, now)} ago)",
    )
    grid.add_row("changed", f"{fmt.local_time(order.updated_at, now)}  version {order.version}")
    if order.due_at is not None:
        grid.add_row("due", fmt.local_time(order.due_at, now))
    if order.fire_at is not None:
        fires = "fires" if order.status == Status.SCHEDULED else "fired"
        grid.add_row(fires, fmt.local_time(order.fire_at, now))
    entered = [
        f"{status.value} {fmt.local_time(getattr(order, f'{status.value}_at'), now)}"
        for status in Status
        if getattr(order, f"{status.value}_at") is not None
    ]
    grid.add_row("statuses", Text(" | ".join(entered)))
    return Group(title, grid)


def items_table(order: Order) -> Table:
    """The items with quantity, modifiers, station, notes and done marks."""
    table = fmt.titled_table("Items", header_style="bold")
    table.add_column("done", no_wrap=True)
    table.add_column("qty", justify="right")
    table.add_column("item")
    table.add_column("station", style="dim")
    for item in order.items:
        name = Text(item.name, style="bold")
        for modifier in item.modifiers:
            name.append(f"\n  + {modifier}", style="")
        if item.notes:
            name.append(f"\n  ! {item.notes}", style="bold reverse")
        table.add_row(
            Text("[x]" if item.done else "[ ]"), str(item.quantity), name, Text(item.station or "-")
        )
    return table
