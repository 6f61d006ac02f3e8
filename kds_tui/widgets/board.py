"""The board: tickets flowing down columns and across pages, a selection, and the ticket keys.

Only the tickets of the page on screen exist as widgets. A change to one order updates its
card in place; a column is rebuilt only when the tickets in it change.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from kds_contract import OPEN_STATUSES, Order, Status
from kds_tui.messages import (
    PageChanged,
)
from kds_tui.model import (
    OFFLINE_NOTE,
    AgeThresholds,
    TicketView,
    has_work,
    paginate,
    sort_key,
    ticket_view,
)
from kds_tui.navigation import Slot
from kds_tui.widgets.board_keys import BoardKeys
from kds_tui.widgets.ticket import TicketCard

MIN_COLUMN_WIDTH = 26
CARD_SIDES = 5
"""Cells of a column that are not ticket text: two borders, two padding, one gap."""
COMPACT_BELOW = 30
"""Boards shorter than this many lines (an 80x24 terminal) show compact tickets."""
LEAVING_SECONDS = 5.0
HIGHLIGHT_SECONDS = 5.0


class TicketColumn(Vertical):
    """One column of tickets."""


class Board(BoardKeys, can_focus=True):
    """The open tickets of one station (or all of them, on the expo view)."""

    selected_id: reactive[int | None] = reactive(None)
    """The order the ticket keys act on."""
    stale: reactive[bool] = reactive(False)
    """The feed is not live: what is shown is the last known state."""

    def __init__(
        self,
        *,
        station: str | None,
        thresholds: AgeThresholds,
        now: datetime | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.station = station
        self.thresholds = thresholds
        self.now = now or datetime.now(UTC)
        self.page = 0
        self._orders: dict[int, Order] = {}
        self._leaving: set[int] = set()
        self._highlit: set[int] = set()
        self._cards: dict[Slot, TicketCard] = {}
        self._pages: list[list[list[Slot]]] = [[[]]]
        self._flat: list[int] = []
        self._views: dict[tuple[int, int, int, int, bool], TicketView] = {}
        self._layout_pending = False
        self._elsewhere = False
        """A change made elsewhere is waiting to be laid out."""
        self.moved_at = -math.inf
        """``time.monotonic()`` when a change made elsewhere last moved the tickets on screen."""
        self._geometry: tuple[int, int] | None = None
        """A ticket's inner width and the board's height, as last laid out."""
        self._page_count = 1
        self._shown_page = -1

    def compose(self):  # type: ignore[override]
        yield Static(OFFLINE_NOTE, classes="stale-note", markup=False)
        yield Static("No open tickets", classes="empty")

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

    def card(self, order_id: int) -> TicketCard | None:
        """The ticket widget of an order (its first part), if it is on the page on screen."""
        parts = [slot for slot in self._cards if slot.order_id == order_id]
        return self._cards[min(parts, key=lambda slot: slot.start)] if parts else None

    def selected(self) -> Order | None:
        """The selected order, if any."""
        return self._orders.get(self.selected_id) if self.selected_id is not None else None

    def load(self, orders: list[Order]) -> None:
        """Replace everything (first load, and after the feed reloaded a snapshot)."""
        self._orders = {o.id: o for o in orders}
        self._leaving.clear()
        self._schedule_layout()

    def update_order(
        self, order: Order, previous: Order | None, *, elsewhere: bool = False
    ) -> None:
        """Apply one changed order. A ticket cancelled while on screen stays a few seconds.

        A change that leaves the ticket where it was and as tall as it was (a status move, an
        item ticked done) redraws that ticket alone; anything else lays the board out again.
        ``elsewhere``: made by another screen or till (see ``BoardKeys``: keys pressed just
        after it moved the tickets are held).
        """
        self._elsewhere = self._elsewhere or elsewhere
        was_shown = order.id in self._flat
        before = self._orders.get(order.id)
        if order.status == Status.CANCELLED and was_shown:
            self._orders[order.id] = order
            self._leaving.add(order.id)
            self.set_timer(LEAVING_SECONDS, lambda: self._drop(order.id))
        elif order.status in OPEN_STATUSES:
            self._orders[order.id] = order
        else:
            self._orders.pop(order.id, None)
        if was_shown and before is not None and self._fits_in_place(before, order):
            self._redraw(order)
        else:
            self._schedule_layout()

    def _fits_in_place(self, before: Order, order: Order) -> bool:
        """Whether the laid-out pages still hold with ``order`` in place of ``before``."""
        if self._layout_pending or self._geometry is None or order.id not in self._orders:
            return False
        if sort_key(order) != sort_key(before) or not has_work(order, self.station):
            return False
        if order.status not in OPEN_STATUSES and order.id not in self._leaving:
            return False
        inner, height = self._geometry
        return self._view(order, inner, height).body == self._view(before, inner, height).body

    def _redraw(self, order: Order) -> None:
        """Show a new version of an order on its card(s), if it is on the page on screen."""
        assert self._geometry is not None
        view = self._view(order, *self._geometry)
        for card in self._parts(order.id):
            card.show(order, view, card.position)

    def remove_order(self, order_id: int, *, elsewhere: bool = False) -> None:
        """Forget a deleted order."""
        self._elsewhere = self._elsewhere or elsewhere
        self._orders.pop(order_id, None)
        self._leaving.discard(order_id)
        self._schedule_layout()

    def highlight(self, order_id: int, seconds: float = HIGHLIGHT_SECONDS) -> None:
        """Light a ticket up for a few seconds (a new or changed order)."""
        self._highlit.add(order_id)
        for card in self._parts(order_id):
            card.highlighted = True
        self.set_timer(seconds, lambda: self._unhighlight(order_id))

    def tick(self, now: datetime) -> None:
        """Move every timer on screen on by one tick; no ticket is rebuilt."""
        self.now = now
        for card in self._cards.values():
            card.tick(now, self.thresholds)

    def _drop(self, order_id: int) -> None:
        if order_id in self._leaving:
            self._leaving.discard(order_id)
            order = self._orders.get(order_id)
            if order is not None and order.status not in OPEN_STATUSES:
                del self._orders[order_id]
            self._schedule_layout()

    def _unhighlight(self, order_id: int) -> None:
        self._highlit.discard(order_id)
        for card in self._parts(order_id):
            card.highlighted = False

    def _parts(self, order_id: int) -> list[TicketCard]:
        return [card for slot, card in self._cards.items() if slot.order_id == order_id]

    # -- layout -----------------------------------------------------------------------------

    def _visible(self) -> list[Order]:
        # A ticket cancelled on screen keeps its place while it shows that it was cancelled.
        candidates = (
            o for o in self._orders.values() if o.status in OPEN_STATUSES or o.id in self._leaving
        )
        return sorted((o for o in candidates if has_work(o, self.station)), key=sort_key)

    def _schedule_layout(self) -> None:
        # Many events can land at once (a reconnect's catch-up): lay out once after them.
        if not self._layout_pending:
            self._layout_pending = True
            self.call_later(self.relayout)

    def on_resize(self) -> None:
        self._schedule_layout()

    def watch_stale(self, stale: bool) -> None:
        self.set_class(stale, "-stale")
        self._show_empty()

    def _show_empty(self) -> None:
        # "No open tickets" only when the board knows: not while the banner says why it can't.
        self.query_one(".empty").display = not self._flat and not self.stale

    def say_why_stale(self, note: str) -> None:
        """What the banner says while the board is not live (see ``kds_tui.model.stale_note``)."""
        banner = self.query_one(".stale-note", Static)
        if str(banner.content) != note:
            banner.update(note)

    def watch_selected_id(self, old: int | None, new: int | None) -> None:
        for order_id in (old, new):
            if order_id is not None and order_id in self._orders:
                self._schedule_layout()
                break

    def _view(self, order: Order, inner: int, height: int) -> TicketView:
        mark = order.id == self.selected_id
        key = (order.id, order.version, inner, height, mark)
        view = self._views.get(key)
        if view is None:
            if len(self._views) > 5000:
                self._views.clear()
            view = ticket_view(
                order,
                self.station,
                inner,
                mark_next=mark,
                compact=height < COMPACT_BELOW,
            )
            self._views[key] = view
        return view

    def relayout(self) -> None:
        """Flow the tickets into columns and pages, and show the selected ticket's page."""
        self._layout_pending = False
        if not self.is_mounted:
            return
        width, height = self.size.width, max(6, self.size.height)
        if width <= 0:
            return
        columns = max(1, width // MIN_COLUMN_WIDTH)
        inner = width // columns - CARD_SIDES
        visible = self._visible()
        before = (self.selected_id, self._places())
        if self._flat and visible and all(o.id != self.selected_id for o in visible):
            self._reselect_near(visible)
        self._geometry = (inner, height)
        views = {o.id: self._view(o, inner, height) for o in visible}
        pages = paginate([views[o.id].body for o in visible], columns, height)
        self._flat = [o.id for o in visible]
        self._pages = [
            [[Slot(self._flat[p.index], p.start, p.end) for p in column] for column in page]
            for page in pages
        ]
        if self.selected_id is None or self.selected_id not in views:
            oldest = min(visible, key=lambda o: (o.created_at, o.id), default=None)
            self.selected_id = oldest.id if oldest else None
        if not self._is_on(self.page, self.selected_id):
            self.page = self._page_of(self.selected_id)
        self._show_page(columns, views)
        if self._elsewhere and _moved(before, (self.selected_id, self._places())):
            self.moved_at = time.monotonic()  # the tickets moved under the cook's fingers
        self._elsewhere = False
        if len(self._pages) != self._page_count or self.page != self._shown_page:
            self._page_count, self._shown_page = len(self._pages), self.page
            self.post_message(PageChanged(self.page, len(self._pages)))

    def _places(self) -> dict[Slot, tuple[int, int]]:
        """Where each ticket on the page on screen is: column, and place in the column."""
        page = self._pages[min(self.page, len(self._pages) - 1)]
        return {slot: (c, r) for c, column in enumerate(page) for r, slot in enumerate(column)}

    def _reselect_near(self, visible: list[Order]) -> None:
        # The selected ticket left: select the one that takes its place.
        if self.selected_id in self._flat:
            place = self._flat.index(self.selected_id)
            ids = {o.id for o in visible}
            after = [i for i in self._flat[place:] if i in ids]
            before = [i for i in self._flat[:place] if i in ids]
            self.selected_id = after[0] if after else (before[-1] if before else None)

    def _is_on(self, page: int, order_id: int | None) -> bool:
        if not 0 <= page < len(self._pages):
            return False
        return any(slot.order_id == order_id for col in self._pages[page] for slot in col)

    def _page_of(self, order_id: int | None) -> int:
        for number, page in enumerate(self._pages):
            if any(slot.order_id == order_id for column in page for slot in column):
                return number
        return min(self.page, len(self._pages) - 1)

    def _show_page(self, columns: int, views: dict[int, TicketView]) -> None:
        page = self._pages[self.page]
        numbers = {order.id: n for n, order in enumerate(self.on_page(), start=1)}
        self._show_empty()
        existing = [child for child in self.children if isinstance(child, TicketColumn)]
        if len(existing) != columns:
            for column in existing:
                column.remove()
            existing = [TicketColumn() for _ in range(columns)]
            self.mount_all(existing)
            self._cards.clear()
        keep: dict[Slot, TicketCard] = {}
        selected = self.selected_id
        for number, column in enumerate(existing):
            slots = page[number] if number < len(page) else []
            shown = [card for card in column.children if isinstance(card, TicketCard)]
            rebuild = [card.slot for card in shown] != slots or any(
                slot not in self._cards for slot in slots
            )
            new: list[TicketCard] = []
            for place, slot in enumerate(slots):
                order, view = self._orders[slot.order_id], views[slot.order_id]
                spot = numbers[slot.order_id] if numbers[slot.order_id] <= 9 else None
                part = (slot.start, slot.end)
                # Other tickets in this column (another page, say): its cards show them
                # (mounting new cards was most of a page flip), new ones only for the rest.
                card = (shown[place] if place < len(shown) else None) if rebuild else None
                card = card or (None if rebuild else self._cards[slot])
                if card is None:
                    card = TicketCard(order, view, spot, part=part)
                    new.append(card)
                elif (card.order, card.view, card.position, card.part) != (order, view, spot, part):
                    card.show(order, view, spot, part=part)
                card.tick(self.now, self.thresholds)
                card.selected = slot.order_id == selected
                card.highlighted = slot.order_id in self._highlit
                keep[slot] = card
            if rebuild:
                for card in shown[len(slots) :]:
                    card.remove()
                if new:
                    column.mount_all(new)
        self._cards = keep


def _moved(
    before: tuple[int | None, dict[Slot, tuple[int, int]]],
    after: tuple[int | None, dict[Slot, tuple[int, int]]],
) -> bool:
    """Whether the selection or a ticket already on the page moved (a new ticket added
    below the others, the usual arrival of an order, moves nothing)."""
    (selected_before, places_before), (selected, places) = before, after
    return selected != selected_before or any(
        places.get(slot) != place for slot, place in places_before.items()
    )
