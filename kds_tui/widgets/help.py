"""The help screen: every key the display answers to, as currently mapped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from kds_tui.text import wrap
from kds_ui.help import KeyDisplay, KeysScreen
from kds_ui.help import key_rows as shared_key_rows

HELP_BUMP = "move ticket [N] on screen on, as Enter does (N = 1 to 9)"
HELP_TEXT = {
    "left": "select the ticket to the left",
    "right": "select the ticket to the right",
    "up": "select the ticket above",
    "down": "select the ticket below",
    "next": "move the selected ticket on: start, ready, bump",
    "item_done": "mark the selected ticket's next item (▸) done",
    "item_undone": "mark its last done item not done",
    "page_next": "next page of tickets",
    "page_prev": "previous page of tickets",
    "page_first": "first page",
    "page_last": "last page",
    "go_new": "show the oldest new order that came in on another page",
    "undo": "take back the last thing done here: a move, an item done, a station's part",
    "recall": "recall a completed order: pick it from the recent ones (back to ready)",
    "all_day": "show or hide the all-day counts",
    "fire_upcoming": "fire the selected upcoming (scheduled) order now: it goes to the kitchen",
    "next_upcoming": "select the next upcoming order in the strip",
    "help": "this help",
    "quit": "quit",
}


def key_rows(
    bindings: Iterable[BindingType], keymap: Mapping[str, str], key_display: KeyDisplay
) -> list[tuple[str, str]]:
    """(keys, what they do) for every binding with an id, remaps applied; 1-9 on one row."""
    rows: list[tuple[str, str]] = []
    bumps: list[str] = []
    for row in shared_key_rows(
        [b for b in bindings if isinstance(b, Binding) and b.id], key_display, keymap
    ):
        shown = ",".join(row.keys)
        if row.id and row.id.startswith("bump_"):
            bumps.append(shown)
            if len(bumps) == 9:
                same = bumps == [str(n) for n in range(1, 10)]
                rows.append(("1-9" if same else " ".join(bumps), HELP_BUMP))
            continue
        rows.append((shown, HELP_TEXT.get(row.id or "", row.description)))
    return rows


def help_text(rows: list[tuple[str, str]], width: int) -> str:
    """The rows as lines of at most ``width`` cells: keys on the right of their column,
    what they do wrapped beside them (never cut)."""
    keys_width = max((cell_len(keys) for keys, _ in rows), default=4)
    indent = " " * (keys_width + 2)
    lines: list[str] = []
    for keys, what in rows:
        said = wrap(what, max(10, width - keys_width - 2))
        lines.append(" " * (keys_width - cell_len(keys)) + f"{keys}  {said[0]}")
        lines += [indent + more for more in said[1:]]
    return "\n".join(lines)


class HelpScreen(KeysScreen):
    """A list of keys and what they do, wrapped to the screen's width."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(help_text(self.rows, self._room()), markup=False, classes="keys")
            yield Static("escape closes this", classes="hint")

    def _room(self) -> int:
        # The box is at most 90% of the screen: its border and padding take 6 cells, a
        # scroll bar 2 more.
        return max(20, int(self.app.size.width * 0.9) - 8)

    def on_mount(self) -> None:
        self.query_one("#help").border_title = "Keys"

    def on_resize(self) -> None:
        self.query_one(".keys", Static).update(help_text(self.rows, self._room()))
