"""One part of a ticket drawn as lines of a terminal (Rich segments): borders, head, age,
meta, allergy line and body lines, each piece in the style of its role.

No widget here: ``TicketColumn`` keeps the lines of the parts it shows and draws them with
these functions; the styles come from its component classes (``kds.tcss``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from kds_contract import Order, Priority, Status
from kds_tui.model import age_text
from kds_tui.view import Line, TicketView

BOXES = {
    # top-left, top, top-right, side, bottom-left, bottom-right
    "round": "╭─╮│╰╯",
    "heavy": "┏━┓┃┗┛",
    "double": "╔═╗║╚╝",
}
MODIFIED = "✎ MODIFIED"
"""On the top border of a ticket an edit changed since it last moved."""
CONTINUED = "↳ cont."
"""On the top border of a later part of a long ticket."""

Styles = Callable[[str], Style]
"""A role's style (``item``, ``border-late``, ``card-selected``...)."""


@dataclass(eq=False)
class Card:
    """One part of a ticket as a column shows it."""

    order: Order
    view: TicketView
    start: int
    """The first body line of this part (0: the first part)."""
    end: int
    top: int
    """Lines down the column."""
    position: int | None = None
    """Its number key ([1] to [9]) on this page, if it has one."""
    selected: bool = False
    highlighted: bool = False
    seconds: int = 0
    """Its age."""
    level: str = "fresh"
    """``fresh``, ``warn`` or ``late``."""
    drawn: list[Strip] | None = field(default=None, repr=False)
    """Its lines as last drawn (the age is put in when the head line is asked for)."""

    @property
    def part(self) -> tuple[int, int]:
        """The body lines this part shows."""
        return (self.start, self.end)

    @property
    def continued(self) -> bool:
        """Whether this is a later part of a long ticket."""
        return self.start > 0

    @property
    def more(self) -> bool:
        """Whether the ticket carries on in another part after this one."""
        return self.end < len(self.view.body)

    @property
    def height(self) -> int:
        """Lines it takes, borders included."""
        return self.view.chrome(not self.continued) + self.end - self.start

    def looks(self) -> tuple[object, ...]:
        """What its lines depend on, but for the age: the same, and its lines are the same."""
        return (
            self.order.id,
            self.order.version,
            id(self.view),
            self.start,
            self.end,
            self.position,
            self.selected,
            self.highlighted,
            self.level,
        )

    def content(self) -> list[Line]:
        """The lines inside its borders, top to bottom."""
        view = self.view
        head = list(view.continued if self.continued else (*view.head, *view.meta))
        return [*head, *view.allergy, *view.body[self.start : self.end]]


def border(card: Card) -> tuple[str, str]:
    """The box a card is drawn with and the role of its colour."""
    box = "double" if card.selected else ("heavy" if card.level == "late" else "round")
    return box, f"border-{card.level}"


def background(card: Card) -> str | None:
    """The role of the card's background, if it has one of its own (else ``base``, the
    column's)."""
    if card.order.status == Status.CANCELLED:
        return "card-cancelled"
    if card.highlighted:
        return "card-highlight"
    if card.selected:
        return "card-selected"
    return None


def head_role(card: Card) -> str:
    return {
        Status.PREPARING: "head-preparing",
        Status.READY: "head-ready",
        Status.CANCELLED: "head-cancelled",
    }.get(card.order.status, "head")


def draw(card: Card, width: int, styles: Styles) -> list[Strip]:
    """Every line of a card ``width`` cells wide (borders included), its age included."""
    box, border_role = border(card)
    tl, h, tr, _, bl, br = tuple(BOXES[box])
    base = styles(background(card) or "base")
    edge = base + styles(border_role)

    top = [Segment(tl + h, edge)]
    used = 2
    if card.continued:
        top.append(Segment(f" {CONTINUED} ", base + styles("number")))
        used += cell_len(CONTINUED) + 2
    elif card.view.modified:
        top.append(Segment(f" {MODIFIED} ", base + styles("modified")))
        used += cell_len(MODIFIED) + 2
    rush = " RUSH " if card.order.priority == Priority.RUSH else ""
    top.append(Segment(h * max(0, width - used - len(rush) - 2), edge))
    if rush:
        top.append(Segment(rush, base + styles("rush-title")))
    top.append(Segment(h + tr, edge))

    strips = [Strip(top, width)]
    strips += [
        content_strip(card, line, width, styles, first=n == 0)
        for n, line in enumerate(card.content())
    ]

    number = f"[{card.position}]" if card.position is not None else ""
    label = " ".join(part for part in (number, "more ↓" if card.more else "") if part)
    bottom = [Segment(bl + h, edge)]
    if label:
        bottom.append(Segment(f" {label} ", base + styles("number")))
    fill = width - 3 - (cell_len(label) + 2 if label else 0)
    bottom.append(Segment(h * max(0, fill) + br, edge))
    strips.append(Strip(bottom, width))
    return strips


def head_strip(card: Card, width: int, styles: Styles) -> Strip:
    """The card's first line inside its border: its head and its age."""
    return content_strip(card, card.content()[0], width, styles, first=True)


def content_strip(card: Card, line: Line, width: int, styles: Styles, *, first: bool) -> Strip:
    """One line inside a card's border; the first carries the age on its right."""
    box, border_role = border(card)
    side = BOXES[box][3]
    base = styles(background(card) or "base")
    edge = base + styles(border_role)
    inner = width - 4
    segments = [Segment(f"{side} ", edge)]
    used = 0
    for text, role in line.pieces:
        segments.append(Segment(text, base + styles(head_role(card) if role == "head" else role)))
        used += cell_len(text)
    if first:
        age = age_text(card.seconds)
        gap = max(1, inner - used - len(age))
        segments.append(Segment(" " * gap, base))
        segments.append(Segment(age, base + styles(f"timer-{card.level}")))
        used += gap + len(age)
    if used < inner:
        # An allergy line is a bar across the whole ticket.
        bar = line.pieces and line.pieces[0][1] == "allergy"
        segments.append(Segment(" " * (inner - used), base + styles("allergy") if bar else base))
    segments.append(Segment(f" {side}", edge))
    return Strip(segments, width)
