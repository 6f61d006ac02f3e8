"""Arrow keys on a laid-out board, and what a change made elsewhere is announced with."""

from __future__ import annotations

from kds_contract import ORDER_CREATED, ORDER_DELETED, ORDER_STATUS_UPDATED, ORDER_UPDATED
from kds_tui.alerts import alert_for
from kds_tui.navigation import Slot, move, page_step
from tests.kds_tui.fakes import order

# Page 0: column 0 holds 1 (5 lines) over 3; column 1 holds 2 (tall) and the start of 4;
# page 1: the rest of 4, then 5.
PAGES = [
    [[Slot(1, 0, 1, 0, 5), Slot(3, 0, 1, 5, 5)], [Slot(2, 0, 6, 0, 10), Slot(4, 0, 3, 10, 7)]],
    [[Slot(4, 3, 8, 0, 8)], [Slot(5, 0, 1, 0, 5)]],
]


def test_up_and_down_stay_in_the_column_then_turn_the_page():
    assert move(PAGES, 0, 1, "down") == (0, 3)
    assert move(PAGES, 0, 3, "up") == (0, 1)
    assert move(PAGES, 0, 3, "down") == (1, 4)
    assert move(PAGES, 1, 4, "up") == (0, 1)
    assert move(PAGES, 0, 1, "up") is None


def test_left_and_right_go_to_the_ticket_level_with_this_one():
    assert move(PAGES, 0, 1, "right") == (0, 2)
    assert move(PAGES, 0, 3, "right") == (0, 2), "3 starts on line 5, beside 2 (lines 0-9)"
    assert move(PAGES, 0, 2, "left") == (0, 1)
    assert move(PAGES, 0, 4, "right") == (1, 5), "the rest of 4 is skipped"
    assert move(PAGES, 1, 5, "left") == (1, 4), "the rest of 4 is on this page"
    assert move(PAGES, 1, 5, "right") is None


def test_paging():
    assert page_step(PAGES, 0, 1) == (1, 4)
    assert page_step(PAGES, 1, 1) is None
    assert page_step(PAGES, 1, -1) == (0, 1)


def test_alerts():
    burger = order(1, items=[{"name": "Burger"}])
    new = alert_for(ORDER_CREATED, burger, None)
    assert new is not None and new.ring and new.highlight and not new.message

    cancelled = alert_for(ORDER_STATUS_UPDATED, order(1, status="cancelled"), burger)
    assert cancelled is not None and cancelled.ring and cancelled.message == "#1 CANCELLED"

    moved = alert_for(ORDER_STATUS_UPDATED, order(1, status="ready"), burger)
    assert moved is not None and not moved.ring and moved.message == "#1 is now ● READY"

    edited = alert_for(ORDER_UPDATED, order(1, items=[{"name": "Salad"}]), burger)
    assert edited is not None and edited.ring and edited.title == "#1 changed"
    assert edited.message == "+ 1× Salad · − 1× Burger"  # noqa: RUF001

    ticked = alert_for(ORDER_UPDATED, order(1, items=[{"name": "Burger", "done": True}]), burger)
    assert ticked is not None and not ticked.ring and ticked.message == "#1: Burger done"

    assert alert_for(ORDER_DELETED, burger, burger) is None
