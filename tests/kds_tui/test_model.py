"""The board's rules without a screen: order, ages, all-day, edits, stations, connection."""

from __future__ import annotations

from kds_contract import Status
from kds_contract.allergens import DEFAULT_ALLERGENS
from kds_tui.model import (
    AgeThresholds,
    AllDay,
    age_text,
    all_day,
    connection_word,
    describe_edit,
    known_stations,
    station_progress,
    station_warning,
    status_counts,
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


def test_all_day_counts_what_is_still_to_make():
    counts = {row.name: row.count for row in all_day(kitchen_orders(), None)}
    # #1: 2 burgers (fries done); #5: 3 burgers, 3 fries; #4 is ready: not counted.
    assert counts["Burger"] == 5 and counts["Fries"] == 3
    assert {r.name: r.count for r in all_day(kitchen_orders(), "fry")} == {
        "Spring rolls": 3,
        "Fries": 3,
    }


def test_all_day_counts_the_items_for_an_allergy():
    orders = [
        order(1, notes="PEANUT ALLERGY", items=[{"name": "Pad thai", "quantity": 2}]),
        order(2, items=[{"name": "Pad thai", "modifiers": ["no sesame"]}]),
        order(3, items=[{"name": "Pad thai", "notes": "Birthday candle"}, {"name": "Rice"}]),
    ]
    assert all_day(orders, None, DEFAULT_ALLERGENS) == [
        AllDay("Pad thai", 4, 3),
        AllDay("Rice", 1, 0),
    ]


def test_all_day_reads_numbers_in_names_as_numbers():
    orders = [order(n, items=[{"name": f"Dish {n}"}]) for n in (10, 2, 1)]
    assert [row.name for row in all_day(orders, None)] == ["Dish 1", "Dish 2", "Dish 10"]


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


def test_the_stations_the_server_knows_and_a_mistyped_one():
    orders = kitchen_orders()
    assert known_stations(orders) == ["cold", "fry", "grill", "wok"]
    menu = known_stations(orders, ["Pastry", "GRILL"])
    assert menu == ["cold", "fry", "GRILL", "Pastry", "wok"], "spelt as on the menu"
    assert station_warning("grill", known_stations(orders)) is None
    assert station_warning("GRILL", known_stations(orders)) is None, "case does not matter"
    assert station_warning(None, known_stations(orders)) is None, "the expo view"
    assert station_warning("grilll", []) is None, "nothing known yet to tell"
    warning = station_warning("grilll", known_stations(orders))
    assert warning is not None
    assert "NO STATION CALLED 'grilll'" in warning
    assert "cold, fry, grill, wok" in warning and "Did you mean grill?" in warning
    assert "Did you mean" not in (station_warning("bar", known_stations(orders)) or "")


def test_one_word_for_one_state_of_the_connection():
    assert connection_word("live", refused=False, ever_live=True) == "LIVE"
    for state in ("connecting", "reconnecting", "offline"):
        assert connection_word(state, refused=False, ever_live=True) == "OFFLINE"
        assert connection_word(state, refused=False, ever_live=False) == "NOT CONNECTED YET"
        assert connection_word(state, refused=True, ever_live=True) == "NOT ALLOWED"
