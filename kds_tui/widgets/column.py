"""A column of tickets: one widget that draws the parts of tickets it holds, line by line.

A ticket is not a widget: the column keeps each part's lines (``widgets.card``) until what
they show changes, and redraws only the lines of the parts that changed. A page flip hands
the columns the next page's parts; a tick of the clock redraws one line per ticket, its
head with its age. Colours come from the component classes below (``kds.tcss``), held by
one ``TicketStyles`` beside the columns: Textual works component classes out again for
every widget that has them whenever it is restyled (a focus, a class on the board), and
seven columns with 31 each made that ~220 style lookups each time, where one holder makes 31.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.style import Style
from textual import events
from textual.geometry import Region
from textual.strip import Strip

from kds_tui.messages import TicketClicked
from kds_tui.model import AgeThresholds, age_seconds
from kds_tui.widgets.card import Card, draw, head_strip
from kds_ui.compat.textual import SizedByLayout

ROLES = (
    "border-fresh",
    "border-warn",
    "border-late",
    "card-selected",
    "card-highlight",
    "card-cancelled",
    "head",
    "head-preparing",
    "head-ready",
    "head-cancelled",
    "timer-fresh",
    "timer-warn",
    "timer-late",
    "meta",
    "rush",
    "rush-title",
    "modified",
    "number",
    "item",
    "next",
    "done",
    "modifier",
    "note",
    "order-note",
    "allergy",
    "allergy-mark",
    "allergen",
    "removed",
    "stations",
    "held",
    "past-due",
)
"""What a piece of a ticket can be; each has a component class ``ticket--<role>``."""
BACKGROUNDS = frozenset({"card-selected", "card-highlight", "card-cancelled"})
KEPT_CARDS = 400
"""Cards' lines a column keeps for when they are shown again (a few pages' worth)."""


class TicketColumn(SizedByLayout):
    """Parts of tickets, top to bottom (see ``kds_tui.layout`` for where each goes).

    Args:
        palette: where the roles' styles come from: the ``TicketStyles`` beside it.
    """

    def __init__(self, palette: TicketColumn | None = None) -> None:
        super().__init__()
        self._palette = self if palette is None else palette
        self.cards: list[Card] = []
        self._rows: list[tuple[Card, int] | None] = []
        """For each line of the column: the card on it and which of its lines."""
        self._styles: dict[str, Style] = {}
        self._width = 0
        """The width the cards were drawn at."""
        self._blank = Strip.blank(0)
        self._kept: dict[tuple[object, ...], tuple[object, int, list[Strip]]] = {}
        """Lines of cards this column drew, by what they looked like and the width."""
        self._fast = False
        """Whether the last lines were made by ``render_lines`` itself (not Textual's path)."""

    # -- what it shows ----------------------------------------------------------------

    def show(self, cards: Sequence[Card]) -> None:
        """Show these parts; lines of parts that look as they did are not drawn again."""
        before = {card.top: card for card in self.cards}
        self.cards = list(cards)
        rows: list[tuple[Card, int] | None] = []
        dirty: list[tuple[int, int]] = []
        for card in self.cards:
            rows += [None] * (card.top - len(rows))
            rows += [(card, n) for n in range(card.height)]
            old = before.pop(card.top, None)
            if old is not None and old.looks() == card.looks() and old.drawn is not None:
                card.drawn = old.drawn if old.seconds == card.seconds else None
                if card.drawn is not None:
                    continue
            dirty.append((card.top, card.height))
        for old in before.values():
            dirty.append((old.top, old.height))
        if len(rows) < len(self._rows):
            dirty.append((len(rows), len(self._rows) - len(rows)))
        self._rows = rows
        width = self.size.width
        for top, height in dirty:
            self.refresh(Region(0, top, width, height))

    def replace(self, old: Card, new: Card) -> None:
        """Show ``new`` in the place of ``old`` (as tall as it), drawn afresh."""
        self.cards[self.cards.index(old)] = new
        for n in range(new.height):
            self._rows[new.top + n] = (new, n)
        self.refresh(Region(0, new.top, self.size.width, new.height))

    def card_at(self, y: int) -> Card | None:
        """The card on line ``y`` of the column, if any."""
        row = self._rows[y] if 0 <= y < len(self._rows) else None
        return row[0] if row else None

    def lines(self) -> list[str]:
        """The column's lines as plain text, as they are drawn."""
        return [self.render_line(y).text for y in range(self.size.height)]

    def tick(self, now: datetime, thresholds: AgeThresholds) -> None:
        """Move every card's age on; a card whose colour changes is drawn again."""
        for card in self.cards:
            seconds = int(age_seconds(card.order, now))
            if seconds == card.seconds:
                continue
            card.seconds = seconds
            level = thresholds.level(seconds)
            if level != card.level:
                card.level, card.drawn = level, None
                self.refresh(Region(0, card.top, self.size.width, card.height))
            elif card.drawn is not None:
                head = head_strip(card, self._card_width(), self._style)
                card.drawn[1] = head.extend_cell_length(self.size.width, self._style("base"))
                self.refresh(Region(0, card.top + 1, self.size.width, 1))

    # -- drawing ----------------------------------------------------------------------

    def _card_width(self) -> int:
        return max(8, self.size.width - 1)  # one cell of gap to the next column

    def _style(self, role: str) -> Style:
        style = self._styles.get(role)
        if style is None:
            if role == "base":  # the column's own colours, under every card
                style = self.visual_style.rich_style
            else:
                name = f"ticket--{role}"
                partial = role not in BACKGROUNDS
                style = self._palette.get_component_rich_style(name, partial=partial)
            self._styles[role] = style
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._kept.clear()
        self._width = 0  # the blank line and every card are drawn again
        for card in self.cards:
            card.drawn = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        return self._line(y, self.size.width)

    def _line(self, y: int, width: int) -> Strip:
        if width != self._width:  # a new width: every card is drawn again
            self._width, self._blank = width, Strip.blank(width, self._style("base"))
            for card in self.cards:
                card.drawn = None
        row = self._rows[y] if 0 <= y < len(self._rows) else None
        if row is None:
            return self._blank
        card, line = row
        if card.drawn is None:
            card.drawn = self._drawn(card, width)
        return card.drawn[line] if line < len(card.drawn) else self._blank

    def _drawn(self, card: Card, width: int) -> list[Strip]:
        """A card's lines: as last drawn on this column if it looked the same then (a page
        seen again, the all-day panel closed again), with its age put in; else drawn."""
        base = self._style("base")  # the gap to the next column
        key = (card.looks(), width)
        kept = self._kept.get(key)
        if kept is not None and kept[0] is card.view:  # the same view, not one at its id
            _, seconds, strips = kept
            drawn = list(strips)
            if seconds != card.seconds:
                head = head_strip(card, max(8, width - 1), self._style)
                drawn[1] = head.extend_cell_length(width, base)
            return drawn
        drawn = [
            strip.extend_cell_length(width, base)
            for strip in draw(card, max(8, width - 1), self._style)
        ]
        if len(self._kept) >= KEPT_CARDS:
            self._kept.clear()
        self._kept[key] = (card.view, card.seconds, drawn)
        return list(drawn)

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines in ``crop``, as Textual's own path would make them.

        A column has no border, padding, tint or hatch of its own: its lines are the cards'
        lines as drawn, through the app's line filters. Textual's path (``StylesCache``)
        makes every line again as a new strip on its way; here each card's strips are
        handed on as they are, and a filter applied to one is kept with it
        (``Strip.apply_filter``) for the next frame. A column seen through an opacity (the
        stale board) or otherwise styled takes Textual's path.
        """
        if not self._plain():
            if self._fast:
                # Textual's kept lines were not kept up to date meanwhile: a whole refresh
                # forgets them (at once) and paints the column again.
                self._fast = False
                self.refresh()
            return super().render_lines(crop)
        self._fast = True
        filters = self.get_line_filters()
        background = self.background_colors[1]
        width = self.size.width
        strips = []
        for y in crop.line_range:
            strip = self._line(y, width)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        x1, x2 = crop.column_span
        if (x1, x2) != (0, width):
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def _plain(self) -> bool:
        """Whether nothing but the cards' own lines makes up the column's lines."""
        styles = self.styles
        return (
            not any(edge for edge, _ in styles.border)
            and not any(edge for edge, _ in styles.outline)
            and not any(styles.padding)
            and not styles.tint.a
            and styles.text_opacity == 1.0
            and self.opacity == 1.0
            and not (styles.has_rule("hatch") and styles.hatch != "none")
            and self.border_title is None
            and self.border_subtitle is None
        )

    def on_click(self, event: events.Click) -> None:
        card = self.card_at(event.y)
        if card is not None:
            self.post_message(TicketClicked(card.order.id))


class TicketStyles(TicketColumn):
    """The roles' styles for the columns beside it (never shown).

    A ``TicketColumn`` itself, in the same row: the rules for ``TicketColumn`` (its
    component classes, its opacity on a stale board) apply to it as they do to the columns,
    so the styles it holds are the ones each column had of its own.
    """

    DEFAULT_CSS = "TicketStyles { display: none; }"
    COMPONENT_CLASSES = {f"ticket--{role}" for role in ROLES}
