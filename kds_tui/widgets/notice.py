"""One notice at a time, over the footer, never over the selected ticket.

A notice replaces the one before it (five refused keys are one notice, not a pile of five)
and sits over the key line at the foot of the screen. One that needs more lines than that
would cover the foot of the board: it goes where it covers no part of the selected ticket
(the top of the screen, or beside the ticket), wrapped in cells to fit there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.geometry import Region
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import Static

from kds_tui.text import wrap
from kds_ui.notices import SEVERITIES, gives_way


def lines_of(text: str, width: int) -> list[str]:
    """A notice's text wrapped to ``width`` cells (two of them its padding)."""
    return [line for paragraph in text.split("\n") for line in wrap(paragraph, width - 2)]


def place(
    screen: Region, text: str, avoid: Sequence[Region], *, top: int = 1
) -> tuple[Region, list[str]]:
    """Where a notice goes on ``screen`` and its lines there: at the foot, else at the top
    (below ``top`` header lines), else at the foot beside what it must not cover."""
    width = screen.width

    def at_foot(x: int, w: int) -> tuple[Region, list[str]]:
        shown = lines_of(text, w)
        return Region(x, screen.height - len(shown), w, len(shown)), shown

    foot = at_foot(0, width)
    if not any(foot[0].overlaps(r) for r in avoid):
        return foot
    shown = lines_of(text, width)
    head = Region(0, top, width, len(shown)), shown
    if not any(head[0].overlaps(r) for r in avoid):
        return head
    left = min((r.x for r in avoid), default=width)
    right = max((r.right for r in avoid), default=0)
    x, w = (0, left) if left >= width - right else (right, width - right)
    return at_foot(x, w) if w >= 20 else foot


class Notice(Static):
    """The one notice on screen (``App.notify`` shows it)."""

    def __init__(self, avoid: Callable[[], Sequence[Region]] = tuple) -> None:
        super().__init__(markup=False)
        self.avoid = avoid
        """Where on the screen the notice must not go (the selected ticket)."""
        self.message = ""
        self.severity: SeverityLevel = "information"
        self._timer: Timer | None = None
        self._text: str | None = None
        """The lines it shows (as last handed to ``update``)."""

    def on_mount(self) -> None:
        self.display = False
        self.call_after_refresh(self._place)  # a notice given before the screen was up

    def say(
        self, message: str, *, severity: SeverityLevel = "information", timeout: float = 5.0
    ) -> None:
        """Show ``message`` in place of the notice on screen, for ``timeout`` seconds; but
        a notice never takes the place of a graver one still showing (an error stays)."""
        if not gives_way(self.severity if self.message else None, severity):
            return
        self.message, self.severity = message, severity
        for name in SEVERITIES:
            self.set_class(name == severity, f"-{name}")
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(max(0.5, timeout), self.clear)
        self._place()

    def amend(self, old: str, new: str) -> None:
        """Put ``new`` in place of ``old`` if ``old`` is the notice showing (its time left
        unchanged); else do nothing."""
        if self.message and self.message == old:
            self.message = new
            self._place()

    def clear(self) -> None:
        """Take the notice off the screen."""
        self.message = ""
        self.display = False

    def _place(self) -> None:
        if not self.message or not self.is_attached:
            return
        region, shown = place(self.screen.region, self.message, self.avoid())
        self.styles.offset = (region.x, region.y)
        self.styles.width = region.width
        self.styles.height = region.height
        text = "\n".join(shown)
        if text != self._text:
            # Placed again after each layout of the board: the same lines are not handed to
            # Textual again (an update asks for a layout, a screen update of its own).
            self._text = text
            self.update(text)
        self.display = True

    def replace_after_layout(self) -> None:
        """Place the notice again (the selected ticket moved, or the screen changed size)."""
        self._place()
