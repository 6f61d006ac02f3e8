"""The all-day panel: how many of each item are still to make across the open tickets, with
the allergy mark on the items that are for an order with an allergen word."""

from __future__ import annotations

from rich.cells import cell_len
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Static

from kds_contract.allergens import ALLERGY_MARK
from kds_tui.model import AllDay
from kds_tui.text import wrap
from kds_ui.compat.textual import SizedByLayout

ALLERGY_STYLE = "bold reverse $error"


def row_lines(row: AllDay, width: int) -> list[list[tuple[str, str]]]:
    """One row as lines of (text, style): its count, then its name wrapped (never cut), and
    ``⚠N`` when N of them are for an order with an allergen word."""
    count = f"{row.count:>3} "
    indent = " " * cell_len(count)
    names = wrap(row.name, max(4, width - cell_len(count)))
    lines = [[(count, "bold"), (names[0], "")], *([(indent, ""), (n, "")] for n in names[1:])]
    if row.allergy:
        mark = f"{ALLERGY_MARK}{row.allergy}"
        if cell_len(indent + names[-1]) + 1 + cell_len(mark) <= width:
            lines[-1] += [(" ", ""), (mark, ALLERGY_STYLE)]
        else:
            lines.append([(indent, ""), (mark, ALLERGY_STYLE)])
    return lines


def fitted(rows: list[AllDay], width: int, room: int) -> list[list[tuple[str, str]]]:
    """The rows that fit in ``room`` lines, whole; the rest counted on the last line, with
    how many of them are for an allergy."""
    groups = [row_lines(row, width) for row in rows]
    if room <= 0 or sum(len(g) for g in groups) <= room:
        return [line for group in groups for line in group]
    shown: list[list[tuple[str, str]]] = []
    for number, group in enumerate(groups):
        if len(shown) + len(group) > room - 1:
            hidden = rows[number:]
            more = [(f"… and {len(hidden)} more", "")]
            flagged = sum(row.allergy for row in hidden)
            if flagged:
                more += [(" ", ""), (f"{ALLERGY_MARK}{flagged}", ALLERGY_STYLE)]
            return [*shown, more]
        shown += group
    return shown


class Counts(Static, SizedByLayout):
    """The panel's lines."""


class AllDayPanel(Vertical, SizedByLayout, can_focus=False):
    """A list like ``  7 Burger``, most first (then by name, ``Dish 2`` before ``Dish 10``);
    toggled with ``a``."""

    rows: list[AllDay] = []
    """The counts on show, most first."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: list[list[tuple[str, str]]] | None = None
        """The lines last shown."""

    def compose(self):  # type: ignore[override]
        yield Counts(classes="counts", markup=False)

    def on_mount(self) -> None:
        self.border_title = "All day"

    def show(self, rows: list[AllDay], size: Size | None = None) -> None:
        """Show new counts; what does not fit is counted on the last line, allergies too.

        ``size``: the room inside its border and padding it is about to have (it is being
        opened), else the room it has. Lines as they are shown already are not handed to
        Textual again (each update asks for a layout, a screen update of its own).
        """
        self.rows = rows
        room = self.size if size is None else size
        width = max(8, room.width) if room.width else 16
        lines = fitted(rows, width, room.height)
        if lines == self._shown:
            return
        self._shown = lines
        text = (
            Content("\n").join(Content.assemble(*line) for line in lines)
            if lines
            else Content("nothing to make")
        )
        self.query_one(".counts", Static).update(text)

    def on_resize(self) -> None:
        self.show(self.rows)
