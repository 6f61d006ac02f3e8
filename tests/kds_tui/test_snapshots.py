"""How the display looks, fixed at 80x24 to 200x60, with the clock and timers frozen."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from kds_contract import ORDER_UPDATED
from kds_tui import KitchenApp, Settings, make_app
from tests.kds_tui.fakes import FakeFeed, frozen_clock, kitchen_orders, order
from tests.kds_tui.scripts import every_script, sixty_items

SMALL = (80, 24)
LARGE = (160, 48)
SIZES = [(80, 24), (120, 40), (200, 60)]


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


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_script(snap_compare: Any, size: tuple[int, int]) -> None:
    """Chinese, emoji, combining accents, Hebrew, Arabic, long names and notes: all of it."""
    assert snap_compare(display(every_script()), terminal_size=size, run_before=settle)


def test_every_part_of_a_long_ticket_says_whose_it_is(snap_compare: Any) -> None:
    async def second_page(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)

    app = display([*kitchen_orders(), sixty_items()])
    assert snap_compare(app, terminal_size=SMALL, run_before=second_page)


def test_an_edit_is_marked_until_the_ticket_moves_on(snap_compare: Any) -> None:
    before = order(7, age=30, items=[{"name": "Burger"}, {"name": "Salad"}])
    after = order(
        7,
        age=30,
        notes="NO NUTS: nut allergy",
        items=[{"name": "Burger", "quantity": 2}, {"name": "Salad"}],
    ).model_copy(update={"version": 2})
    app = display([*kitchen_orders(), before])

    async def edit(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app.feed.emit(ORDER_UPDATED, after)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=edit)


def test_a_mistyped_station_is_said(snap_compare: Any) -> None:
    assert snap_compare(display(station="grilll"), terminal_size=SMALL, run_before=settle)
