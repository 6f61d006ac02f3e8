"""The keys of the screen underneath, in two columns that fit 80x24."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    """Any key listed as closing it (escape, ?, q) goes back."""

    BINDINGS = [
        Binding("escape,question_mark,f1,q", "dismiss_help", "Close", id="help.close"),
    ]

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
        rows = key_rows(self.app, self.bindings)
        half = (len(rows) + 1) // 2
        table = Table.grid(padding=(0, 1))
        for _ in range(2):
            table.add_column(style="bold", justify="right", no_wrap=True)
            table.add_column(no_wrap=True)
        for left, right in zip(rows[:half], [*rows[half:], ("", "")], strict=False):
            table.add_row(*(Text(cell) for cell in (*left, *right)))
        return table

    def action_dismiss_help(self) -> None:
        self.dismiss(None)


def key_rows(app, bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    """(keys, description) per action, keys joined as the footer writes them."""
    by_action: dict[str, tuple[list[str], str]] = {}
    for binding in Binding.make_bindings(bindings):
        keys, _ = by_action.setdefault(binding.action, ([], binding.description))
        display = app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
    return [(" ".join(keys), description) for keys, description in by_action.values()]
