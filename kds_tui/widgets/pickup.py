"""The pickup board for a screen facing customers: order numbers, Preparing and Ready."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Digits, Static

from kds_contract import Order, Status

CELL_WIDTH = 12
"""Cells one big number takes, gap included (up to four digits)."""
CELL_HEIGHT = 3


class PickupColumn(Vertical):
    """One of the two columns: a title and big order numbers, lowest first."""

    def __init__(self, title: str, classes: str) -> None:
        super().__init__(classes=classes)
        self.title = title
        self.numbers: list[int] = []

    def compose(self) -> ComposeResult:
        yield Static(self.title, classes="pickup-title")
        yield Grid(classes="numbers")
        yield Static(classes="more")

    def show(self, numbers: list[int], *, force: bool = False) -> None:
        """Show these order numbers, as many as fit, and how many more there are."""
        if numbers == self.numbers and not force:
            return
        self.numbers = numbers
        grid = self.query_one(Grid)
        across = max(1, grid.size.width // CELL_WIDTH) if grid.size.width else 3
        down = max(1, grid.size.height // CELL_HEIGHT) if grid.size.height else 5
        fits = numbers if len(numbers) <= across * down else numbers[: across * down - 1]
        grid.styles.grid_size_columns = across
        # Keep the Digits widgets and change their numbers: no remove/mount churn.
        cells = list(grid.query_children(Digits))
        if len(cells) < len(fits):
            grid.mount_all(Digits(str(n)) for n in fits[len(cells) :])
        for cell, number in zip(cells, fits, strict=False):
            cell.update(str(number))
            cell.display = True
        for cell in cells[len(fits) :]:
            cell.display = False
        more = len(numbers) - len(fits)
        self.query_one(".more", Static).update(f"+ {more} more" if more else "")

    def on_resize(self) -> None:
        # How many fit depends on the size: lay the current numbers out again.
        self.call_after_refresh(lambda: self.show(self.numbers, force=True))


class PickupBoard(Horizontal):
    """Two big columns of order numbers and nothing else."""

    def compose(self) -> ComposeResult:
        yield PickupColumn("Preparing", classes="preparing")
        yield PickupColumn("Ready", classes="ready")

    def show(self, orders: Iterable[Order]) -> None:
        """Show where every open order is."""
        ids = sorted((o.id, o.status) for o in orders)
        ready = [i for i, status in ids if status == Status.READY]
        cooking = [i for i, status in ids if status in (Status.PENDING, Status.PREPARING)]
        self.query_one(".preparing", PickupColumn).show(cooking)
        self.query_one(".ready", PickupColumn).show(ready)
