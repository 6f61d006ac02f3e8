"""The board's keys: select, page, move a ticket on, mark its items (the board is built on
this; the app sends what they ask for to the server)."""

from __future__ import annotations

import math
import time
from datetime import datetime
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.widget import Widget

from kds_contract import Order, Status, forward
from kds_tui.messages import ItemDoneRequested, MoveRequested, PartDoneRequested, TicketClicked
from kds_tui.model import last_done_item, next_item, part_left
from kds_tui.navigation import Slot, move, page_step
from kds_tui.pacing import held_list

HOLD_KEYS_S = 1.5
"""A move key pressed this soon after a change made elsewhere moved the tickets is held."""


class BoardKeys(Widget):
    """The ticket keys of ``Board``."""

    BINDINGS = [
        Binding("left,h", "select('left')", "Left", show=False, id="left"),
        Binding("right,l", "select('right')", "Right", show=False, id="right"),
        Binding("up,k", "select('up')", "Up", show=False, id="up"),
        Binding("down,j", "select('down')", "Down", show=False, id="down"),
        Binding("enter,space", "next", "Next", id="next"),
        *(
            Binding(
                str(n),
                f"bump({n})",
                "Next" if n == 1 else f"Next: ticket {n}",
                show=n == 1,
                key_display="1-9" if n == 1 else None,
                id=f"bump_{n}",
            )
            for n in range(1, 10)
        ),
        Binding("d", "item_done(True)", "Done", id="item_done"),
        Binding("D", "item_done(False)", "Item not done", show=False, id="item_undone"),
        Binding("pagedown,n", "page(1)", "Next page", show=False, id="page_next"),
        Binding("pageup,p", "page(-1)", "Previous page", show=False, id="page_prev"),
        Binding("home", "page_to(0)", "First page", show=False, id="page_first"),
        Binding("end", "page_to(-1)", "Last page", show=False, id="page_last"),
        Binding("g", "go_new", "New", show=False, id="go_new"),
    ]

    if TYPE_CHECKING:  # the board's, which these keys act on
        station: str | None
        now: datetime
        page: int
        selected_id: int | None
        _flat: list[int]
        _pages: list[list[list[Slot]]]
        unseen: list[int]

        def selected(self) -> Order | None: ...
        def on_page(self) -> list[Order]: ...
        def page_of(self, order_id: int | None) -> int | None: ...
        def schedule_layout(self) -> None: ...

        moved_at: float

    def action_select(self, direction: str) -> None:
        """Move the selection one ticket up or down, or one column left or right."""
        if not self._flat:
            return
        if self.selected_id not in self._flat:
            self.selected_id = self._flat[0]
            return
        self._go(move(self._pages, self.page, self.selected_id, direction))

    def on_ticket_clicked(self, message: TicketClicked) -> None:
        message.stop()
        self.focus()
        self.selected_id = message.order_id

    def action_page(self, step: int) -> None:
        """Show the next or previous page, selecting its first ticket."""
        self._go(page_step(self._pages, self.page, step))

    def action_page_to(self, page: int) -> None:
        """Show the first page (0) or the last (-1), selecting its first ticket."""
        target = page % len(self._pages)
        self._go(page_step(self._pages, self.page, target - self.page))

    def action_go_new(self) -> None:
        """Show the oldest new order not seen yet, and select it."""
        for order_id in self.unseen:
            page = self.page_of(order_id)
            if page is not None:
                self._go((page, order_id))
                return
        self.notify("No new order off this page", severity="information", timeout=3)

    def _go(self, where: tuple[int, int] | None) -> None:
        if where is not None:
            self.page, self.selected_id = where
            self.schedule_layout()

    def action_next(self) -> None:
        """Move the selected ticket on: start, finish, bump."""
        if (order := self.selected()) and not self._just_moved():
            self._request_next(order)

    def action_bump(self, position: int) -> None:
        """Move the Nth ticket on screen on to its next status."""
        if self._just_moved():
            return
        tickets = self.on_page()
        if 0 < position <= len(tickets):
            self.selected_id = tickets[position - 1].id
            self._request_next(tickets[position - 1])
        else:
            self.notify(f"There is no ticket {position} on this page", severity="warning")

    def _just_moved(self) -> bool:
        """Whether another screen or till moved the tickets a moment ago: the key the cook
        pressed was meant for what was there before, so it is held, once, with a word."""
        if time.monotonic() - self.moved_at > HOLD_KEYS_S:
            return False
        self.moved_at = -math.inf
        self.notify(
            "The tickets just changed: check the selection, then press again",
            severity="warning",
            timeout=3,
        )
        return True

    def action_item_done(self, done: bool) -> None:
        """Mark the selected ticket's next item done (``D``: the last done one not done)."""
        order = self.selected()
        if order is None:
            return
        item = (
            next_item(order, self.station, self.now)
            if done
            else last_done_item(order, self.station)
        )
        if item is None:
            held = done and next_item(order, self.station) is not None
            what = (
                "the items left are held until their fire time"
                if held
                else ("every item is done" if done else "no item is done yet")
            )
            self.notify(f"#{order.id}: {what}", severity="warning")
            return
        self.post_message(ItemDoneRequested(order, item, done))

    def _request_next(self, order: Order) -> None:
        if self.station is not None and order.status != Status.PENDING:
            # A station finishes its part; the expo moves the order on.
            self.post_message(PartDoneRequested(order, self.station))
            return
        target = forward(order.status)
        if target is None:
            self.notify(f"#{order.id} is {order.status}: nothing comes next", severity="warning")
            return
        if target == Status.READY and (held := part_left(order, None, self.now)[1]):
            # Ready with a dish not even started: the expo waits for it (as the browser
            # board does); the server does not hold a move, so the keys do.
            self.notify(f"#{order.id} not ready: {held_list(held, self.now)}", severity="warning")
            return
        self.post_message(MoveRequested(order, target))
