"""The recall list: recently completed orders, newest first, to bring one back as ready."""

from __future__ import annotations

from datetime import datetime

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kds_contract import Order
from kds_tui.model import station_items, who
from kds_tui.text import one_line

RECALL_COUNT = 20
"""How many recently completed orders the list offers."""


def recall_row(order: Order, station: str | None, now: datetime) -> str:
    """One line of the list: number, who, items, and how long ago it was completed."""
    items = ", ".join(f"{i.quantity}× {one_line(i.name)}" for i in station_items(order, station))  # noqa: RUF001
    done = order.completed_at or order.updated_at
    return f"#{order.id}  {who(order)}  ·  {items}  ·  bumped {ago((now - done).total_seconds())}"


def ago(seconds: float) -> str:
    """How long ago, in the words a cook says: ``just now``, ``4 min ago``, ``1 h 5 min ago``."""
    minutes = int(max(0.0, seconds)) // 60
    if minutes < 1:
        return "just now"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min ago" if hours else f"{minutes} min ago"


class RecallScreen(ModalScreen[Order | None]):
    """Pick a completed order to bring back (Enter, or its number 1-9); escape closes."""

    BINDINGS = [Binding("escape,q,r", "dismiss", "Close", id="recall_close")]

    def __init__(self, orders: list[Order], station: str | None, now: datetime) -> None:
        super().__init__()
        self.orders = orders
        self.station = station
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical(id="recall"):
            options = [
                Option(
                    f"{n if n <= 9 else ' '}  {recall_row(o, self.station, self.now)}",
                    id=str(o.id),
                )
                for n, o in enumerate(self.orders, start=1)
            ]
            yield OptionList(*options, markup=False)
            yield Static("Enter or 1-9 brings it back as READY · escape closes", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#recall").border_title = "Recall a completed order"
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.orders[event.option_index])

    def on_key(self, event: events.Key) -> None:
        if event.key.isdigit() and 1 <= int(event.key) <= min(9, len(self.orders)):
            event.stop()
            self.dismiss(self.orders[int(event.key) - 1])

    async def action_dismiss(self, result: Order | None = None) -> None:
        self.dismiss(result)
