"""What the board says above its tickets: that it is not live and why, that its station is
none the server knows, or that there is nothing to make (the board is built on this)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from kds_tui.model import OFFLINE_NOTE


class BoardNotes(Widget):
    """The notes of ``Board``, above its columns."""

    stale: reactive[bool] = reactive(False)
    """The feed is not live: what is shown is the last known state."""

    if TYPE_CHECKING:  # the board's
        _flat: list[int]
        _layout_pending: bool

    def notes(self) -> Iterator[Static]:
        """The notes, for the board's ``compose``."""
        yield Static(OFFLINE_NOTE, classes="stale-note", markup=False)
        yield Static(classes="station-note", markup=False)
        yield Static("No open tickets", classes="empty")

    def _note(self, selector: str) -> Static | None:
        """One of the notes; None while they are not there (the app's clock can tick as the
        app closes, after the board's children are gone)."""
        return next(iter(self.query(selector).results(Static)), None)

    def watch_stale(self, stale: bool) -> None:
        self.set_class(stale, "-stale")
        if not self._layout_pending:  # else the layout to come says (with the tickets it has)
            self.show_empty()

    def show_empty(self, tickets: bool | None = None) -> bool:
        """Say "No open tickets" only when the board knows: not while a note says why it
        cannot. ``tickets``: whether there are some (by default, as last laid out).

        Returns whether the note came or went: the room left for the columns changes.
        """
        tickets = bool(self._flat) if tickets is None else tickets
        warning, note = self._note(".station-note"), self._note(".empty")
        if warning is None or note is None:
            return False
        warned = warning.display
        show = not tickets and not self.stale and not warned
        if note.display == show:
            return False
        note.display = show
        return True

    def say_why_stale(self, note: str) -> None:
        """What the banner says while the board is not live (see ``kds_tui.model.stale_note``)."""
        banner = self._note(".stale-note")
        if banner is not None and str(banner.content) != note:
            banner.update(note)

    def warn_station(self, note: str | None) -> None:
        """Keep a warning about the station on screen (None: no warning)."""
        banner = self._note(".station-note")
        if banner is None:
            return
        if note and str(banner.content) != note:
            banner.update(note)
        if banner.display != bool(note):
            banner.display = bool(note)
            self.show_empty()
