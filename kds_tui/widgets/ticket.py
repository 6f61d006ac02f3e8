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
from kds_tui.messages import TicketClicked
from kds_tui.model import AgeThresholds, TicketView, age_seconds, age_text

ITEM_STYLES = {
    "item": "",
    "next": "bold",
    "done": "strike dim",
    "modifier": "",
    "note": "italic",
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
        self._timer: AgeTimer | None = None
        # Classes and titles before mounting, so a new card is styled once, not twice.
        self._set_classes()

    def compose(self) -> ComposeResult:
        notes, items, stations = self._content()
        timer = self._timer = AgeTimer()
        timer.set_reactive(AgeTimer.seconds, self._seconds)
        with Horizontal(classes="ticket-head"):
            yield Static(self._head(), classes="head", markup=False)
            yield timer
        yield Static(self.view.meta, classes="meta", markup=False).set_styles(
            self._shown(not self.part[0])
        )
        yield Static(notes, classes="notes", markup=False).set_styles(self._shown(bool(notes)))
        yield Static(items, classes="items").set_styles(self._shown(bool(items)))
        yield Static(stations, classes="stations", markup=False).set_styles(
            self._shown(bool(stations))
        )

    @staticmethod
    def _shown(shown: bool) -> str:
        return "" if shown else "display: none;"

    def _head(self) -> str:
        return f"#{self.order.id} continued" if self.part[0] else self.view.head

    def _content(self) -> tuple[str, Content, str]:  # notes, items, stations
        notes, items, stations = self.view.part(*self.part)
        lines = Content("\n").join(
            Content.styled(line.text, ITEM_STYLES[line.kind]) for line in items
        )
        return "\n".join(notes), lines, "\n".join(stations)

    def _set_classes(self) -> None:
        order, view, position = self.order, self.view, self.position
        start, end = self.part
        number = f"[{position}]" if position is not None else ""
        self.border_subtitle = f"{number} more ↓".lstrip() if end < view.body else number
        self.border_title = "RUSH" if order.priority == Priority.RUSH else ""
        for status in Status:
            self.set_class(order.status == status, f"-{status}")
        self.set_class(order.priority == Priority.RUSH, "-rush")
        self.set_class(start > 0, "-continued")

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
        self._set_classes()
        heads = self.query(".head")
        if not heads:
            # Mounted, but its parts are still being composed: fill them in once they are.
            self.call_after_refresh(self._fill)
            return
        notes, items, stations = self._content()
        heads.first(Static).update(self._head())
        for name, content, shown in (
            ("meta", self.view.meta, not self.part[0]),
            ("notes", notes, bool(notes)),
            ("items", items, bool(items)),
            ("stations", stations, bool(stations)),
        ):
            part = self.query_one(f".{name}", Static)
            part.update(content)
            part.display = shown

    def on_click(self) -> None:
        self.post_message(TicketClicked(self.order.id))

    def tick(self, now: datetime, thresholds: AgeThresholds) -> None:
        """Move the timer on and recolour by age; nothing else is touched."""
        age = age_seconds(self.order, now)
        self.age_level = thresholds.level(age)
        self._seconds = int(age)
        if self._timer is not None:
            self._timer.seconds = int(age)

    def watch_age_level(self, level: str) -> None:
        for name in AGE_LEVELS:
            self.set_class(level == name, f"-{name}")

    def watch_selected(self, selected: bool) -> None:
        self.set_class(selected, "-selected")

    def watch_highlighted(self, highlighted: bool) -> None:
        self.set_class(highlighted, "-highlight")
