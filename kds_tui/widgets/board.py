"""The board: tickets in rows across columns and pages, a selection, and the ticket keys.

Tickets are not widgets: each column draws the parts of tickets it holds (``column.py``).
The board works out each ticket's lines (``kds_tui.view``, kept until the order changes),
lays them out oldest first, left to right, top to bottom (``kds_tui.layout``) and hands the
page on screen to its columns, which redraw only what changed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from textual.containers import Horizontal
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip

from kds_contract import OPEN_STATUSES, Order, Status
from kds_contract.allergens import DEFAULT_ALLERGENS, Allergens
from kds_tui.layout import paginate
from kds_tui.messages import BoardLaidOut, PageChanged
from kds_tui.model import AgeThresholds, age_seconds, describe_edit, has_work, sort_key
from kds_tui.navigation import Slot
from kds_tui.pacing import started_at
from kds_tui.view import TicketView, ticket_view
from kds_tui.widgets.board_keys import BoardKeys
from kds_tui.widgets.board_notes import BoardNotes
from kds_tui.widgets.board_pacing import BoardPacing
from kds_tui.widgets.card import Card
from kds_tui.widgets.column import TicketColumn, TicketStyles
from kds_tui.widgets.plain import background_lines
from kds_ui.compat.textual import SizedByLayout

MIN_COLUMN_WIDTH = 26
CARD_SIDES = 5
"""Cells of a column that are not ticket text: two borders, two padding, one gap."""
COMPACT_BELOW = 30
"""Boards shorter than this many lines (an 80x24 terminal) show compact tickets."""
LEAVING_SECONDS = 5.0
HIGHLIGHT_SECONDS = 5.0


class Columns(Horizontal, SizedByLayout):
    """The row the board's columns stand in: its size is what the tickets are laid out in."""

    def render_lines(self, crop: Region) -> list[Strip]:
        lines = background_lines(self, crop)  # a row of columns: its background behind them
        return super().render_lines(crop) if lines is None else lines

    def on_resize(self) -> None:
        board = self.parent
        if isinstance(board, Board):
            expected = board.width_to_come
            board.width_to_come = None
            if expected is None:
                expected = board.laid_out_width
            if (self.size.width, self.size.height) != (expected, board.laid_out_height):
                board.schedule_layout()  # not the room the board was laid out for


class Board(BoardKeys, BoardNotes, BoardPacing, SizedByLayout, can_focus=True):
    """The open tickets of one station (or all of them, on the expo view)."""

    selected_id: reactive[int | None] = reactive(None)
    """The order the ticket keys act on."""

    def __init__(
        self,
        *,
        station: str | None,
        thresholds: AgeThresholds,
        allergens: Allergens = DEFAULT_ALLERGENS,
        now: datetime | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.station = station
        self.thresholds = thresholds
        self.allergens = allergens
        self.now = now or datetime.now(UTC)
        self.page = 0
        self._orders: dict[int, Order] = {}
        self._leaving: set[int] = set()
        self._highlit: set[int] = set()
        self._before: dict[int, Order] = {}
        """Orders edited since they last moved on: each as it was before the first edit."""
        self.unseen: list[int] = []
        """New orders not yet on the page on screen, oldest first."""
        self._cards: list[Card] = []
        self._pages: list[list[list[Slot]]] = [[[]]]
        self._flat: list[int] = []
        self._views: dict[tuple[object, ...], TicketView] = {}
        self._layout_pending = False
        self._elsewhere = False
        """A change made elsewhere is waiting to be laid out."""
        self.moved_at = -math.inf
        """``time.monotonic()`` when a change made elsewhere last moved the tickets on screen."""
        self._said: tuple[int, int, tuple[int, ...]] | None = None
        self._geometry: tuple[int, bool] | None = None
        """A ticket's inner width and whether tickets are compact, as last laid out."""
        self._row = Columns(id="columns")
        self.palette = TicketStyles()
        """The columns' styles (see ``widgets.column``)."""
        self.width_to_come: int | None = None
        """The width the columns are about to have (``resize_to``), until they have it."""
        self.laid_out_height = 0
        """The height the tickets were last laid out in."""
        self.laid_out_width = 0
        """The width the tickets were last laid out in."""
        self.page_listener: Callable[[PageChanged], None] | None = None
        """Told of each ``PageChanged`` as it happens (else it is posted as a message)."""

    def render_lines(self, crop: Region) -> list[Strip]:
        lines = background_lines(self, crop)  # its background, behind its notes and row
        return super().render_lines(crop) if lines is None else lines

    def compose(self):  # type: ignore[override]
        yield from self.notes()
        with self._row:
            yield self.palette

    # -- what is on the board -------------------------------------------------------------

    def orders(self) -> list[Order]:
        """The open orders the board knows (every station's, not just the shown ones)."""
        return [o for o in self._orders.values() if o.status in OPEN_STATUSES]

    def get(self, order_id: int) -> Order | None:
        """An order the board knows, open or just leaving."""
        return self._orders.get(order_id)

    def shown(self) -> list[Order]:
        """The tickets on the board in board order, every page (as last laid out)."""
        return [self._orders[i] for i in self._flat if i in self._orders]

    def on_page(self) -> list[Order]:
        """The tickets on the page on screen, in the order the number keys count them."""
        page = self._pages[min(self.page, len(self._pages) - 1)]
        ids = {slot.order_id for column in page for slot in column}
        return [self._orders[i] for i in self._flat if i in ids and i in self._orders]

    def page_of(self, order_id: int | None) -> int | None:
        """The page an order's ticket begins on, if it is on the board."""
        for number, page in enumerate(self._pages):
            if any(slot.order_id == order_id for column in page for slot in column):
                return number
        return None

    def card(self, order_id: int) -> Card | None:
        """The first part of an order's ticket, if it is on the page on screen."""
        parts = [card for card in self._cards if card.order.id == order_id]
        return min(parts, key=lambda card: card.start) if parts else None

    def parts(self, order_id: int) -> list[Card]:
        """Every part of an order's ticket on the page on screen."""
        return [card for card in self._cards if card.order.id == order_id]

    def columns(self) -> list[TicketColumn]:
        """The columns on screen, left to right."""
        return [
            child
            for child in self._row.children
            if isinstance(child, TicketColumn) and child is not self.palette
        ]

    def selected(self) -> Order | None:
        """The selected order, if any."""
        return self._orders.get(self.selected_id) if self.selected_id is not None else None

    def load(self, orders: list[Order]) -> None:
        """Replace everything (first load, and after the feed reloaded a snapshot)."""
        self._orders = {o.id: o for o in orders}
        self._leaving.clear()
        self._before = {i: o for i, o in self._before.items() if i in self._orders}
        self.schedule_layout()

    def update_order(
        self, order: Order, previous: Order | None, *, elsewhere: bool = False
    ) -> None:
        """Apply one changed order. A ticket cancelled while on screen stays a few seconds.

        ``elsewhere``: made by another screen or till (see ``BoardKeys``: keys pressed just
        after it moved the tickets are held).
        """
        self._elsewhere = self._elsewhere or elsewhere
        before = self._orders.get(order.id) or previous
        if before is not None and before.status != order.status:
            self._before.pop(order.id, None)  # moved on: the edit has been seen to
        elif before is not None and before.version < order.version and describe_edit(before, order):
            self._before.setdefault(order.id, before)
        if order.status == Status.CANCELLED and order.id in self._flat:
            self._orders[order.id] = order
            self._leaving.add(order.id)
            self.set_timer(LEAVING_SECONDS, lambda: self._drop(order.id))
        elif order.status in OPEN_STATUSES:
            self._orders[order.id] = order
        else:
            self._orders.pop(order.id, None)
        if not self._redrawn_in_place(order, before):
            self.schedule_layout()

    def _redrawn_in_place(self, order: Order, before: Order | None) -> bool:
        """Draw a changed ticket where it is, if the layout still holds with it (a status
        move, an item done: the same place in the queue, the same lines); else False."""
        geometry = self._geometry
        if self._layout_pending or geometry is None or before is None:
            return False
        if order.id not in self._flat or order.id not in self._orders:
            return False
        if sort_key(order) != sort_key(before) or not has_work(order, self.station):
            return False
        inner, compact = geometry
        selected = self.selected_id
        view = self._view(order, inner, compact, selected)
        if view.box != self._view(before, inner, compact, selected).box:
            return False
        for column in self.columns():
            for card in [c for c in column.cards if c.order.id == order.id]:
                column.replace(card, replace(card, order=order, view=view, drawn=None))
        self._cards = [card for column in self.columns() for card in column.cards]
        return True

    def remove_order(self, order_id: int, *, elsewhere: bool = False) -> None:
        """Forget a deleted order."""
        self._elsewhere = self._elsewhere or elsewhere
        self._orders.pop(order_id, None)
        self._leaving.discard(order_id)
        self.schedule_layout()

    def arrived(self, order_id: int) -> None:
        """A new order from a till: until its page is on screen it is said to be new."""
        if order_id not in self.unseen:
            self.unseen.append(order_id)
        self.schedule_layout()

    def reveal(self, order_id: int) -> tuple[int, int] | None:
        """Select an order's ticket and show its page: (page, pages), or None if it is not
        on this board."""
        if order_id not in self._orders or not has_work(self._orders[order_id], self.station):
            return None
        self.selected_id = order_id
        self.relayout()
        page = self.page_of(order_id)
        return None if page is None else (page, len(self._pages))

    def highlight(self, order_id: int, seconds: float = HIGHLIGHT_SECONDS) -> None:
        """Light a ticket up for a few seconds (a new or changed order)."""
        self._highlit.add(order_id)
        self.set_timer(seconds, lambda: self._unhighlight(order_id))
        self.schedule_layout()

    def tick(self, now: datetime) -> None:
        """Move every timer on screen on by one tick, and every countdown of a held item;
        nothing is laid out again unless a ticket changes size."""
        self.now = now
        for column in self.columns():
            column.tick(now, self.thresholds)
        self.pacing_tick(now)

    def redraw(self, order: Order) -> None:
        """Draw an order's ticket again as it is now (in place if its size holds)."""
        if not self._redrawn_in_place(order, order):
            self.schedule_layout()

    def _drop(self, order_id: int) -> None:
        if order_id in self._leaving:
            self._leaving.discard(order_id)
            order = self._orders.get(order_id)
            if order is not None and order.status not in OPEN_STATUSES:
                del self._orders[order_id]
            self.schedule_layout()

    def _unhighlight(self, order_id: int) -> None:
        self._highlit.discard(order_id)
        self.schedule_layout()

    # -- layout -----------------------------------------------------------------------------

    def _visible(self) -> list[Order]:
        # A ticket cancelled on screen keeps its place while it shows that it was cancelled.
        candidates = (
            o for o in self._orders.values() if o.status in OPEN_STATUSES or o.id in self._leaving
        )
        return sorted((o for o in candidates if has_work(o, self.station)), key=sort_key)

    def schedule_layout(self) -> None:
        """Lay the board out once, after whatever else has just arrived."""
        if not self._layout_pending:
            self._layout_pending = True
            self.call_later(self.relayout)

    def watch_selected_id(self, old: int | None, new: int | None) -> None:
        if old != new:
            self.schedule_layout()

    def _view(self, order: Order, inner: int, compact: bool, selected: int | None) -> TicketView:
        before = self._before.get(order.id)
        mark = order.id == selected
        timed = self.drawn_at(order, self.now)
        key = (order.id, order.version, inner, compact, mark, before and before.version, timed)
        view = self._views.get(key)
        if view is None:
            if len(self._views) > 5000:
                self._views.clear()
            view = ticket_view(
                order,
                self.station,
                inner,
                allergens=self.allergens,
                mark_next=mark,
                compact=compact,
                before=before,
                now=self.now,
            )
            self._views[key] = view
        return view

    def _fit(self, width: int, height: int) -> tuple[int, int, int, bool]:
        """Columns, their width, a ticket's inner width, and whether tickets are compact,
        in ``width`` x ``height`` cells."""
        # As many columns as the whole screen holds: opening the all-day panel makes them
        # narrower, it does not move tickets to other columns.
        columns = max(1, min(self.screen.size.width // MIN_COLUMN_WIDTH, width // 16))
        column_width = width // columns
        return columns, column_width, column_width - CARD_SIDES, height < COMPACT_BELOW

    def prepare_width(self, width: int, per_step: int = 10) -> None:
        """Work out the tickets' lines at a width the board may soon have, a few tickets at
        a time while the app is idle: laying the board out at that width then finds them."""
        if width <= 0 or self.laid_out_height <= 0:
            return
        _, _, inner, compact = self._fit(width, self.laid_out_height)
        pending = self._visible()

        def step() -> None:
            selected = self.selected_id
            for order in pending[:per_step]:
                self._view(order, inner, compact, selected)
            del pending[:per_step]
            if pending:
                self.call_later(step)

        self.call_later(step)

    def resize_to(self, width: int) -> None:
        """Lay the tickets out now for the width the columns are about to have (the
        all-day panel opening or closing), so that the screen is drawn once, at the new
        width, and not first with the tickets as they were, then again."""
        self.width_to_come = width
        self.relayout()

    def relayout(self) -> None:
        """Flow the tickets into rows and pages, and show the selected ticket's page."""
        self._layout_pending = False
        if not self.is_mounted:
            return
        visible = self._visible()
        width, height = self._row.size.width, self._row.size.height
        if self.width_to_come is not None:
            width = self.width_to_come
        empty = self.query_one(".empty")
        lines = empty.outer_size.height if empty.display else 0
        if self.show_empty(bool(visible)) and not empty.display:
            # "No open tickets" goes: its lines are the columns' from the next refresh.
            # Laid out in the room they are about to have, the pages do not change a moment
            # later (a new order's page said, then wrong).
            height += lines
        banner = self._note(".stale-note")
        if banner is not None and not self.stale:
            # The board went live: the banner's lines (none once it has gone) are the
            # columns' from the next refresh, so the board is laid out in them now.
            height += banner.region.height
        if width <= 0 or height <= 0:
            return
        self.laid_out_height, self.laid_out_width = height, width
        columns, column_width, inner, compact = self._fit(width, height)
        before = (self.selected_id, self._places())
        if self._flat and visible and all(o.id != self.selected_id for o in visible):
            self._reselect_near(visible)
        pick = self.selected_id is None or all(o.id != self.selected_id for o in visible)
        if pick:
            self._select(None)
        selected = self.selected_id
        self._geometry = (inner, compact)
        views = {o.id: self._view(o, inner, compact, selected) for o in visible}
        pages = paginate([view.box for view in views.values()], columns, height)
        if pick and visible:
            # The oldest ticket of the page on screen (the first at start), never one that
            # takes the screen to a later page: rush tickets come first in board order, and
            # a board that opened on the oldest's page left the first page, rushes and
            # all, unseen.
            on_screen = pages[min(self.page, len(pages) - 1)]
            shown = [visible[place.index] for column in on_screen for place in column]
            oldest = min(shown, key=lambda o: (started_at(o), o.id))
            self._select(oldest.id)
            selected = oldest.id
            views[oldest.id] = self._view(oldest, inner, compact, selected)
            pages = paginate([view.box for view in views.values()], columns, height)
        self._flat = [o.id for o in visible]
        self._pages = [
            [
                [Slot(self._flat[p.index], p.start, p.end, p.top, p.height) for p in column]
                for column in page
            ]
            for page in pages
        ]
        if not self._is_on(self.page, self.selected_id):
            page = self.page_of(self.selected_id)
            self.page = min(self.page, len(self._pages) - 1) if page is None else page
        self._show_page(columns, column_width, views)
        if self._elsewhere and _moved(before, (self.selected_id, self._places())):
            self.moved_at = time.monotonic()  # the tickets moved under the cook's fingers
        self._elsewhere = False
        self._say_page()
        self.post_message(BoardLaidOut())

    def _say_page(self) -> None:
        """Tell the app the page, the pages and where the new orders are, when they change."""
        on_screen = {o.id for o in self.on_page()}
        self.unseen = [i for i in self.unseen if i in self._flat and i not in on_screen]
        said = (self.page, len(self._pages), tuple(self.unseen))
        if said != self._said:
            self._said = said
            first = self.unseen[0] if self.unseen else None
            where = self.page_of(first) if first is not None else None
            message = PageChanged(self.page, len(self._pages), first, where, len(self.unseen))
            if self.page_listener is not None:
                # At once: the header's page number is drawn in the same screen update as
                # the page's tickets, not in one of its own a frame later.
                self.page_listener(message)
            else:
                self.post_message(message)

    def _places(self) -> dict[tuple[int, int], tuple[int, int, int]]:
        """Where each part on the page on screen is: column, line, and its last body line."""
        page = self._pages[min(self.page, len(self._pages) - 1)]
        return {
            (slot.order_id, slot.start): (number, slot.top, slot.end)
            for number, column in enumerate(page)
            for slot in column
        }

    def _reselect_near(self, visible: list[Order]) -> None:
        # The selected ticket left: select the one that takes its place.
        if self.selected_id in self._flat:
            place = self._flat.index(self.selected_id)
            ids = {o.id for o in visible}
            after = [i for i in self._flat[place:] if i in ids]
            before = [i for i in self._flat[:place] if i in ids]
            self._select(after[0] if after else (before[-1] if before else None))

    def _select(self, order_id: int | None) -> None:
        # While laying out: the tickets' views are worked out with this selection next, so
        # it needs no layout of its own (``watch_selected_id``).
        self.set_reactive(Board.selected_id, order_id)

    def _is_on(self, page: int, order_id: int | None) -> bool:
        if not 0 <= page < len(self._pages):
            return False
        return any(slot.order_id == order_id for col in self._pages[page] for slot in col)

    def _show_page(self, columns: int, width: int, views: dict[int, TicketView]) -> None:
        page = self._pages[self.page]
        numbers = {order.id: n for n, order in enumerate(self.on_page(), start=1)}
        existing = self.columns()
        if len(existing) != columns:
            for column in existing:
                column.remove()
            existing = [TicketColumn(self.palette) for _ in range(columns)]
            self._row.mount_all(existing)
        cards: list[Card] = []
        for number, column in enumerate(existing):
            if column.styles.width is None or column.styles.width.value != width:
                column.styles.width = width
            slots = page[number] if number < len(page) else []
            mine = [self._card(slot, views[slot.order_id], numbers) for slot in slots]
            column.show(mine)
            cards += mine
        self._cards = cards

    def _card(self, slot: Slot, view: TicketView, numbers: dict[int, int]) -> Card:
        order = self._orders[slot.order_id]
        seconds = int(age_seconds(order, self.now))
        spot = numbers.get(order.id)
        return Card(
            order=order,
            view=view,
            start=slot.start,
            end=slot.end,
            top=slot.top,
            position=spot if spot is not None and spot <= 9 else None,
            selected=order.id == self.selected_id,
            highlighted=order.id in self._highlit,
            seconds=seconds,
            level=self.thresholds.level(seconds),
        )


def _moved(
    before: tuple[int | None, dict[tuple[int, int], tuple[int, int, int]]],
    after: tuple[int | None, dict[tuple[int, int], tuple[int, int, int]]],
) -> bool:
    """Whether the selection or a ticket already on the page moved (a new ticket added
    after the others, the usual arrival of an order, moves nothing)."""
    (selected_before, places_before), (selected, places) = before, after
    return selected != selected_before or any(
        places.get(part, place)[:2] != place[:2] for part, place in places_before.items()
    )
