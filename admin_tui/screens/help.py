"""The keys of the screen underneath, in two columns that fit 80x24."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import Static

from kds_ui.help import KeysScreen, key_rows


class HelpScreen(KeysScreen):
    """The keys in a dialog, with the screen's notes below them."""

    def __init__(self, title: str, bindings: Iterable[BindingType], *, notes: str = "") -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.bindings = list(bindings)
        self.notes = notes
        """More to know about the screen (the order form's item syntax), below the keys."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="box help"):
            yield Static(self.title_text, classes="question")
            yield Static(self._table())
            if self.notes:
                yield Static(Text(self.notes), classes="help-notes")
            yield Static("esc or ? closes", classes="hint")

    def _table(self) -> Table:
        rows = [
            (" ".join(r.keys), r.description)
            for r in key_rows(self.bindings, self.app.get_key_display)
        ]
        half = (len(rows) + 1) // 2
        table = Table.grid(padding=(0, 1))
        for _ in range(2):
            table.add_column(style="bold", justify="right", no_wrap=True)
            table.add_column(no_wrap=True)
        for left, right in zip(rows[:half], [*rows[half:], ("", "")], strict=False):
            table.add_row(*(Text(cell) for cell in (*left, *right)))
        return table
