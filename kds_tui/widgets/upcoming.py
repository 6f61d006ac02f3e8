"""The upcoming strip: scheduled orders, the next to fire first, with the time until each
fires (``kds_tui.pacing``). One line under the header, shown only while there are some; the
selected one (``▸``) is the one the fire key sends to the kitchen now."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from kds_contract import Order
from kds_tui.model import where_to
from kds_tui.pacing import HELD_MARK, countdown
from kds_tui.text import one_line

TITLE = f"{HELD_MARK} UPCOMING "


def entry(order: Order, now: datetime, *, selected: bool) -> str:
    """``▸#14 T4 in 3:20``: one scheduled order in the strip."""
    where = where_to(order)
    fires = order.fire_at or now
    mark = "▸" if selected else " "
    return f"{mark}#{order.id}{' ' + one_line(where) if where else ''} in " + countdown(
        (fires - now).total_seconds()
    )


def strip_text(
    orders: list[Order], now: datetime, selected: int | None, width: int, keys: str = ""
) -> str:
    """The strip's line at ``width`` cells: as many orders as fit whole, then ``+N more``
    (each entry is short; none is cut), then ``keys`` (what the keys do) if there is room."""
    text = TITLE
    for index, order in enumerate(orders):
        piece = entry(order, now, selected=order.id == selected)
        rest = len(orders) - index - 1
        more = f"  +{rest} more" if rest else ""
        if index and cell_len(text + " " + piece + more) > width:
            text += f"  +{len(orders) - index} more"
            break
        text += (" " if index else "") + piece
    if keys and cell_len(text) + 3 + cell_len(keys) <= width:
        text += " " * (width - cell_len(text) - cell_len(keys)) + keys
    return text


class UpcomingStrip(Widget):
    """The scheduled orders with the time until each fires; hidden when there are none."""

    DEFAULT_CSS = """
    UpcomingStrip { height: 1; display: none; background: $boost; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.orders: list[Order] = []
        self.selected: int | None = None
        """The order the fire key fires (the next to fire, unless another was picked)."""
        self.picked = False
        """Whether a person picked ``selected`` (else it follows the next to fire)."""
        self.now: datetime | None = None
        self.keys = ""
        """What the strip's keys do, as the app maps them (``f fire now · t next``)."""

    def show(self, orders: list[Order], now: datetime, keys: str = "") -> None:
        """These scheduled orders (the next to fire first), as of ``now``."""
        self.orders, self.now, self.keys = orders, now, keys
        if not self.picked or self.selected not in {o.id for o in orders}:
            self.selected, self.picked = (orders[0].id if orders else None), False
        self.display = bool(orders)
        self.refresh()

    def select_next(self) -> None:
        """Pick the next scheduled order (round to the first after the last)."""
        ids = [o.id for o in self.orders]
        if ids:
            at = ids.index(self.selected) if self.selected in ids else -1
            self.selected, self.picked = ids[(at + 1) % len(ids)], True
            self.refresh()

    def chosen(self) -> Order | None:
        return next((o for o in self.orders if o.id == self.selected), None)

    def render(self) -> Text:
        if not self.orders or self.now is None:
            return Text("")
        line = strip_text(self.orders, self.now, self.selected, self.size.width, self.keys)
        return Text(line, style="bold", no_wrap=True, overflow="ellipsis")
