"""The board's rules without a screen: order, ticket lines, layout, all-day, edits."""

from __future__ import annotations

from kds_contract import Status
from kds_tui.model import (
    AgeThresholds,
    age_text,
    all_day,
    describe_edit,
    item_lines,
    paginate,
    station_progress,
    status_counts,
    ticket_view,
    visible_orders,
)
from tests.kds_tui.fakes import kitchen_orders, order


def test_rush_first_then_by_arrival_and_only_open_orders():
    orders = [
        order(1, age=100),
        order(2, age=300),
        order(3, age=10, priority="rush"),
        order(4, age=500, status="completed"),
        order(5, age=600, status="cancelled"),
    ]
    assert [o.id for o in visible_orders(orders, None)] == [3, 2, 1]


def test_a_station_sees_only_tickets_with_its_items():
    orders = kitchen_orders()
    # Order 4's burger is done: the grill's part is finished, so it left the grill's screen.
    assert [o.id for o in visible_orders(orders, "GRILL")] == [1, 5, 6]
    assert [o.id for o in visible_orders(orders, None)] == [3, 1, 2, 5, 4, 6]
    assert [o.id for o in visible_orders(orders, "wok")] == [3]
    assert visible_orders(orders, "pastry") == []


def test_age_colours_and_timer():
    thresholds = AgeThresholds(warn=300, late=600)
    assert [thresholds.level(a) for a in (0, 299, 300, 599, 600)] == [
        "fresh",
        "fresh",
        "warn",
        "warn",
        "late",
    ]
    assert age_text(0) == "00:00"
    assert age_text(65.9) == "01:05"
    assert age_text(3 * 3600) == "180:00"


def test_ticket_lines_read_without_colour():
    view = ticket_view(kitchen_orders()[0], None, 22)
    assert view.head == "#1 ○ NEW"
    assert view.meta == "Dine-in · T2"
    assert [(line.text, line.kind) for line in view.items] == [
        ("  2 Burger", "item"),
        ("    + no onion", "modifier"),
        ("    + extra cheese", "modifier"),
        ("✓ 1 Fries", "done"),
    ]
    assert view.stations == ("grill …  fry ✓",)
    assert view.height == 4 + 4 + 1


def test_notes_come_first_in_full_and_a_long_ticket_is_never_cut():
    long = order(
        9,
        notes="severe peanut allergy, no nuts anywhere near this order please " * 3,
        items=[{"name": f"Dish {n}", "modifiers": ["a", "b"]} for n in range(30)],
    )
    view = ticket_view(long, None, 20)
    assert view.notes[0].startswith("⚠ severe peanut") and view.notes[-1].endswith("please")
    assert " ".join(view.notes).count("peanut") == 3
    assert len(view.items) == 90 and view.body == len(view.notes) + 90
    notes = len(view.notes)
    assert view.part(0, notes + 1) == (view.notes, view.items[:1], ())
    assert view.part(notes + 1, notes + 3) == ((), view.items[1:3], ())
    assert all(len(line.text) <= 20 for line in view.items)
    compact = ticket_view(long, None, 20, compact=True)
    assert compact.items[1].text == "    + a, b" and len(compact.items) == 60
    assert compact.notes == view.notes, "allergies are never shortened to save room"


def test_the_selected_ticket_marks_the_item_d_will_mark_done():
    view = ticket_view(kitchen_orders()[0], "fry", 22, mark_next=True)
    assert [line.kind for line in view.items] == ["done"]
    view = ticket_view(kitchen_orders()[0], None, 22, mark_next=True)
    assert view.items[0].text.startswith("▸")


def layout(bodies: list[int], columns: int, height: int) -> list[list[list[tuple[int, int, int]]]]:
    pages = paginate(bodies, columns, height)
    return [[[(p.index, p.start, p.end) for p in col] for col in page] for page in pages]


def test_tickets_fill_the_shortest_column_then_a_new_page():
    # Bodies of 1, 2, 2 lines (heights 5, 6, 6) in two columns of 12 lines.
    assert layout([1, 2, 2], 2, 12) == [[[(0, 0, 1), (2, 0, 2)], [(1, 0, 2)]]]
    # A ticket that fits nowhere on the page, and has no room to start, opens a new page.
    assert layout([6, 6, 6], 2, 12) == [[[(0, 0, 6)], [(1, 0, 6)]], [[(2, 0, 6)], []]]
    assert layout([], 3, 10) == [[[], [], []]]


def test_a_long_ticket_carries_on_in_the_next_column():
    # 4 + 3 lines fill column 0 to 7 of 12: ticket 1 (10 body lines) starts in column 1
    # and carries on to its right: on the next page when there is no column to its right.
    assert layout([3, 10], 2, 12) == [[[(0, 0, 3)], [(1, 0, 8)]], [[(1, 8, 10)], []]]
    assert layout([3, 10, 1], 3, 12) == [[[(0, 0, 3)], [(1, 0, 8)], [(1, 8, 10), (2, 0, 1)]]]
    # Taller than a whole column: split over as many columns as it takes.
    assert layout([20], 2, 10) == [[[(0, 0, 6)], [(0, 6, 13)]], [[(0, 13, 20)], []]]


def test_all_day_counts_what_is_still_to_make():
    counts = dict(all_day(kitchen_orders(), None))
    # #1: 2 burgers (fries done); #5: 3 burgers, 3 fries; #4 is ready: not counted.
    assert counts["Burger"] == 5 and counts["Fries"] == 3
    assert dict(all_day(kitchen_orders(), "fry")) == {"Spring rolls": 3, "Fries": 3}


def test_counts_and_station_progress():
    orders = kitchen_orders()
    assert status_counts(orders) == {Status.PENDING: 4, Status.PREPARING: 1, Status.READY: 1}
    assert station_progress(orders[0]) == [("grill", False), ("fry", True)]


def test_what_an_edit_changed():
    before = order(1, items=[{"name": "Burger"}, {"name": "Salad"}])
    after = order(
        1,
        items=[{"name": "Burger", "quantity": 2}, {"name": "Salad"}],
        notes="no nuts",
        priority="rush",
    )
    assert describe_edit(before, after) == [
        "+ 2× Burger",  # noqa: RUF001
        "− 1× Burger",  # noqa: RUF001
        "notes: no nuts",
        "now RUSH",
    ]
    done = order(1, items=[{"name": "Burger", "done": True}, {"name": "Salad"}])
    assert describe_edit(before, done) == []


def test_long_names_and_modifiers_wrap_rather_than_lose_words():
    steak = order(
        1,
        items=[
            {
                "name": "Sweet Potato Fries",
                "modifiers": ["rare", "peppercorn sauce"],
                "notes": "cut in half please",
            }
        ],
    )
    view = ticket_view(steak, None, 16, compact=True)
    assert [line.text for line in view.items] == [
        "  1 Sweet Potato",
        "    Fries",
        "    + rare,",
        "      peppercorn",
        "      sauce",
        "    » cut in",
        "      half",
        "      please",
    ]
    assert [line.kind for line in view.items][:2] == ["item", "item"]
    assert all(len(line.text) <= 16 for line in view.items)


def test_all_day_reads_numbers_in_names_as_numbers():
    orders = [order(n, items=[{"name": f"Dish {n}"}]) for n in (10, 2, 1)]
    assert [name for name, _ in all_day(orders, None)] == ["Dish 1", "Dish 2", "Dish 10"]


def test_no_modifier_or_note_is_cut_even_on_a_compact_ticket():
    mods = [f"mod{n}" for n in range(1, 21)]
    note = "no sesame, " * 20 + "SHELLFISH ALLERGY"
    item = order(1, items=[{"name": "Bowl", "modifiers": mods, "notes": note}]).items[0]
    for compact in (True, False):
        text = " ".join(line.text for line in item_lines(item, 20, marker=" ", compact=compact))
        assert all(mod in text for mod in mods), f"compact={compact}"
        assert " ".join(text.split()).endswith("SHELLFISH ALLERGY")
