"""The orders table: one page of orders, updated in place as changes arrive.

The selection is an order, not a row: it follows its order wherever a change puts it on the
page, and when the order leaves the page nothing is selected (the table says which order
left) rather than whatever row now sits under the cursor.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist, RowKey

from admin_tui import formatting as fmt
from kds_contract import Order

WHO_WIDTH = 10
MAX_WHO_WIDTH = 20
MIN_ITEMS_WIDTH = 10
# (key, label, width); the items column takes what is left.
FIXED_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("number", "#", 5),
    ("status", "status", 9),
    ("type", "type", 8),
    ("who", "table/cust", WHO_WIDTH),
)
TAIL_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("total", "total", 7),
    ("age", "age", 4),
    ("changed", "chg", 4),
)


class OrdersTable(DataTable):
    """A page of orders keyed by order id; the page size follows the widget's height."""

    BINDINGS = [
        Binding(
            "pagedown,right,right_square_bracket",
            "page(1)",
            "Next page",
            show=False,
            id="orders.page_next",
        ),
        Binding(
            "pageup,left,left_square_bracket",
            "page(-1)",
            "Prev page",
            show=False,
            id="orders.page_prev",
        ),
        Binding("home,ctrl+home", "end(-1)", "First order", show=False, id="orders.first"),
        Binding("end,ctrl+end", "end(1)", "Last order", show=False, id="orders.last"),
    ]

    @dataclass
    class PageRequested(Message):
        """The person asked for the next (+1) or previous (-1) page."""

        step: int

    @dataclass
    class EndRequested(Message):
        """The person asked for the first (-1) or last (+1) order of the whole list."""

        step: int

    @dataclass
    class Fitted(Message):
        """The table can show ``rows`` rows without scrolling."""

        rows: int

    @dataclass
    class SelectionLeft(Message):
        """The selected order is no longer on this page (moved off it, or deleted)."""

        order_id: int
        deleted: bool = False

    def __init__(self, clock: Callable[[], datetime], **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._clock = clock
        self._orders: dict[int, Order] = {}
        self._items_width = MIN_ITEMS_WIDTH
        self._who_width = WHO_WIDTH
        self._rows_fit = 0
        self.selected_id: int | None = None
        """The order the person chose (None: none, the cursor is hidden)."""
        self.shifted_at = 0.0
        """When (``time.monotonic``) a change last moved the selected order's row."""
        self._placing = False
        """The table is moving the cursor itself: not a choice of the person's."""

    @property
    def orders(self) -> list[Order]:
        """The orders shown, top to bottom."""
        return [self._orders[_order_id(row.key)] for row in self.ordered_rows]

    @property
    def current(self) -> Order | None:
        """The selected order; None when none is (it left the page, or the page is empty)."""
        if self.selected_id is None:
            return None
        return self._orders.get(self.selected_id)

    def shifted_within(self, seconds: float) -> bool:
        """Whether a change moved the selected order's row in the last ``seconds``."""
        return time.monotonic() - self.shifted_at < seconds

    @contextmanager
    def _placing_cursor(self) -> Iterator[None]:
        placing, self._placing = self._placing, True
        try:
            yield
        finally:
            self._placing = placing

    def watch_cursor_coordinate(self, old: object, new: object) -> None:
        # The person moved the cursor (keys, mouse): the order under it is the selection.
        if self._placing or not self.show_cursor or not self.row_count:
            return
        self.selected_id = _order_id(self.coordinate_to_cell_key(self.cursor_coordinate).row_key)
        self.shifted_at = 0.0

    def select_top(self) -> None:
        """Select the first row (after a new filter, sort, day or page)."""
        self._select_row(0)
        self.shifted_at = 0.0

    def _select_row(self, index: int) -> None:
        if not self.row_count:
            self.selected_id = None
            return
        index = min(max(0, index), self.row_count - 1)
        with self._placing_cursor():
            self.show_cursor = True
            self.move_cursor(row=index, animate=False)
        self.selected_id = _order_id(self.coordinate_to_cell_key(self.cursor_coordinate).row_key)
        self.shifted_at = 0.0

    def _reselect(self) -> bool:
        """A cursor key with nothing selected selects the first row; whether it did."""
        if self.show_cursor and self.selected_id is not None:
            return False
        self.select_top()
        return True

    def action_cursor_up(self) -> None:
        if not self._reselect():
            super().action_cursor_up()

    def action_cursor_down(self) -> None:
        if not self._reselect():
            super().action_cursor_down()

    def action_select_cursor(self) -> None:
        if self.current is not None:
            super().action_select_cursor()

    def order(self, order_id: int) -> Order | None:
        """The shown order with this id, if it is on this page."""
        return self._orders.get(order_id)

    def on_mount(self) -> None:
        self._build_columns()

    def on_resize(self, event: Resize) -> None:
        width = event.size.width
        fixed = sum(w + 2 * self.cell_padding for _, _, w in FIXED_COLUMNS + TAIL_COLUMNS)
        spare = max(0, width - fixed - 2 * self.cell_padding - 1 - MIN_ITEMS_WIDTH)
        # Wider screens: the items get most of the room, names some of it.
        who_width = WHO_WIDTH + min(max(0, spare - 20) // 3, MAX_WHO_WIDTH - WHO_WIDTH)
        items_width = MIN_ITEMS_WIDTH + spare - (who_width - WHO_WIDTH)
        if (items_width, who_width) != (self._items_width, self._who_width):
            self._items_width, self._who_width = items_width, who_width
            self.show(self.orders)
        rows = event.size.height - (self.header_height if self.show_header else 0)
        columns = sum(w + 2 * self.cell_padding for _, _, w in self._columns())
        if columns > width:
            # Too narrow for every column: the scrollbar below takes a row from the page.
            rows -= self.styles.scrollbar_size_horizontal
        rows = max(1, rows)
        if rows != self._rows_fit:
            self._rows_fit = rows
            self.post_message(self.Fitted(rows))

    def action_page(self, step: int) -> None:
        self.post_message(self.PageRequested(step))

    def action_end(self, step: int) -> None:
        self.post_message(self.EndRequested(step))

    def show(self, orders: Iterable[Order], *, top: bool = False) -> None:
        """Show these orders. The selected order stays selected wherever it now is; when it
        is not among them, nothing is selected (and :class:`SelectionLeft` says so).
        ``top``: a new view, select the first row."""
        selected = self.selected_id
        before = self.cursor_row if selected in self._orders else None
        orders = list(orders)
        with self._placing_cursor():
            self._build_columns()
            self._orders = {order.id: order for order in orders}
            for order in orders:
                self.add_row(*self._cells(order), key=str(order.id))
        if top or (selected is None and self.show_cursor):
            self.select_top()
        elif selected in self._orders:
            index = self.get_row_index(str(selected))
            self._select_row(index)
            if before is not None and index != before:
                self.shifted_at = time.monotonic()
        else:
            self._deselect(selected)

    def _deselect(self, order_id: int | None, *, deleted: bool = False) -> None:
        self.selected_id = None
        with self._placing_cursor():
            self.show_cursor = False
        if order_id is not None:
            self.post_message(self.SelectionLeft(order_id, deleted))

    def update_order(self, order: Order) -> bool:
        """Update the row of ``order`` in place, if shown and newer; whether it changed."""
        shown = self._orders.get(order.id)
        if shown is None or order.version <= shown.version:
            return False
        self._orders[order.id] = order
        for (key, _, _), value in zip(self._columns(), self._cells(order), strict=True):
            self.update_cell(str(order.id), key, value)
        return True

    def insert_top(self, order: Order, limit: int) -> bool:
        """Put a new order at the top, keeping at most ``limit`` rows; False if already shown."""
        if order.id in self._orders:
            return self.update_order(order)
        self.show([order, *self.orders][:limit])
        return True

    def put_top(self, order: Order, limit: int) -> None:
        """Show ``order`` on the top row, moving its row there if shown; at most ``limit`` rows."""
        others = [shown for shown in self.orders if shown.id != order.id]
        self.show([order, *others][:limit])

    def cursor_to_end(self, step: int) -> None:
        """Select the first (-1) or last (+1) row."""
        self._select_row(0 if step < 0 else self.row_count - 1)
        self.shifted_at = 0.0

    def remove_order(self, order_id: int) -> bool:
        """Drop the row of a deleted order; whether it was shown."""
        if self._orders.pop(order_id, None) is None:
            return False
        with self._placing_cursor():
            try:
                self.remove_row(str(order_id))
            except RowDoesNotExist:
                return False
        if order_id == self.selected_id:
            self._deselect(order_id, deleted=True)
        elif self.selected_id in self._orders:
            index = self.get_row_index(str(self.selected_id))
            if index != self.cursor_row:
                self.shifted_at = time.monotonic()
            self._select_row(index)
        return True

    def tick(self) -> None:
        """Refresh the age columns (called every few seconds)."""
        now = self._clock()
        for order in self._orders.values():
            self.update_cell(str(order.id), "age", fmt.age(order, now))
            self.update_cell(str(order.id), "changed", Text(fmt.since(order.updated_at, now)))

    def _columns(self) -> tuple[tuple[str, str, int], ...]:
        head = tuple(
            (key, label, self._who_width if key == "who" else width)
            for key, label, width in FIXED_COLUMNS
        )
        return (*head, ("items", "items", self._items_width), *TAIL_COLUMNS)

    def _build_columns(self) -> None:
        self.clear(columns=True)
        for key, label, width in self._columns():
            self.add_column(label, key=key, width=width)

    def _cells(self, order: Order) -> list[object]:
        now = self._clock()
        # Text, never str: a DataTable reads str cells as markup, and names come from tills.
        return [
            fmt.number(order),
            fmt.status_text(order.status),
            Text(fmt.TYPE_LABEL[order.order_type]),
            Text(fmt.who(order)),
            fmt.items_cell(order),
            Text(fmt.money(order.total_cents)),
            fmt.age(order, now),
            Text(fmt.since(order.updated_at, now)),
        ]


def _order_id(key: RowKey) -> int:
    """Rows are keyed by order id."""
    return int(str(key.value))
