"""The board's tickets that change with time alone: held items counting down to their fire
time, and tickets going past their due time (``kds_tui.pacing``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.widget import Widget

from kds_contract import Order
from kds_tui.messages import ItemsFired
from kds_tui.model import same_station
from kds_tui.pacing import held_ids, looks


class BoardPacing(Widget):
    """Mixed into ``Board``: redraws timed tickets as the clock moves, and says when items
    of its station fire."""

    station: str | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._timed: dict[int, tuple[tuple[object, ...], frozenset[int]]] = {}
        """How each timed ticket last looked, and which of its items were held."""

    def shown(self) -> list[Order]:
        raise NotImplementedError  # Board's

    def redraw(self, order: Order) -> None:
        raise NotImplementedError  # Board's

    def drawn_at(self, order: Order, now: datetime) -> tuple[object, ...]:
        """Note how a ticket is drawn as of ``now``; returns what of it changes with time."""
        timed = looks(order, now)
        self._timed[order.id] = (timed, held_ids(order, now))
        return timed

    def pacing_tick(self, now: datetime) -> None:
        """Draw again each ticket whose countdown or lateness moved; on a station's screen,
        tell of its items that have just reached their fire time."""
        shown = {order.id: order for order in self.shown()}
        for order_id in [i for i in self._timed if i not in shown]:
            del self._timed[order_id]
        for order_id, (drawn, held) in list(self._timed.items()):
            order = shown[order_id]
            if order.due_at is None and not held and not held_ids(order, now):
                # Nothing held, then or now (a clock set back can hold an item again).
                continue
            if looks(order, now) == drawn:
                continue
            self.redraw(order)
            fired = [
                item
                for item in order.items
                if item.id in held - held_ids(order, now) and same_station(item, self.station)
            ]
            if fired and self.station is not None:
                self.post_message(ItemsFired(order, fired))
