"""What the cook's keys ask the server to do: move an order, mark items, finish a station's
part, undo the last of these, recall. The board says what was asked; this sends it. Also
the one thing the display reads besides the feed: the menu's stations, once live.

On the expo view (no station) Next moves an order on: start, ready, bump. On a station's
screen Next starts a new order, then finishes the station's part: its items that have fired
are marked done (one held until its fire time is not: Next says what is still to come, and
when) and, if that leaves nothing of the order to make, the order is ready. A station never bumps
an order (the expo does), so a grill cook pressing Next three times cannot send out an
order whose salad is not made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import work

from kds_client.errors import KdsError
from kds_contract import Order, Status, undo
from kds_tui.messages import ItemDoneRequested, MoveRequested, PartDoneRequested
from kds_tui.model import STATUS_LABELS, part_left, station_items
from kds_tui.pacing import held_list
from kds_tui.widgets.recall import RECALL_COUNT, RecallScreen
from kds_ui.safe_app import SafeApp


@dataclass(frozen=True)
class Done:
    """One thing this display did, for ``u``: a move to ``status`` and items marked done."""

    order_id: int
    status: Status | None = None
    """The status this display moved the order to (None: no move)..."""
    before: Status | None = None
    """... and the one it moved it from."""
    items: tuple[int, ...] = ()


class KitchenActions(SafeApp):
    """The kitchen display's actions (KitchenApp is built on this)."""

    feed: Any
    board: Any
    settings: Any
    clock: Any
    if TYPE_CHECKING:  # the app's

        def set_menu_stations(self, stations: Iterable[str]) -> None: ...

    def __init__(self) -> None:
        super().__init__()
        self._in_flight: set[int] = set()
        self._ours: set[tuple[int, int]] = set()
        self._done: list[Done] = []

    # -- what the board asks --------------------------------------------------------------

    def on_move_requested(self, message: MoveRequested) -> None:
        self._move(message.order, message.target)

    def on_item_done_requested(self, message: ItemDoneRequested) -> None:
        self._mark_items(message.order, [message.item.id], message.done)

    def on_part_done_requested(self, message: PartDoneRequested) -> None:
        self._finish_part(message.order, message.station)

    def action_undo(self) -> None:
        """Take back the last thing this display did (a move, a station's part)."""
        while self._done:
            done = self._done.pop()
            order = self.feed.store.get(done.order_id)
            if order is None:
                continue
            if done.status is not None and order.status != done.status:
                self.notify(
                    f"#{order.id} has moved on since (it is {order.status} now): nothing undone",
                    severity="warning",
                )
                return
            self._take_back(order, done)
            return
        self.notify("Nothing to undo", severity="warning")

    def action_recall(self) -> None:
        """Pick a recently completed order from a list and bring it back, as ready."""
        self._recall()

    def is_ours(self, order_id: int, version: int) -> bool:
        """Whether a change is this display's own (it is not announced as news)."""
        if (order_id, version) in self._ours:
            self._ours.discard((order_id, version))
            return True
        return order_id in self._in_flight

    # -- talking to the server ------------------------------------------------------------
    # Actions on different orders may run side by side (exclusive=False); two on one order
    # are kept apart by _in_flight, so a double press never sends a move twice.

    @work(exclusive=False, group="actions", exit_on_error=False)
    async def _move(self, order: Order, target: Status, *, remember: bool = True) -> None:
        if not self._start(order.id):
            return
        try:
            await self._send_move(order, target)
        except KdsError as error:
            self.notify(error.message, title=f"#{order.id} not moved", severity="error")
            return
        finally:
            self._in_flight.discard(order.id)
        if remember:
            self._done.append(Done(order.id, status=target, before=order.status))

    @work(exclusive=False, group="actions", exit_on_error=False)
    async def _mark_items(self, order: Order, item_ids: list[int], done: bool) -> None:
        if not self._start(order.id):
            return
        try:
            for item_id in item_ids:
                self._confirmed(await self.feed.rest.mark_item(order.id, item_id, done))
        except KdsError as error:
            self.notify(error.message, title=f"#{order.id} not changed", severity="error")
            return
        finally:
            self._in_flight.discard(order.id)
        if done:  # u takes it back (on a station's screen the ticket may have left)
            self._done.append(Done(order.id, items=tuple(item_ids)))

    @work(exclusive=False, group="actions", exit_on_error=False)
    async def _finish_part(self, order: Order, station: str) -> None:
        if order.status not in (Status.PREPARING, Status.READY):
            self.notify(f"#{order.id} is {order.status}", severity="warning")
            return
        now = self.clock()
        fired, held = part_left(order, station, now)
        if held and not fired:
            self.notify(
                f"#{order.id}: not fired yet, nothing marked done: {held_list(held, now)}",
                severity="warning",
            )
            return
        todo = [item.id for item in fired]
        if not todo or not self._start(order.id):
            return
        marked: list[int] = []
        moved, before = None, order.status
        try:
            for item_id in todo:
                order = self._confirmed(await self.feed.rest.mark_item(order.id, item_id, True))
                marked.append(item_id)
            if order.status == Status.PREPARING and all(item.done for item in order.items):
                order = await self._send_move(order, Status.READY)  # the last station's part
                moved = Status.READY
        except KdsError as error:
            self.notify(error.message, title=f"#{order.id} not finished", severity="error")
        finally:
            self._in_flight.discard(order.id)
        if marked:
            self._done.append(Done(order.id, status=moved, before=before, items=tuple(marked)))
            if held:  # the part is not finished: say what is still to come
                self.notify(f"#{order.id}: still to come: {held_list(held, now)}", timeout=6)

    @work(exclusive=False, group="actions", exit_on_error=False)
    async def _take_back(self, order: Order, done: Done) -> None:
        if not self._start(order.id):
            return
        try:
            if done.before is not None and done.status is not None:
                order = await self._send_move(order, done.before)
            for item_id in done.items:
                order = self._confirmed(await self.feed.rest.mark_item(order.id, item_id, False))
        except KdsError as error:
            self.notify(error.message, title=f"#{order.id} not undone", severity="error")
        finally:
            self._in_flight.discard(order.id)

    @work(exclusive=True, group="recall", exit_on_error=False)
    async def _recall(self) -> None:
        """Offer the recently completed orders (the server's list and those the feed saw)."""
        if not self._live():
            return
        station = self.settings.station
        try:
            page = await self.feed.rest.list_orders(
                status="completed", station=station, sort="-updated_at", per_page=RECALL_COUNT
            )
        except KdsError as error:
            self.notify(error.message, title="Recall", severity="error")
            return
        known = {o.id: o for o in page.orders}
        for order in self.feed.store.orders.values():
            if order.status == Status.COMPLETED and station_items(order, station):
                if order.id not in known or known[order.id].version < order.version:
                    known[order.id] = order
        completed = sorted(
            known.values(), key=lambda o: (o.completed_at or o.updated_at, o.id), reverse=True
        )[:RECALL_COUNT]
        if not completed:
            self.notify("No completed order to recall", severity="warning")
            return
        self.push_screen(RecallScreen(completed, station, self.clock()), self._recall_chosen)

    def _recall_chosen(self, order: Order | None) -> None:
        if order is not None:
            self._bring_back(order)

    @work(exclusive=False, group="actions", exit_on_error=False)
    async def _bring_back(self, order: Order) -> None:
        """Recall an order (back to ready), then show it and say where it is."""
        target = undo(order.status)
        if target is None or not self._start(order.id):
            return
        try:
            order = await self._send_move(order, target)
        except KdsError as error:
            self.notify(error.message, title=f"#{order.id} not recalled", severity="error")
            return
        finally:
            self._in_flight.discard(order.id)
        self._done.append(Done(order.id, status=target, before=Status.COMPLETED))
        board = self.board
        if board is None:
            return
        where = board.reveal(order.id)
        if where is None:
            shown = "on the expo screen" if self.settings.station else "off this board"
            self.notify(f"#{order.id} recalled: {STATUS_LABELS[order.status]} ({shown})")
        else:
            page, pages = where
            self.notify(
                f"#{order.id} recalled: {STATUS_LABELS[order.status]}, "
                f"page {page + 1} of {pages}, selected"
            )

    @work(exclusive=True, group="menu", exit_on_error=False)
    async def read_menu(self) -> None:
        """Read the menu's stations (``GET /api/menu``): a station's screen tells a mistyped
        ``--station`` from them too, even with no open order to tell it from."""
        rest = self.feed.rest
        if rest is None or not self.settings.station or self.settings.pickup:
            return
        try:
            menu = await rest.menu()
        except KdsError:
            return  # offline again, or a server without a menu: the open orders still tell
        self.set_menu_stations(item.station for item in menu.items if item.station)

    async def _send_move(self, order: Order, target: Status) -> Order:
        return self._confirmed(await self.feed.rest.move(order.id, target, version=order.version))

    def _live(self) -> bool:
        try:
            self.feed.require_live()
        except KdsError as error:
            self.notify(error.message, title="Not sent", severity="error")
            return False
        return True

    def _start(self, order_id: int) -> bool:
        if not self._live():
            return False
        if order_id in self._in_flight:
            self.notify(f"#{order_id} is still being updated", severity="warning", timeout=2)
            return False
        self._in_flight.add(order_id)
        return True

    def _confirmed(self, order: Order) -> Order:
        # The server answered: show it now, even if its event is still on the way (and
        # remember the version, so that event is not announced as a change from elsewhere).
        known = self.feed.store.get(order.id)
        if known is None or known.version < order.version:
            self._ours.add((order.id, order.version))
            if board := self.board:
                board.update_order(order, known)
        return order
