"""The line above the table: what is shown (filter, search, days, sort) and where (page, total)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from admin_tui.query import SORTS, OrderQuery


class FilterBar(Widget):
    """Shows an :class:`OrderQuery`, the total it matched and how many new orders are off-page."""

    order_query: reactive[OrderQuery] = reactive(OrderQuery, layout=False)
    """What the table was asked to show."""
    total: reactive[int | None] = reactive(None)
    """How many orders match in all; ``None`` until the first page arrives."""
    new_count: reactive[int] = reactive(0)
    """New orders that arrived but are not shown (other filter, page or sort)."""
    changed_count: reactive[int] = reactive(0)
    """Orders changed off this page while sorted by last change (their place is page 1)."""
    loading_page: reactive[bool] = reactive(True)
    """A page request is on its way."""

    def __init__(self, clock: Callable[[], datetime], **kwargs) -> None:
        super().__init__(**kwargs)
        self._clock = clock

    def watch_new_count(self, count: int) -> None:
        self.set_class(count > 0, "-new")

    def render(self) -> Text:
        query = self.order_query
        left = Text.assemble(
            ("[", "dim"),
            (query.status_label(), "bold"),
            ("] ", "dim"),
            query.dates_label(self._clock()),
            ("  sort:", "dim"),
            SORTS.get(query.sort, query.sort),
        )
        if query.text.strip():
            left.append("  /", style="dim")
            left.append(query.text.strip(), style="bold")
        if self.loading_page:
            right = Text("loading...", style="dim")
        elif self.total is None:
            right = Text("not loaded (r)", style="dim")
        elif self.total == 0:
            words = (
                "none match (/: clear search, 0: all, d: days)"  # short: the search stays seen
                if query.text.strip()
                else "no orders match (0: all statuses, d: days)"
            )
            right = Text(words, style="bold")
        else:
            right = Text(f"p{query.page}/{query.pages(self.total)} ({self.total})")
        if self.new_count:
            right.append(f"  +{self.new_count} new", style="bold reverse")
        if self.changed_count:
            right.append(f"  {self.changed_count} changed", style="bold reverse")
        gap = self.size.width - left.cell_len - right.cell_len - 1
        if gap < 1:
            left.truncate(max(0, left.cell_len + gap - 1), overflow="ellipsis")
            gap = 1
        return Text.assemble(" ", left, " " * gap, right)
