"""Where the arrow keys take the selection on a laid-out board: no Textual, no I/O."""

from __future__ import annotations

from typing import NamedTuple


class Slot(NamedTuple):
    """Where (part of) a ticket goes: body lines ``start`` to ``end`` of an order, ``top``
    lines down its column, ``height`` lines tall."""

    order_id: int
    start: int
    end: int
    top: int = 0
    height: int = 0


Pages = list[list[list[Slot]]]
"""Pages of columns of slots, as the board lays them out."""


def tops(column: list[Slot]) -> list[int]:
    """The line each ticket of a column starts on."""
    return [slot.top for slot in column]


def page_step(pages: Pages, page: int, step: int) -> tuple[int, int] | None:
    """The page ``step`` pages on (clamped) and its first ticket; None if it is this page."""
    target = max(0, min(page + step, len(pages) - 1))
    first = next((col[0].order_id for col in pages[target] if col), None)
    if first is None or target == page:
        return None
    return target, first


def move(pages: Pages, page: int, selected: int, direction: str) -> tuple[int, int] | None:
    """Where ``direction`` (up, down, left, right) takes the selection: (page, order id).

    Up and down stay in the column, then turn the page; left and right go to the ticket
    level with this one in the next column, skipping the other parts of a long ticket.
    """
    columns = [
        (number, [slot.order_id for slot in col], tops(col))
        for number, columns_ in enumerate(pages)
        for col in columns_
        if col
    ]
    mine = [n for n, (_, ids, _) in enumerate(columns) if selected in ids]
    if not mine:
        return None
    here = next((n for n in mine if columns[n][0] == page), mine[0])
    _, ids, lines = columns[here]
    row = ids.index(selected)
    if direction in ("up", "down"):
        row += 1 if direction == "down" else -1
        if 0 <= row < len(ids):
            return columns[here][0], ids[row]
        return page_step(pages, page, 1 if direction == "down" else -1)
    step = 1 if direction == "right" else -1
    there = here + step
    while 0 <= there < len(columns) and columns[there][1] == [selected]:
        there += step
    if not 0 <= there < len(columns):
        return None
    number, target, target_lines = columns[there]
    beside = [i for i, top in zip(target, target_lines, strict=True) if top <= lines[row]]
    choice = beside[-1] if beside else target[0]
    if choice == selected and len(target) > 1:
        choice = target[1] if step > 0 else target[0]
    return number, choice
