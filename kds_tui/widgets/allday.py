"""The all-day panel: how many of each item are still to make across the open tickets."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import Static

from kds_tui.model import fit


class AllDayPanel(VerticalScroll, can_focus=False):
    """A list like ``Burger x7``, most first (then by name, ``Dish 2`` before ``Dish 10``);
    toggled with ``a``."""

    counts: list[tuple[str, int]] = []
    """The counts on show, most first."""

    def compose(self):  # type: ignore[override]
        yield Static(classes="counts", markup=False)

    def on_mount(self) -> None:
        self.border_title = "All day"

    def show(self, counts: list[tuple[str, int]]) -> None:
        """Show new counts; what does not fit is counted on the last line."""
        self.counts = counts
        width = max(8, self.size.width - 4) if self.size.width else 20
        lines = [f"{fit(name, width - 5):<{width - 5}} x{count:>3}" for name, count in counts]
        room = self.size.height - 2  # inside the border
        if room > 0 and len(lines) > room:
            hidden = len(lines) - room + 1
            lines = [*lines[: room - 1], f"… and {hidden} more items"]
        self.query_one(".counts", Static).update("\n".join(lines) or "nothing to make")

    def on_resize(self) -> None:
        self.show(self.counts)
