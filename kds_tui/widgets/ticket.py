"""One ticket on the board, and the age timer that ticks on it without rebuilding it."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from kds_contract import Order, Priority, Status
from kds_tui.model import AgeThresholds, TicketView, age_seconds, age_text

ITEM_STYLES = {
    "item": "",
    "next": "bold",
    "done": "strike dim",
    "modifier": "",
    "note": "italic",
    "more": "dim",
}
AGE_LEVELS = ("fresh", "warn", "late")


class AgeTimer(Widget):
    """A ticket's age as mm:ss: the only part of a ticket that changes every second."""

    seconds: reactive[int] = reactive(0)
    """Whole seconds since the order was created."""

    def render(self) -> str:
        return age_text(self.seconds)


class TicketCard(Vertical):
    """One order as a ticket: number, status in words, who, items, notes, stations."""

    age_level: reactive[str] = reactive("fresh")
    """``fresh``, ``warn`` or ``late``: sets the ticket's colour."""
    selected: reactive[bool] = reactive(False)
    """Whether the key actions apply to this ticket."""
    highlighted: reactive[bool] = reactive(False)
    """A new or changed order, lit up for a few seconds."""

    def __init__(
        self,
        order: Order,
        view: TicketView,
        position: int | None = None,
        *,
        part: tuple[int, int] | None = None,
    ) -> None:
        super().__init__()
        self.order = order
        self.view = view
        self.position = position
        self.part = part or (0, view.body)
        """The body lines this card shows: a long ticket carries on in the next column."""
        self._seconds = 0

    def compose(self) -> ComposeResult:
        timer = AgeTimer()
        timer.set_reactive(AgeTimer.seconds, self._seconds)
        with Horizontal(classes="ticket-head"):
            yield Static(classes="head")
            yield timer
        yield Static(classes="meta")
        yield Static(classes="notes")
        yield Static(classes="items")
        yield Static(classes="stations")

    def on_mount(self) -> None:
        self._fill()

    @property
    def slot(self) -> tuple[int, int, int]:
        """The order and the body lines this card shows."""
        return (self.order.id, *self.part)

    def show(self, order: Order, view: TicketView, position: int | None = None) -> None:
        """Show a new version of the order in place (the widget is kept)."""
        self.order, self.view, self.position = order, view, position
        if self.is_mounted:
            self._fill()

    def _fill(self) -> None:
        order, view, position = self.order, self.view, self.position
        start, end = self.part
        continues = end < view.body
        number = f"[{position}]" if position is not None else ""
        self.border_subtitle = f"{number} more ↓" if continues else number
        self.border_title = "RUSH" if order.priority == Priority.RUSH else ""
        self.set_class(start > 0, "-continued")
        for status in Status:
            self.set_class(order.status == status, f"-{status}")
        self.set_class(order.priority == Priority.RUSH, "-rush")
        heads = self.query(".head")
        if not heads:
            # Mounted, but its parts are still being composed: fill them in once they are.
            self.call_after_refresh(self._fill)
            return
        heads.first(Static).update(f"#{order.id} continued" if start else view.head)
        meta = self.query_one(".meta", Static)
        meta.update(view.meta)
        meta.display = not start
        note_lines, item_lines, station_line = view.part(start, end)
        items = self.query_one(".items", Static)
        items.update(
            Content("\n").join(
                Content.styled(line.text, ITEM_STYLES[line.kind]) for line in item_lines
            )
        )
        items.display = bool(item_lines)
        notes = self.query_one(".notes", Static)
        notes.update("\n".join(note_lines))
        notes.display = bool(note_lines)
        stations = self.query_one(".stations", Static)
        stations.update(station_line or "")
        stations.display = bool(station_line)

    def tick(self, now: datetime, thresholds: AgeThresholds) -> None:
        """Move the timer on and recolour by age; nothing else is touched."""
        age = age_seconds(self.order, now)
        self.age_level = thresholds.level(age)
        self._seconds = int(age)
        for timer in self.query(AgeTimer):
            timer.seconds = int(age)

    def watch_age_level(self, level: str) -> None:
        for name in AGE_LEVELS:
            self.set_class(level == name, f"-{name}")

    def watch_selected(self, selected: bool) -> None:
        self.set_class(selected, "-selected")

    def watch_highlighted(self, highlighted: bool) -> None:
        self.set_class(highlighted, "-highlight")
