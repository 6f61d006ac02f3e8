"""How tickets flow onto pages: oldest first, left to right, top to bottom. No Textual.

Tickets are dealt across the columns in board order, the way a page of text reads: ticket
[1] at the top of the first column, [2] at the top of the second, and so on; after the
last column the next ticket goes below [1], the one after it below [2]. So the column a
ticket is in follows from its place in the queue, not from the heights of the others, and
the number keys count left to right, then down. A ticket that does not fit below the one
above it starts there when a few of its lines fit and carries on in the column to its
right, level with its start or lower (or on the next page), repeating its head; otherwise
it goes to the next column with room for it, in the same order (to the right, then from
the left), and only when no column has, it and every ticket after it go to the next page.
A part ends only where its ticket allows (``Box.breaks``: never between an item and its
modifiers and notes), unless what cannot be broken is taller than a whole column.
Nothing is cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MIN_PART = 3
"""Fewest body lines worth starting a ticket with at the foot of a page (and tickets of no
more than twice this many are never split)."""


@dataclass(frozen=True)
class Box:
    """What the layout needs to know of a ticket: its lines."""

    first: int
    """Lines of the first part that are not body lines (borders, head, meta, allergy)."""
    later: int
    """The same for a later part (it repeats the head and the allergy line)."""
    body: int
    """Body lines: what parts split between them."""
    breaks: tuple[int, ...] | None = None
    """The body lines a part may end before (ascending); None: any of them."""


@dataclass(frozen=True)
class Placement:
    """Body lines ``start`` to ``end`` of ticket ``index``, ``top`` lines down a column."""

    index: int
    start: int
    end: int
    top: int
    height: int
    """Lines on screen, borders included."""


Page = list[list[Placement]]
"""The columns of one page, each a list of placements, top to bottom."""


def paginate(boxes: Sequence[Box], columns: int, height: int) -> list[Page]:
    """Deal tickets in board order across ``columns`` columns of ``height`` lines.

    Returns:
        Pages of columns of placements (at least one page).
    """
    columns, height = max(1, columns), max(1, height)
    pages: list[Page] = []
    page: Page = [[] for _ in range(columns)]
    used = [0] * columns
    column = 0

    for index, box in enumerate(boxes):
        start, level = 0, 0
        # The next column, or the first after it with room to start this ticket: a ticket
        # is not sent to the next page while this one has room for it.
        column = next(
            (c for c in _onwards(column, columns) if _can_start(box, used[c], height)), column
        )
        while True:
            # A later part goes beside the part before it, not above it.
            top = max(used[column], level) if start else used[column]
            chrome = box.later if start else box.first
            room = height - top - chrome
            rest = box.body - start
            if rest <= room:
                page[column].append(Placement(index, start, box.body, top, chrome + rest))
                used[column] = top + chrome + rest
                column = (column + 1) % columns
                break
            end = _part_end(box, start, room, forced=top == 0)
            if end is not None and (top == 0 or box.body > 2 * MIN_PART):
                # Taller than what is left below: this part runs as far down the column as
                # the ticket may break, the rest carries on in the column to its right.
                page[column].append(Placement(index, start, end, top, chrome + end - start))
                used[column] = height
                start, level, column = end, top, column + 1
                if column < columns:
                    continue  # after the last column, on the next page
            pages.append(page)
            page, used, column, level = [[] for _ in range(columns)], [0] * columns, 0, 0
    if any(page) or not pages:
        pages.append(page)
    return pages


def _onwards(column: int, columns: int) -> list[int]:
    """The columns in reading order from ``column`` on: to its right, then from the left."""
    return [(column + step) % columns for step in range(columns)]


def _can_start(box: Box, used: int, height: int) -> bool:
    """Whether a ticket starts in a column ``used`` lines full: all of it fits below, the
    column is empty, or a few of its lines fit and it is long enough to carry on."""
    room = height - used - box.first
    if box.body <= room or used == 0:
        return True
    return box.body > 2 * MIN_PART and _part_end(box, 0, room, forced=False) is not None


def _part_end(box: Box, start: int, room: int, *, forced: bool) -> int | None:
    """Where a part from body line ``start`` with ``room`` lines ends: at the last break
    that fits, with at least ``MIN_PART`` lines. ``forced`` (the column is empty): at the
    foot of the column if no break fits. None: it cannot start here."""
    least, most = start + MIN_PART, start + room
    if box.breaks is None:
        fit = most if least <= most else None
    else:
        fit = max((b for b in box.breaks if least <= b <= most), default=None)
    return start + max(1, room) if fit is None and forced else fit
