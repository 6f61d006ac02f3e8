"""How the display looks, fixed at 80x24 and 160x48, with the clock and timers frozen."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from kds_tui import KitchenApp, Settings, make_app
from tests.kds_tui.fakes import FakeFeed, frozen_clock, kitchen_orders, order

SMALL = (80, 24)
LARGE = (160, 48)


def display(orders: list[Any] | None = None, *, state: str = "live", **settings: Any) -> KitchenApp:
    feed = FakeFeed(kitchen_orders() if orders is None else orders, state=state)
    return make_app(Settings(**settings), feed=feed, clock=frozen_clock)


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def lunch_rush(count: int) -> list[Any]:
    return kitchen_orders() + [
        order(n, age=n * 11, items=[{"name": f"Dish {n % 7}", "quantity": n % 3 + 1}])
        for n in range(7, count + 1)
    ]


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "160x48"])
def test_expo_board(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(display(), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "160x48"])
def test_a_full_board_pages(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(display(lunch_rush(60)), terminal_size=size, run_before=settle)


def test_station_view(snap_compare: Any) -> None:
    assert snap_compare(display(station="grill"), terminal_size=SMALL, run_before=settle)


def test_all_day_panel(snap_compare: Any) -> None:
    assert snap_compare(display(), terminal_size=SMALL, press=["a"], run_before=settle)


def test_help_screen(snap_compare: Any) -> None:
    assert snap_compare(display(), terminal_size=SMALL, press=["question_mark"], run_before=settle)


def test_offline_board_is_marked_stale(snap_compare: Any) -> None:
    assert snap_compare(display(state="offline"), terminal_size=SMALL, run_before=settle)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "160x48"])
def test_pickup_board(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(display(lunch_rush(30), pickup=True), terminal_size=size, run_before=settle)


def test_empty_board(snap_compare: Any) -> None:
    assert snap_compare(display([]), terminal_size=SMALL, run_before=settle)


def test_a_long_ticket_carries_on_in_the_next_column(snap_compare: Any) -> None:
    long = order(
        7,
        age=30,
        notes="Shellfish allergy: clean the grill first",
        items=[{"name": f"Tapas {n}", "modifiers": ["spicy"] * (n % 2)} for n in range(1, 16)],
    )
    assert snap_compare(display([*kitchen_orders(), long]), terminal_size=SMALL, run_before=settle)
