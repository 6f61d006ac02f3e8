"""The age timer on every ticket: redrawn every second, so redrawn cheaply.

Every ticket on the page shows its age as mm:ss, so once a second every timer on screen gets
new text. Textual's full path for repainting a widget (its background worked out through its
ancestors, the text laid out into lines, filters, opacity) costs ~0.4 ms here: with 60 tickets
on screen that alone was 2.5% of a core at idle. Between two seconds only the digits change,
so the timer keeps the lines Textual drew last and puts the new digits into them, as long as
nothing else that the drawing depends on has changed (its styles and its ancestors', its size,
the part asked for, the app's colour settings); otherwise it draws the full way again.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from textual.dom import NoScreen
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from kds_tui.model import age_text
from kds_tui.widgets.kept import drawing_key


class AgeTimer(Widget):
    """A ticket's age as mm:ss: the only part of a ticket that changes every second."""

    seconds: reactive[int] = reactive(0)
    """Whole seconds since the order was created."""

    def __init__(self) -> None:
        super().__init__(markup=False)
        self._drawn: tuple[Any, str, list[Strip]] | None = None
        """What the last full drawing depended on, its text and its lines."""

    def render(self) -> str:
        return age_text(self.seconds)

    def watch_seconds(self, old: int, new: int) -> None:
        # mm:ss becomes mmm:ss after 100 minutes: the timer (width: auto) grows.
        if len(age_text(old)) != len(age_text(new)):
            self.refresh(layout=True)

    def render_lines(self, crop: Region) -> list[Strip]:
        text = age_text(self.seconds)
        try:
            key = drawing_key(self, crop)
        except NoScreen:
            # Just removed (its ticket left the page) but still in the compositor's last
            # map: it is gone from the next frame, so draw nothing now.
            self._drawn = None
            return [Strip.blank(crop.width) for _ in range(crop.height)]
        if self._drawn is not None:
            drawn_key, drawn_text, strips = self._drawn
            if drawn_key == key and len(drawn_text) == len(text):
                return [_retext(strip, drawn_text, text) for strip in strips]
        strips = super().render_lines(crop)
        if all(strip.text == text for strip in strips[:1]) and len(strips) == 1:
            self._drawn = (key, text, strips)
        else:
            self._drawn = None
        return strips


def _retext(strip: Strip, old: str, new: str) -> Strip:
    """``strip`` (whose text is ``old``) with ``new`` in its place, styles kept."""
    if old == new:
        return strip
    segments, at = [], 0
    for segment in strip:
        end = at + len(segment.text)
        segments.append(Segment(new[at:end], segment.style, segment.control))
        at = end
    return Strip(segments, strip.cell_length)
