"""300 open tickets stay smooth: one event touches one ticket, a tick touches only timers.

What is counted here is work done (cards built, redrawn, layouts); how long it takes is
measured by `python -m bench display`, never asserted in a test (a busy machine is slow)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from textual.widget import Widget

from kds_contract import ORDER_CREATED, ORDER_STATUS_UPDATED, Status
from kds_tui import Settings, make_app
from kds_tui.widgets.board import Board
from kds_tui.widgets.header import KitchenHeader
from kds_tui.widgets.ticket import TicketCard
from kds_tui.widgets.timer import AgeTimer
from tests.kds_tui.fakes import FROZEN, FakeFeed, order
from tests.support.client import wait_for


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = FROZEN

    def __call__(self) -> Any:
        return self.now


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Which tickets were built and redrawn; board layouts; layouts the board or header asked."""
    calls: dict[str, list[Any]] = {"built": [], "shown": [], "relayout": [], "layout asked": []}
    real_init, real_show = TicketCard.__init__, TicketCard.show
    real_relayout, real_refresh = Board.relayout, Widget.refresh

    def relayout(self: Board) -> None:
        calls["relayout"].append(1)
        real_relayout(self)

    def refresh(self: Widget, *args: Any, layout: bool = False, **kwargs: Any) -> Widget:
        # A layout of the screen, asked by a ticket or the header (not a notice popping up).
        if layout and any(isinstance(n, (Board, KitchenHeader)) for n in self.ancestors_with_self):
            calls["layout asked"].append(type(self).__name__)
        return real_refresh(self, *args, layout=layout, **kwargs)

    def init(self: TicketCard, order: Any, *args: Any, **kwargs: Any) -> None:
        calls["built"].append(order.id)
        real_init(self, order, *args, **kwargs)

    def show(self: TicketCard, order: Any, *args: Any, **kwargs: Any) -> None:
        calls["shown"].append(order.id)
        real_show(self, order, *args, **kwargs)

    monkeypatch.setattr(TicketCard, "__init__", init)
    monkeypatch.setattr(TicketCard, "show", show)
    monkeypatch.setattr(Board, "relayout", relayout)
    monkeypatch.setattr(Widget, "refresh", refresh)
    return calls


def clear(calls: dict[str, list[Any]]) -> None:
    for seen in calls.values():
        seen.clear()


async def test_300_tickets(counted: dict[str, list[Any]]):
    orders = [order(n, age=3600 - n * 10, items=[{"name": f"Dish {n % 9}"}]) for n in range(1, 301)]
    feed, clock = FakeFeed(orders), Clock()
    app = make_app(Settings(), feed=feed, clock=clock)
    async with app.run_test(size=(200, 60)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: len(board.query(TicketCard)) > 20, message="a full first page")
        assert len(board.shown()) == 300
        on_screen = [o.id for o in board.on_page()]
        assert len(counted["built"]) == len(on_screen), "only the page on screen is built"

        # A tick: every timer moves on, no ticket is rebuilt or redrawn, nothing laid out.
        await pilot.pause()
        clear(counted)
        clock.now = FROZEN + timedelta(seconds=5)  # the feed health stays as wide
        app._tick()
        await pilot.pause()
        timer = board.card(on_screen[0]).query_one(AgeTimer)
        assert timer.seconds == 3600 - on_screen[0] * 10 + 5
        assert not any(counted.values()), counted

        # One status move: one ticket redrawn in place; nothing built, nothing laid out.
        target = next(o for o in orders if o.id == on_screen[3])
        moved = target.model_copy(update={"status": Status.PREPARING, "version": 2})
        feed.emit(ORDER_STATUS_UPDATED, moved)
        await wait_for(lambda: board.card(target.id).order.status == "preparing", message="moved")
        await pilot.pause()
        assert counted["built"] == [] and counted["relayout"] == []
        assert counted["layout asked"] == []
        assert set(counted["shown"]) == {target.id}

        # A new order lands at the end: the page on screen is left alone.
        feed.emit(ORDER_CREATED, order(301, age=1))
        await wait_for(lambda: len(board.shown()) == 301, message="the new order")
        await pilot.pause()
        assert counted["built"] == [] and set(counted["shown"]) == {target.id}
        assert counted["relayout"], "a new ticket lays the board out"
