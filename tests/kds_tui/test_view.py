"""A ticket's lines without a screen: in cells, wrapped never cut, allergens marked, edits."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, split_graphemes

from kds_contract.allergens import DEFAULT_ALLERGENS
from kds_tui.model import where_to, who
from kds_tui.view import TIMER_CELLS, TicketView, item_lines, ticket_view
from tests.kds_tui.fakes import kitchen_orders, order
from tests.kds_tui.test_text import KITCHEN_CHARS


def view_of(o, width: int = 22, station=None, **kwargs) -> TicketView:
    return ticket_view(o, station, width, allergens=DEFAULT_ALLERGENS, **kwargs)


def texts(lines) -> list[str]:
    return [line.text for line in lines]


def roles(lines) -> list[list[tuple[str, str]]]:
    return [list(line.pieces) for line in lines]


def words(lines) -> list[str]:
    return " ".join(texts(lines)).split()


def test_ticket_lines_read_without_colour():
    view = view_of(kitchen_orders()[0])
    assert texts(view.head) == ["#1 ○ NEW"]
    assert texts(view.meta) == ["Dine-in · T2"]
    assert texts(view.continued) == ["#1 · T2"]
    assert texts(view.body) == [
        "  2 Burger",
        "    + no onion",
        "    + extra cheese",
        "✓ 1 Fries",
        "grill …  fry ✓",
    ]
    assert view.allergy == () and view.chrome(True) == 4 and view.chrome(False) == 3


def test_wide_text_is_measured_in_cells_and_no_word_is_lost():
    o = order(
        9,
        table="9",
        items=[
            {"name": "宫保鸡丁 少辣 不要葱 花生严重过敏", "station": "wok"},
            {"name": "Burger 🍔🍔🍔🍔🍔 NO CHEESE", "quantity": 2, "station": "wok"},
            {"name": "Slow-Braised Heritage Pork Belly with Apple Cider Glaze and Crackling"},
            {"name": "Crème brûle\u0301e", "notes": "שלום עולם"},
        ],
    )
    for width in (12, 17, 21, 30):
        view = view_of(o, width)
        every = [*view.head, *view.meta, *view.body]
        assert all(cell_len(line.text) <= width for line in every), width
        # Every character of every name and note, in order (a word wider than the line is
        # broken between two characters, never cut).
        joined = "".join("".join(texts(view.body)).split())
        for item in o.items:
            assert "".join(item.name.split()) in joined, (item.name, width)
        assert "שלוםעולם" in joined
        shown = words(view.body)
        assert "NO" in shown and shown.index("NO") + 1 == shown.index("CHEESE")
        if width >= 17:  # room for every word: none is broken
            for item in o.items:
                assert all(word in shown for word in item.name.split()), width


def test_allergens_are_marked_and_other_notes_are_not():
    o = order(
        3,
        notes="Birthday candle",
        items=[{"name": "Pad thai", "modifiers": ["no peanuts", "extra lime"]}],
    )
    view = view_of(o)
    assert texts(view.body)[0] == "✎ Birthday candle"
    assert roles(view.body)[0] == [("✎ ", "order-note"), ("Birthday candle", "order-note")]
    assert texts(view.body)[2:] == ["    ⚠ no peanuts", "    + extra lime"]
    assert ("peanuts", "allergen") in roles(view.body)[2]
    assert ("    ⚠ ", "allergy-mark") in roles(view.body)[2]
    assert texts(view.allergy) == ["⚠ ALLERGY: PEANUTS"], "as written, on every part"

    sesame = view_of(order(4, items=[{"name": "Bun", "notes": "#SESAME ALLERGY"}]))
    assert texts(sesame.body)[1] == "    ⚠ #SESAME ALLERGY"
    assert ("SESAME", "allergen") in roles(sesame.body)[1]
    assert ("ALLERGY", "allergen") in roles(sesame.body)[1]

    severe = view_of(order(5, notes="SEVERE PEANUT ALLERGY"), 30)
    assert texts(severe.body)[0] == "⚠ SEVERE PEANUT ALLERGY"
    assert {role for _, role in severe.body[0].pieces} == {"allergy", "allergen"}

    chinese = view_of(order(6, items=[{"name": "宫保鸡丁", "modifiers": ["花生严重过敏"]}]))
    assert texts(chinese.allergy) == ["⚠ ALLERGY: 花生"]
    assert texts(chinese.body)[1] == "    ⚠ 花生严重过敏"
    kiwi = view_of(order(6, items=[{"name": "Pavlova", "notes": "猕猴桃过敏"}]))
    assert texts(kiwi.allergy) == ["⚠ ALLERGY"], "an allergy named in no word of the list"
    # ... is not hidden by one the list knows: NUTS is not all of it.
    both = order(6, notes="NO NUTS", items=[{"name": "Pavlova", "notes": "kiwi allergy"}])
    assert texts(view_of(both, 30).allergy) == ["⚠ ALLERGY: NUTS, OTHER"]


def test_an_allergy_in_a_dish_name_is_marked_but_a_dish_name_alone_is_not():
    view = view_of(order(1, table="9", items=[{"name": "宫保鸡丁 少辣 不要葱 花生严重过敏"}]), 30)
    assert texts(view.allergy) == ["⚠ ALLERGY: 花生"]
    assert ("过敏", "allergen") in [p for line in view.body for p in line.pieces]
    plain_dish = view_of(order(2, items=[{"name": "Peanut noodles"}, {"name": "Egg fried rice"}]))
    assert plain_dish.allergy == ()
    assert all(role != "allergen" for line in plain_dish.body for _, role in line.pieces)


def test_a_long_note_is_never_cut_and_its_allergy_comes_first():
    note = ("please cook this with care and do not rush it " * 20)[:978] + " SEVERE PEANUT ALLERGY"
    view = view_of(order(29, notes=note, table="4"), 20)
    assert texts(view.allergy) == ["⚠ ALLERGY: PEANUT"]
    assert view.chrome(True) == 2 + 1 + 1 + 1 and view.chrome(False) == 2 + 1 + 1
    notes = [line for line in view.body if line.pieces[-1][1] in ("allergy", "allergen")]
    kept = "".join(line.text[2:] + " " for line in notes)
    assert " ".join(kept.split()) == " ".join(note.split()), "every word of the note, in order"


def test_no_modifier_or_note_is_cut_even_on_a_compact_ticket():
    mods = [f"mod{n}" for n in range(1, 21)]
    note = "no sesame, " * 20 + "SHELLFISH ALLERGY"
    item = order(1, items=[{"name": "Bowl", "modifiers": mods, "notes": note}]).items[0]
    for compact in (True, False):
        lines = item_lines(item, 20, compact=compact, allergens=DEFAULT_ALLERGENS)
        text = " ".join(texts(lines))
        assert all(mod in text for mod in mods), f"compact={compact}"
        assert " ".join(text.split()).endswith("SHELLFISH ALLERGY")
        assert all(cell_len(line.text) <= 20 for line in lines)


def test_the_selected_ticket_marks_the_item_d_will_mark_done():
    view = view_of(kitchen_orders()[0], station="fry", mark_next=True)
    assert [line.pieces[-1][1] for line in view.body] == ["done"]
    view = view_of(kitchen_orders()[0], mark_next=True)
    assert texts(view.body)[0].startswith("▸")


def test_an_edit_shows_the_old_struck_and_the_new_marked():
    before = order(
        7,
        notes="no nuts",
        items=[{"name": "Burger"}, {"name": "Salad", "modifiers": ["no onion"]}, {"name": "Soup"}],
    )
    after = order(
        7,
        notes="SEVERE NUT ALLERGY",
        table="12",
        items=[
            {"name": "Burger"},
            {"name": "Salad", "quantity": 2, "modifiers": ["no onion"]},
            {"name": "Cake"},  # new id, as the server gives a new item
        ],
    ).model_copy(update={"version": 2})
    after.items[2].id = 799
    view = view_of(after, 30, before=before)
    assert view.modified
    assert texts(view.body) == [
        "⚠ SEVERE NUT ALLERGY",
        "✕ no nuts",
        "✕ Dine-in · T8",
        "  1 Burger",
        "✕ 1 Salad",
        "    + no onion",
        "✚ 2 Salad",
        "    + no onion",
        "✚ 1 Cake",
        "✕ 1 Soup",
    ]
    struck = [line for line in view.body if line.text.startswith("✕")]
    assert all(role == "removed" for line in struck for _, role in line.pieces)
    assert not view_of(after, 30).modified, "no edit to show once it has moved on"


# -- any text, any width: a ticket's lines keep every character, in cells -------------------

_text = st.lists(st.sampled_from(KITCHEN_CHARS), min_size=1, max_size=60).map("".join)
_name = _text.filter(lambda s: s.strip() != "")
_item = st.fixed_dictionaries(
    {"name": _name, "quantity": st.integers(1, 120)},
    optional={"modifiers": st.lists(_name, max_size=3), "notes": _name},
)


def _solid(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(_item, min_size=1, max_size=3),
    notes=st.none() | _name,
    table=st.none() | _name,
    width=st.integers(11, 40),  # a ticket is never narrower (see Board.relayout)
    compact=st.booleans(),
)
def test_a_ticket_keeps_every_character_of_its_text_in_order_within_its_width(
    items: list[dict[str, Any]], notes: str | None, table: str | None, width: int, compact: bool
):
    o = order(1, items=items, notes=notes, table=table)
    view = view_of(o, width, compact=compact)
    for part, room in (
        (view.head, width - TIMER_CELLS),
        (view.continued, width - TIMER_CELLS),
        (view.meta, width),
        (view.allergy, width),
        (view.body, width),
    ):
        for line in part:
            one_grapheme = len(split_graphemes(line.text.strip())[0]) <= 1
            assert cell_len(line.text) <= room or one_grapheme, (line.text, room)
    body = _solid(" ".join(texts(view.body)))
    kept = [o.notes, *(t for i in o.items for t in (i.name, *i.modifiers, i.notes))]
    for text in kept:
        if text:  # every character of it, in order, in one run (only line breaks between)
            assert _solid(text) in body, (text, width)
    assert _solid(who(o)) in _solid(" ".join(texts(view.meta)))
    assert _solid(where_to(o)) in _solid(" ".join(texts(view.continued))), "on every part"
