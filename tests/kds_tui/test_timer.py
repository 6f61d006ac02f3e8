"""The age timer redraws only its digits between seconds, and looks as if fully drawn."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from textual.geometry import Region
from textual.widget import Widget

from kds_tui import Settings, make_app
from kds_tui.widgets import timer as timer_module
from kds_tui.widgets.board import Board
from kds_tui.widgets.timer import AgeTimer
from tests.kds_tui.fakes import FROZEN, FakeFeed, kitchen_orders
from tests.support.client import wait_for


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = FROZEN

    def __call__(self) -> Any:
        return self.now


def drawn(timer: AgeTimer) -> list[Any]:
    """What the timer draws, and what Textual's own drawing would be."""
    crop = Region(0, 0, *timer.size)
    ours = timer.render_lines(crop)
    timer.refresh()  # forget the lines Textual keeps, as after any change
    full = Widget.render_lines(timer, crop)
    return [[(s.text, s.style) for s in strip] for strip in (*ours, *full)]


async def test_timer_digits_change_in_place_and_match_a_full_drawing(
    monkeypatch: pytest.MonkeyPatch,
):
    retexts: list[str] = []
    real_retext = timer_module._retext

    def retext(strip: Any, old: str, new: str) -> Any:
        retexts.append(new)
        return real_retext(strip, old, new)

    monkeypatch.setattr(timer_module, "_retext", retext)
    clock = Clock()
    app = make_app(Settings(), feed=FakeFeed(kitchen_orders()), clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: board.card(1) is not None, message="ticket 1")
        card = board.card(1)
        assert card is not None
        timer = card.query_one(AgeTimer)
        await pilot.pause()
        assert timer._drawn is not None, "the first drawing is kept"
        for seconds in (1, 2, 61):
            clock.now = FROZEN + timedelta(seconds=seconds)
            app._tick()
            await pilot.pause()
            retexts.clear()
            ours, full = drawn(timer)
            assert retexts, "the digits were put in place, not drawn the full way"
            assert ours == full
            assert ours[0][0].startswith(f"{(725 + seconds) // 60:02d}")

        # A new colour (the ticket selected) is drawn the full way, then kept again.
        board.selected_id = 1
        await pilot.pause()
        ours, full = drawn(timer)
        assert ours == full


async def test_a_timer_removed_with_its_ticket_draws_nothing_rather_than_failing():
    app = make_app(Settings(), feed=FakeFeed(kitchen_orders()), clock=Clock())
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: board.card(1) is not None, message="ticket 1")
        card = board.card(1)
        assert card is not None
        timer = card.query_one(AgeTimer)
        await pilot.pause()
        size = timer.size
        await timer.remove()
        # The compositor can still hold it for one frame, and asks it to draw.
        lines = timer.render_lines(Region(0, 0, *size))
        assert [strip.text for strip in lines] == [" " * size.width] * size.height
