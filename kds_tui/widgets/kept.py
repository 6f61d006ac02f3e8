"""Drawings kept between frames for the parts of a ticket that did not change.

Once a second every age timer on the page changes, and Textual's compositor repaints the
region around all of them: nearly the whole board, so every card and every part of every
card on the page is asked for its lines again. Textual's own path for that (the widget's
background worked out through its ancestors, its line cache, borders) cost ~0.03 ms per
widget, ~340 widgets a second: most of the display's CPU while idle. A widget here keeps
the lines it drew and hands them back while nothing they depend on has changed: no refresh
of its own (every change of content, classes or size asks for one), its and its ancestors'
styles, its size, the part asked for, the app's colour settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.containers import Horizontal
from textual.dom import NoScreen
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static


def drawing_key(widget: Widget, crop: Region) -> tuple[Any, ...]:
    """What a widget's drawing of ``crop`` depends on, besides its own content.

    Raises NoScreen for a widget no longer on a screen."""
    app = widget.app
    return (
        crop,
        widget.size,
        tuple(node.styles._cache_key for node in widget.ancestors_with_self),
        id(app.ansi_theme),
        app.native_ansi_color,
        tuple(id(f) for f in widget.get_line_filters()),
        widget.text_selection,
    )


if TYPE_CHECKING:
    _WidgetMixin = Widget
else:
    # Not a Widget itself: Textual takes a widget's default CSS and type name from the
    # first DOM base class, which must stay the Textual widget it is mixed into.
    _WidgetMixin = object


class KeptDrawing(_WidgetMixin):
    """Mixed in before a widget class: hands back its last lines while nothing they
    depend on changed."""

    _kept: tuple[Any, list[Strip]] | None = None
    _version = 0

    def refresh(self, *regions: Region, **kwargs: Any) -> KeptDrawing:
        self._version += 1
        return super().refresh(*regions, **kwargs)  # type: ignore[return-value]

    def render_lines(self, crop: Region) -> list[Strip]:
        try:
            key = (self._version, *drawing_key(self, crop))
        except NoScreen:
            self._kept = None
            return super().render_lines(crop)
        kept = self._kept
        if kept is not None and kept[0] == key:
            return kept[1]
        strips = super().render_lines(crop)
        self._kept = (key, strips)
        return strips


class KeptStatic(KeptDrawing, Static):
    """``Static`` with its drawing kept."""


class KeptHorizontal(KeptDrawing, Horizontal):
    """``Horizontal`` with its drawing kept."""
