"""How live changes reach the orders page: new orders on top or counted, changes in place
or to the top (sorted by last change), deletions gone, cancellations told (and rung)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from admin_tui.announcer import Announcer
from admin_tui.messages import OrderChanged, OrderSaved
from admin_tui.query import OrderQuery
from admin_tui.widgets.filter_bar import FilterBar
from admin_tui.widgets.orders_table import OrdersTable
from kds_client.store import Change
from kds_contract import ORDER_CREATED, ORDER_DELETED, ORDER_STATUS_UPDATED, Order, Status


class LivePage:
    """The part of :class:`~admin_tui.screens.orders.OrdersScreen` that applies live changes."""

    _order_query: OrderQuery | None
    _loading: bool
    _held: list[Change]
    _new_ids: set[int]
    announcer: Announcer

    @property
    def order_query(self) -> OrderQuery:
        raise NotImplementedError

    @property
    def table(self) -> OrdersTable:
        raise NotImplementedError

    @property
    def bar(self) -> FilterBar:
        raise NotImplementedError

    def now(self) -> datetime:
        raise NotImplementedError

    def load_page(self, *, top: bool = False) -> object:
        raise NotImplementedError

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
            self.load_page(top=False)
        elif change.type == ORDER_DELETED and change.order_id is not None:
            if self.table.remove_order(change.order_id):
                self.bar.total = max(0, (self.bar.total or 1) - 1)
                if not quiet:
                    self.announcer.say(f"Order {change.order_id} was deleted.")
        elif change.order is not None and change.type == ORDER_CREATED:
            self._created(change.order, quiet=quiet)
        elif change.order is not None:
            shown = self._changed(change, quiet)
            if quiet or change.type != ORDER_STATUS_UPDATED:
                return
            before = _before(change).status
            if change.order.status == Status.CANCELLED and before != Status.CANCELLED:
                # A cancellation is told wherever the order is, and may ring.
                self.announcer.say(f"Order {change.order.id} was cancelled.", alarm=True)
            elif shown and change.previous is not None:
                self.announcer.say(
                    f"Order {change.order.id}: {before.value} -> {change.order.status.value}"
                )

    def _changed(self, change: Change, quiet: bool) -> bool:
        """Show a change to an order; whether its row is on the page now.

        Sorted by last change, a changed order of this view belongs at the top of page 1: it
        goes there (or, seen from another page, is counted in the ``N changed`` hint). Other
        sorts keep each row where it is and update it in place.
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
        if query.page == 1 and query.matches(order, now):
            self.table.put_top(order, query.per_page)
            if shown is None and not query.matches(_before(change), now):
                self.bar.total = (self.bar.total or 0) + 1  # it joins what the view counts
            return True
        if query.matches(order, now) and (shown is None or query.page > 1) and not quiet:
            self.bar.changed_count += 1
        return self.table.update_order(order)

    def _created(self, order: Order, *, quiet: bool) -> None:
        query = self.order_query
        if self.table.order(order.id) is not None:
            return
        belongs = query.matches(order, self.now())
        fits = belongs and query.page == 1 and query.newest_first
        if fits:
            self.table.insert_top(order, query.per_page)
            self.bar.total = (self.bar.total or 0) + 1
            # The next pages are read as of this list, which now includes it.
            self._order_query = self.bar.order_query = replace(
                query, max_id=max(query.max_id or 0, order.id)
            )
            self._new_ids.discard(order.id)
            self.bar.new_count = len(self._new_ids)
        elif belongs and (not quiet or order.id > (query.max_id or 0)):
            self._new_ids.add(order.id)  # told while loading and after it: counted once
            self.bar.new_count = len(self._new_ids)
        if not quiet:
            where = "" if fits else " (not on this page)" if belongs else " (not in this view)"
            self.announcer.say(f"New order {order.id}{where}.", new_order=True)


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
