"""Items as lines of text (``kds-order --item``, the console's order form), and back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kds_client.item_text import (
    ItemLineError,
    format_item,
    parse_line,
    rough_duration,
    station_in_notes,
)
from kds_contract import Item


@pytest.mark.parametrize(
    ("line", "item"),
    [
        ("Burger", {"name": "Burger", "quantity": 1, "modifiers": []}),
        ("2x Burger", {"name": "Burger", "quantity": 2, "modifiers": []}),
        (
            "3 Fish tacos +no onion +extra lime @grill # nut allergy",
            {
                "name": "Fish tacos",
                "quantity": 3,
                "modifiers": ["no onion", "extra lime"],
                "station": "grill",
                "notes": "nut allergy",
            },
        ),
        (
            "3 x Onion Rings +ranch dip @fry #well done",
            {
                "name": "Onion Rings",
                "quantity": 3,
                "modifiers": ["ranch dip"],
                "station": "fry",
                "notes": "well done",
            },
        ),
        ("0x Soup", {"name": "Soup", "quantity": 0, "modifiers": []}),  # the contract refuses it
        ("1x 7 Up", {"name": "7 Up", "quantity": 1, "modifiers": []}),
        ("1x -1x Burger", {"name": "-1x Burger", "quantity": 1, "modifiers": []}),
        (
            r"Fish \+ Chips @fry",
            {"name": "Fish + Chips", "quantity": 1, "modifiers": [], "station": "fry"},
        ),
        (r"Combo \#2", {"name": "Combo #2", "quantity": 1, "modifiers": []}),
        (
            "Salad @cold line",
            {"name": "Salad", "quantity": 1, "modifiers": [], "station": "cold line"},
        ),
        ("C++ wrap +x#y", {"name": "C++ wrap", "quantity": 1, "modifiers": ["x#y"]}),
        (
            r"Soup # hot\nno + salt",
            {"name": "Soup", "quantity": 1, "modifiers": [], "notes": "hot\nno + salt"},
        ),
        (
            r"Soup # ask \@ann, call @ 7",
            {"name": "Soup", "quantity": 1, "modifiers": [], "notes": "ask @ann, call @ 7"},
        ),
        (
            r"Fries # crispy \#2",
            {"name": "Fries", "quantity": 1, "modifiers": [], "notes": "crispy #2"},
        ),
    ],
)
def test_item_lines(line: str, item: dict) -> None:
    assert parse_line(line) == item


@pytest.mark.parametrize(("line", "words"), [("2x", "1x 2x"), ("7", "1x 7"), ("+onion", r"\+")])
def test_a_line_without_a_name_is_refused_saying_how_to_write_one(line: str, words: str) -> None:
    with pytest.raises(ItemLineError) as refused:
        parse_line(line)
    assert refused.value.field == "name"
    assert words in refused.value.message
    assert refused.value.problem == "it has no name"


@pytest.mark.parametrize(
    ("line", "stray"),
    [
        ("Ribeye # no salt @grill", "@grill"),
        ("Ribeye @grill # no salt", None),
        (r"Soup # ask \@ann", None),
        ("Soup # call @ 7", None),
        (r"Soup # hot\n@grill", None),  # after a line break in the notes: not where it goes
    ],
)
def test_a_station_written_after_the_notes_is_found(line: str, stray: str | None) -> None:
    assert station_in_notes(line) == stray


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("-1x Burger", "quantity", "at least 1"),
        ("Burger +", "modifiers", "+ needs a modifier after it"),
        ("Burger @ # hot", "station", "@ needs a station after it"),
        ("Burger #", "notes", "# needs a note after it"),
        ("Burger @grill @fry", "station", r"only one a line; write \@ to keep a @ as text"),
        ("Fries # crispy #salty", "notes", r"only one a line; write \# to keep a # as text"),
    ],
)
def test_typos_are_refused_naming_the_field(line: str, field: str, message: str) -> None:
    with pytest.raises(ItemLineError) as refused:
        parse_line(line)
    assert (refused.value.field, refused.value.message) == (field, message)


# Mostly the characters the syntax gives a meaning to, so that every rule is tried.
_char = st.sampled_from(" +@#\\x7n") | st.characters(blacklist_categories=("Cc", "Cs"))
_text = st.text(_char, min_size=1, max_size=12).map(str.strip).filter(bool)


@given(
    name=_text,
    quantity=st.integers(1, 99),
    modifiers=st.lists(_text, max_size=3),
    station=st.none() | _text,
    notes=st.none() | st.lists(_text, min_size=1, max_size=3).map("\n".join),
)
def test_every_item_reads_back_from_its_line(name, quantity, modifiers, station, notes) -> None:
    item = Item(
        id=1, name=name, quantity=quantity, modifiers=modifiers, station=station, notes=notes
    )
    parsed = parse_line(format_item(item))
    assert parsed == {
        "name": name,
        "quantity": quantity,
        "modifiers": modifiers,
        **({"station": station} if station else {}),
        **({"notes": notes} if notes else {}),
    }


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(0, "0 s"), (89, "89 s"), (90, "2 min"), (89 * 60, "89 min"), (90 * 60, "1.5 h")],
)
def test_a_rough_duration_is_seconds_then_minutes_then_hours(seconds: float, said: str) -> None:
    assert rough_duration(seconds) == said
