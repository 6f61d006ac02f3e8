"""The pickup board for a screen facing customers: order numbers, Preparing and Ready."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from kds_contract import Order, Status
from kds_tui.model import sort_key


class PickupColumn(Vertical):
    """One of the two columns: a title and big order numbers."""

    def __init__(self, title: str, classes: str) -> None:
        super().__init__(classes=classes)
        self.title = title

    def compose(self) -> ComposeResult:
        yield Static(self.title, classes="pickup-title")
        yield Static(classes="numbers")

    def show(self, numbers: list[int]) -> None:
        """Show these order numbers, oldest first."""
        self.query_one(".numbers", Static).update("   ".join(str(n) for n in numbers))


class PickupBoard(Horizontal):
    """Two big columns of order numbers and nothing else."""

    def compose(self) -> ComposeResult:
        yield PickupColumn("Preparing", classes="preparing")
        yield PickupColumn("Ready", classes="ready")

    def show(self, orders: Iterable[Order]) -> None:
        """Show where every open order is."""
        ordered = sorted(orders, key=sort_key)
        ready = [o.id for o in ordered if o.status == Status.READY]
        cooking = [o.id for o in ordered if o.status in (Status.PENDING, Status.PREPARING)]
        self.query_one(".preparing", PickupColumn).show(cooking)
        self.query_one(".ready", PickupColumn).show(ready)
