"""The board on its own (no server): selection keys, paging, long tickets, literal text."""

from __future__ import annotations

from kds_contract import ORDER_UPDATED
from kds_tui import Settings, make_app
from kds_tui.widgets.board import Board
from tests.kds_tui.fakes import FakeFeed, frozen_clock, kitchen_orders, order
from tests.support.client import wait_for


async def test_arrow_keys_move_across_columns_and_down_columns():
    app = make_app(Settings(), feed=FakeFeed(kitchen_orders()), clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: board.selected_id == 1, message="the oldest selected")
        # Board order: 3 (rush), 1, 2 across the top; 5, 4, 6 below.
        moves = {"l": 2, "j": 6, "h": 4, "k": 1, "left": 3, "down": 5}
        for key, expected in moves.items():
            await pilot.press(key)
            assert board.selected_id == expected, f"after {key}"


async def test_a_long_ticket_pages_and_keys_reach_its_continuation():
    long = order(
        7, age=30, items=[{"name": f"Tapas {n}", "modifiers": ["spicy"]} for n in range(15)]
    )
    app = make_app(Settings(), feed=FakeFeed([*kitchen_orders(), long]), clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: board.card(7) is not None, message="the long ticket")
        first = board.card(7)
        assert first.part[0] == 0 and first.part[1] < first.view.body
        assert "more ↓" in str(first.border_subtitle)
        await pilot.press("n")
        await wait_for(lambda: board.page == 1, message="page 2")
        rest = board.card(7)
        assert rest is not None and rest.part[0] == first.part[1]
        assert rest.has_class("-continued")
        await pilot.press("p")
        await wait_for(lambda: board.page == 0, message="back to page 1")


async def test_text_from_the_till_is_shown_as_typed():
    odd = order(1, notes="[b]no[/b] nuts", items=[{"name": "Fish [large]", "modifiers": ["[i]"]}])
    feed = FakeFeed([odd])
    app = make_app(Settings(), feed=feed, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: board.card(1) is not None, message="the ticket")
        await pilot.pause()
        card = board.card(1)
        assert card.query_one(".notes").visual.plain == "⚠ [b]no[/b] nuts"
        assert card.query_one(".items").visual.plain == "▸ 1 Fish [large]\n    + [i]"

        feed.emit(ORDER_UPDATED, odd.model_copy(update={"version": 2, "notes": "[u]x"}))
        await wait_for(lambda: board.card(1).order.version == 2, message="the edit")
        await pilot.pause()
        assert board.card(1).query_one(".notes").visual.plain == "⚠ [u]x"
