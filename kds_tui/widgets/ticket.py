"""One ticket on the board; its age timer ticks on it without rebuilding it."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive

from kds_contract import Order, Priority, Status
from kds_tui.messages import TicketClicked
from kds_tui.model import AgeThresholds, TicketView, age_seconds
from kds_tui.widgets.kept import KeptDrawing, KeptHorizontal, KeptStatic
from kds_tui.widgets.timer import AgeTimer

ITEM_STYLES = {
    "item": "",
    "next": "bold",
    "done": "strike dim",
    "modifier": "",
    "note": "bold italic",
}
AGE_LEVELS = ("fresh", "warn", "late")
OWN_CLASSES = frozenset({*(f"-{status}" for status in Status), "-rush", "-continued"})
"""The classes a card sets from its order (the rest follow reactives)."""


class TicketCard(KeptDrawing, Vertical):
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
        self._titles: tuple[str, str] | None = None
        self._head_part: KeptStatic | None = None
        self._parts: dict[str, KeptStatic] = {}
        self._lines: dict[str, int] = {}
        """Lines in each part as last shown: a part that keeps its height needs no layout."""
        self._drawn: tuple[Order, TicketView] | None = None
        """The order and view the parts were last made from."""
        # Classes and titles before mounting, so a new card is styled once, not twice.
        self._set_classes()

    def compose(self) -> ComposeResult:
        self._drawn = (self.order, self.view)
        notes, items, stations = self._content()
        timer = self._timer = AgeTimer()
        timer.set_reactive(AgeTimer.seconds, self._seconds)
        with KeptHorizontal(classes="ticket-head"):
            self._head_part = KeptStatic(self._head(), classes="head", markup=False)
            yield self._head_part
            yield timer
        for name, content, lines in self._part_contents(notes, items, stations):
            part = KeptStatic(content, classes=name, markup=name == "items")
            self._parts[name], self._lines[name] = part, lines
            yield part.set_styles("" if lines else "display: none;")

    def _part_contents(
        self, notes: str, items: Content, stations: str
    ) -> tuple[tuple[str, str | Content, int], ...]:
        """Each part below the head: its name, content and lines (0: hidden)."""
        return (
            ("meta", self.view.meta, 0 if self.part[0] else 1),
            ("notes", notes, len(notes.splitlines())),
            ("items", items, len(items.plain.splitlines()) if items else 0),
            ("stations", stations, len(stations.splitlines())),
        )

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
        subtitle = f"{number} more ↓".lstrip() if end < view.body else number
        title = "RUSH" if order.priority == Priority.RUSH else ""
        # Setting either repaints the card, even with the same text: set only on a change.
        if (title, subtitle) != self._titles:
            self._titles = (title, subtitle)
            self.border_title, self.border_subtitle = title, subtitle
        own = {f"-{order.status}"}
        if order.priority == Priority.RUSH:
            own.add("-rush")
        if start > 0:
            own.add("-continued")
        classes = (self.classes - OWN_CLASSES) | own
        if classes != self.classes:
            # One restyle for the lot (a status move is a class off and one on).
            self.set_classes(classes)

    @property
    def slot(self) -> tuple[int, int, int]:
        """The order and the body lines this card shows."""
        return (self.order.id, *self.part)

    def show(
        self,
        order: Order,
        view: TicketView,
        position: int | None = None,
        *,
        part: tuple[int, int] | None = None,
    ) -> None:
        """Show a new version of the order, or another order, in place (the widget is kept)."""
        self.order, self.view, self.position = order, view, position
        self.part = part or self.part
        if self.is_mounted:
            self._fill()
        else:
            # Being mounted (a board laid out again a moment ago): its colours now, its
            # parts once mounted, if they were composed from the version before this one.
            self._set_classes()
            if self._drawn is not None:
                self.call_after_refresh(self._fill_if_stale)

    def on_mount(self) -> None:
        self._fill_if_stale()

    def _fill_if_stale(self) -> None:
        drawn = self._drawn
        if drawn is None or drawn[0] is not self.order or drawn[1] is not self.view:
            self._fill()

    def _fill(self) -> None:
        self._set_classes()
        if self._head_part is None:
            # Mounted, but its parts are still being composed: fill them in once they are.
            self.call_after_refresh(self._fill)
            return
        self._drawn = (self.order, self.view)
        # A part whose height is unchanged is repainted without a new layout of the screen
        # (a status move changes the head's words, not the ticket's size).
        self._head_part.update(self._head(), layout=False)
        for name, content, lines in self._part_contents(*self._content()):
            part, before = self._parts[name], self._lines[name]
            if lines:
                part.update(content, layout=lines != before)
            if part.display != bool(lines):
                part.display = bool(lines)
            self._lines[name] = lines

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
