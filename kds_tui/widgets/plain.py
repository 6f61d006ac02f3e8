"""The lines of a container whose own lines are nothing but its background (the board,
its row of columns): one blank line, as Textual's own path makes it, repeated.

Textual's path (``StylesCache``) makes every line of a widget again after each resize,
line by line, though a container with no border, padding or content of its own has the
same line everywhere; and the compositor asks for the lines of every widget behind the
columns. Opening or closing the all-day panel resizes the board and its row: their lines
were ~5 ms of the toggle's CPU. A container styled otherwise takes Textual's path.
"""

from __future__ import annotations

from rich.style import Style as RichStyle
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget


def background_lines(widget: Widget, crop: Region) -> list[Strip] | None:
    """The lines of ``widget`` in ``crop`` if it is plain (see :func:`plain`), else None
    (then Textual's path makes them: ``super().render_lines(crop)``)."""
    if not plain(widget):
        return None
    background = widget.background_colors[1]
    # What ``Widget.render`` gives a container: its background colour, blank.
    strip = Strip.blank(crop.width, RichStyle.from_color(bgcolor=background.rich_color))
    for line_filter in widget.get_line_filters():
        strip = strip.apply_filter(line_filter, background)
    return [strip] * crop.height


def plain(widget: Widget) -> bool:
    """Whether nothing but its background makes up the widget's own lines."""
    styles = widget.styles
    return (
        widget.is_container
        and type(widget).render is Widget.render
        and styles.keyline[0] == "none"
        and not any(edge for edge, _ in styles.border)
        and not any(edge for edge, _ in styles.outline)
        and not any(styles.padding)
        and not styles.tint.a
        and not styles.background_tint.a
        and styles.text_opacity == 1.0
        and widget.opacity == 1.0
        and not (styles.has_rule("hatch") and styles.hatch != "none")
        and not widget.show_vertical_scrollbar
        and not widget.show_horizontal_scrollbar
        and widget.border_title is None
        and widget.border_subtitle is None
    )
