"""Tickets on pages: oldest first, left to right, top to bottom; long ones carry on."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from kds_tui.layout import Box, paginate


def layout(bodies: list[int], columns: int, height: int, first: int = 4, later: int = 3):
    pages = paginate([Box(first, later, b) for b in bodies], columns, height)
    return [[[(p.index, p.start, p.end, p.top) for p in col] for col in page] for page in pages]


def test_tickets_read_left_to_right_then_top_to_bottom():
    # Heights 5, 7, 5, 5, 5 in three columns of 20 lines: one across each column, then the
    # fourth below the first and the fifth below the second, whatever their heights.
    assert layout([1, 3, 1, 1, 1], 3, 20) == [
        [[(0, 0, 1, 0), (3, 0, 1, 5)], [(1, 0, 3, 0), (4, 0, 1, 7)], [(2, 0, 1, 0)]]
    ]
    # Whatever the heights, ticket n is in column n % 3 (no ticket carries on here).
    assert [[p[0] for p in col] for col in layout([5, 1, 2, 2, 1, 5], 3, 40)[0]] == [
        [0, 3],
        [1, 4],
        [2, 5],
    ]
    # A ticket that does not fit below the one above it, and has no room to start there,
    # goes to the next column with room for it: here the first, below ticket 3 (ticket 2
    # fills the third column). Not to the next page while this one has room.
    assert [[p[0] for p in col] for col in layout([1, 1, 14, 1, 1, 1, 1], 3, 20)[0]] == [
        [0, 3, 5],
        [1, 4, 6],
        [2],
    ]
    # When no column has room, it goes to the next page, and the tickets after it with it
    # (the order is kept).
    assert layout([6, 6, 6], 2, 12) == [[[(0, 0, 6, 0)], [(1, 0, 6, 0)]], [[(2, 0, 6, 0)], []]]
    assert layout([8, 1, 6, 1], 2, 14) == [
        [[(0, 0, 8, 0)], [(1, 0, 1, 0)]],
        [[(2, 0, 6, 0)], [(3, 0, 1, 0)]],
    ]
    assert layout([], 3, 10) == [[[], [], []]]


def test_a_long_ticket_carries_on_in_the_next_column():
    # 4 + 3 lines fill column 0 to 7 of 12; ticket 1 (10 body lines) starts beside it and
    # carries on to its right: on the next page when there is no column to its right.
    assert layout([3, 10], 2, 12) == [[[(0, 0, 3, 0)], [(1, 0, 8, 0)]], [[(1, 8, 10, 0)], []]]
    # The ticket after it reads after it: below the first one.
    assert layout([3, 10, 1], 3, 12) == [
        [[(0, 0, 3, 0), (2, 0, 1, 7)], [(1, 0, 8, 0)], [(1, 8, 10, 0)]],
    ]
    # Taller than a whole column: split over as many columns as it takes.
    assert layout([20], 2, 10) == [[[(0, 0, 6, 0)], [(0, 6, 13, 0)]], [[(0, 13, 20, 0)], []]]
    # A long ticket starts at the foot of a column when a few of its lines fit there.
    assert layout([1, 12], 1, 12, later=4) == [
        [[(0, 0, 1, 0), (1, 0, 3, 5)]],
        [[(1, 3, 11, 0)]],
        [[(1, 11, 12, 0)]],
    ]


def test_a_part_ends_only_where_its_ticket_may_break():
    # Body lines 0-1 a note, 2-5 an item with its modifiers, 6-9 another: breaks at 1, 2, 6.
    item = Box(4, 3, 10, breaks=(1, 2, 6))
    # Taller than a column: broken after the first item, not inside the second.
    assert layout_boxes([Box(4, 3, 5), item], 2, 12) == [
        [[(0, 0, 5, 0)], [(1, 0, 6, 0)]],
        [[(1, 6, 10, 0)], []],
    ]
    # Three lines free at the foot of every column would split the first item from its
    # modifiers: it starts on the next page instead (any line may break: it starts there).
    small = [Box(4, 3, 1)] * 3
    assert layout_boxes([*small, item], 3, 12)[1] == [[(3, 0, 6, 0)], [(3, 6, 10, 0)], []]
    assert layout_boxes([*small, Box(4, 3, 10)], 3, 12)[0][0] == [(0, 0, 1, 0), (3, 0, 3, 5)]
    # An item taller than a whole column is broken at the foot of an empty column.
    assert layout_boxes([Box(4, 3, 12, breaks=())], 2, 10) == [
        [[(0, 0, 6, 0)], [(0, 6, 12, 0)]],
    ]


def layout_boxes(boxes: list[Box], columns: int, height: int):
    pages = paginate(boxes, columns, height)
    return [[[(p.index, p.start, p.end, p.top) for p in col] for col in page] for page in pages]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(3, 8), st.integers(0, 40), st.none() | st.sets(st.integers(1, 39))),
        max_size=30,
    ),
    st.integers(1, 8),
    st.integers(10, 60),
)
def test_every_body_line_is_placed_once_in_order_and_within_its_column(
    tickets: list[tuple[int, int, set[int] | None]], columns: int, height: int
):
    boxes = [
        Box(
            chrome,
            max(2, chrome - 1),
            body,
            None if breaks is None else tuple(sorted(b for b in breaks if b < body)),
        )
        for chrome, body, breaks in tickets
    ]
    pages = paginate(boxes, columns, height)
    for page in pages:
        for column in page:
            for placed in column:
                box = boxes[placed.index]
                if box.breaks is not None and placed.end < box.body:
                    assert placed.end in box.breaks or placed.top == 0, "a break, or forced"
    seen: list[tuple[int, int, int]] = []
    for page in pages:
        where = {(p.index, p.start): (c, p) for c, column in enumerate(page) for p in column}
        for (index, start), (c, placed) in where.items():
            before = [
                (c2, p2)
                for (i, s), (c2, p2) in where.items()
                if i == index and p2.end == start and s < start
            ]
            if before:  # a later part on the same page: to the right, not above its start
                assert before[0][0] == c - 1 and placed.top >= before[0][1].top
        assert len(page) == columns
        for column in page:
            bottom = 0
            for placed in column:
                assert placed.top >= bottom, "parts in a column do not overlap"
                assert placed.top + placed.height <= height or placed.top == 0
                bottom = placed.top + placed.height
        order = sorted((p for column in page for p in column), key=lambda p: (p.index, p.start))
        seen += [(p.index, p.start, p.end) for p in order]
    seen.sort()
    for index, box in enumerate(boxes):
        parts = [(s, e) for i, s, e in seen if i == index]
        assert parts[0][0] == 0 and parts[-1][1] == box.body
        assert all(a[1] == b[0] for a, b in itertools.pairwise(parts))
