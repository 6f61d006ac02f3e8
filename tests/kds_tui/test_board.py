"""The board on its own (no server): selection keys, paging, long tickets, literal text."""

from __future__ import annotations

import pytest

from kds_contract import ORDER_CREATED, ORDER_STATUS_UPDATED, ORDER_UPDATED, Status, forward
from kds_tui import Settings, make_app
from kds_tui.widgets import board_keys
from kds_tui.widgets.allday import AllDayPanel
from kds_tui.widgets.board import Board
from kds_tui.widgets.header import KitchenHeader, PageIndicator
from kds_tui.widgets.help import HelpScreen
from tests.kds_tui.fakes import FakeFeed, frozen_clock, kitchen_orders, order
from tests.kds_tui.helpers import card_lines, screen_lines
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
        await pilot.pause()
        first = board.card(7)
        assert first.part[0] == 0 and first.part[1] < len(first.view.body)
        assert first.more and "more ↓" in card_lines(board, 7)[-1]
        await pilot.press("n")
        await wait_for(lambda: board.page == 1, message="page 2")
        await pilot.pause()
        rest = board.card(7)
        assert rest is not None and rest.part[0] == first.part[1]
        assert rest.continued and "↳ cont." in card_lines(board, 7)[0]
        assert card_lines(board, 7)[1][2:].startswith("#7 · T8 "), "its number and table"
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
        lines = card_lines(board, 1)
        assert "║ ⚠ [b]no[/b] nuts" in lines[4]
        assert "║ ▸ 1 Fish [large]" in lines[5] and "║     + [i]" in lines[6]

        feed.emit(ORDER_UPDATED, odd.model_copy(update={"version": 2, "notes": "[u]x"}))
        await wait_for(lambda: board.card(1).order.version == 2, message="the edit")
        await pilot.pause()
        assert "║ ✎ [u]x" in card_lines(board, 1)[3]


@pytest.mark.parametrize("bell", [True, False])
async def test_a_new_order_rings_unless_the_bell_is_off(bell: bool):
    feed = FakeFeed(kitchen_orders())
    app = make_app(Settings(bell=bell), feed=feed, clock=frozen_clock)
    rung: list[int] = []
    app.bell = lambda: rung.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)):
        board = app.query_one(Board)
        feed.emit(ORDER_CREATED, order(50, age=1))
        # Alerts go out in batches: wait until this one has gone out (or not).
        await wait_for(
            lambda: board.get(50) is not None and not app._flush_due, message="the alert"
        )
        assert rung == ([1] if bell else [])


async def test_many_tickets_page_at_80x24():
    orders = [order(n, age=1000 - n, items=[{"name": f"Dish {n}"}]) for n in range(1, 21)]
    app = make_app(Settings(), feed=FakeFeed(orders), clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.query_one(Board)
        indicator = app.query_one(PageIndicator)
        await wait_for(lambda: len(board.shown()) == 20, message="all orders")
        first_page = [o.id for o in board.on_page()]
        assert 1 in first_page and len(first_page) < 20
        await wait_for(lambda: indicator.display, message="a page indicator")
        await pilot.press("pagedown")
        await wait_for(lambda: board.page == 1, message="page 2")
        assert not set(first_page) & {o.id for o in board.on_page()}
        await wait_for(lambda: indicator.render().startswith("page 2/"), message="2/n")


async def test_a_burst_of_changes_rings_once_and_reads_as_one_notice():
    feed = FakeFeed(kitchen_orders())
    app = make_app(Settings(), feed=feed, clock=frozen_clock)
    rung: list[int] = []
    said: list[str] = []
    app.bell = lambda: rung.append(1)  # type: ignore[method-assign]
    app.notify = lambda message, **_: said.append(message)  # type: ignore[method-assign,assignment]
    async with app.run_test(size=(80, 24)):
        board = app.query_one(Board)
        for n in range(50, 55):
            feed.emit(ORDER_CREATED, order(n, age=1))
        for n in range(50, 55):
            moved = order(n, age=1, status="preparing").model_copy(update={"version": 2})
            feed.emit(ORDER_STATUS_UPDATED, moved)
        await wait_for(lambda: bool(rung) and len(said) == 2, message="the bell and the notices")
        assert rung == [1]
        off = next(n for n in range(50, 55) if board.page_of(n) != board.page)
        assert sorted(said) == [  # the batch, and where the first new order off the page is
            "#50 is now ◐ COOKING · #51 is now ◐ COOKING · #52 is now ◐ COOKING · … and 2 more",
            f"New order #{off} is on page {board.page_of(off) + 1}: press g to see it",
        ]
        assert board.get(54).status == "preparing"


async def test_a_click_selects_a_ticket():
    app = make_app(Settings(), feed=FakeFeed(kitchen_orders()), clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: board.card(6) is not None and board.selected_id == 1, message="")
        await pilot.pause()
        column = next(c for c in board.columns() if board.card(6) in c.cards)
        assert await pilot.click(column, offset=(3, board.card(6).top + 2))
        await wait_for(lambda: board.selected_id == 6, message="ticket 6 selected")


async def test_the_all_day_panel_says_how_many_items_did_not_fit():
    orders = [order(n, items=[{"name": f"Dish {n}"}]) for n in range(1, 41)]
    app = make_app(Settings(), feed=FakeFeed(orders), clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        panel = app.query_one(AllDayPanel)
        await wait_for(lambda: panel.display and panel.size.height > 0, message="the panel")
        await pilot.pause()
        lines = panel.query_one(".counts").visual.plain.splitlines()
        assert len(lines) == panel.size.height, "as many lines as fit, no more"
        assert lines[0] == "  1 Dish 1" and lines[1] == "  1 Dish 2"
        assert lines[-1] == f"… and {40 - len(lines) + 1} more"


async def test_the_pickup_board_offline_shows_customers_no_kitchen_figures_or_keys():
    feed = FakeFeed(kitchen_orders(), state="offline")
    app = make_app(Settings(pickup=True), feed=feed, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        header = app.query_one(KitchenHeader)
        await wait_for(lambda: header.display and header.badge.display, message="the state")
        assert not header.counts.display and not header.query_one(".station").display
        assert not header.health.display
        await pilot.pause()
        top = screen_lines(app)[0]
        assert "Updating…" in top and "ffline" not in top and "retry" not in top, top
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen), "no kitchen key help for customers"


async def test_a_key_pressed_just_as_another_screen_moved_the_tickets_is_held_once(
    monkeypatch: pytest.MonkeyPatch,
):
    # However slow this machine: the press below counts as "just after" the change.
    monkeypatch.setattr(board_keys, "HOLD_KEYS_S", 60.0)
    feed = FakeFeed(kitchen_orders())
    app = make_app(Settings(), feed=feed, clock=frozen_clock)
    asked: list[tuple[int, Status]] = []
    said: list[str] = []
    app._move = lambda order, target, **_: asked.append((order.id, target))  # type: ignore[method-assign]
    app.notify = lambda message, **_: said.append(message)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: board.selected_id == 1, message="the oldest selected")
        # Another screen bumps #1 as the cook reaches for Enter: the next ticket takes its place.
        feed.emit(
            ORDER_STATUS_UPDATED, board.get(1).model_copy(update={"status": Status.COMPLETED})
        )
        await wait_for(lambda: board.selected_id not in (None, 1), message="the selection moved")
        await pilot.press("enter")
        await wait_for(lambda: any("just changed" in m for m in said), message="a word")
        assert asked == [], "the press was meant for #1: held"
        await pilot.press("enter")  # the cook looked and pressed again
        now_selected = board.selected()
        assert now_selected is not None
        await wait_for(
            lambda: asked == [(now_selected.id, forward(now_selected.status))], message="moved"
        )

        # A new order arriving after the others moves nothing: keys are not held for it.
        asked.clear()
        feed.emit(ORDER_CREATED, order(99, age=1))
        await wait_for(lambda: board.get(99) is not None, message="the new order")
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(lambda: len(asked) == 1, message="not held")


async def test_every_card_shows_its_own_ticket_after_paging_back_and_forth():
    # The cards of a page are reused for the next page's tickets: none may keep the old one.
    statuses = ["pending", "preparing", "ready"]
    orders = [
        order(n, age=900 - n, status=statuses[n % 3], items=[{"name": f"Dish {n}"}] * (n % 4 + 1))
        for n in range(1, 61)
    ]
    app = make_app(Settings(), feed=FakeFeed(orders), clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: board.card(1) is not None, message="the first page")
        for key in ["n", "n", "p", "n", "p", "p"]:
            page = board.page
            await pilot.press(key)
            await wait_for(lambda p=page: board.page != p, message=f"after {key}")
            await pilot.pause()
            cards = list(board._cards)
            assert cards and {c.order.id for c in cards} == {o.id for o in board.on_page()}
            for card in cards:
                lines = card_lines(board, card.order.id, 1 if card.continued else 0)
                head = lines[1][2:]
                if card.continued:
                    assert head.startswith(f"#{card.order.id} · "), head
                else:
                    assert head.startswith(f"#{card.order.id} "), head
                    label = {"pending": "NEW", "preparing": "COOKING", "ready": "READY"}
                    assert label[card.order.status] in head
                assert any(f"Dish {card.order.id}" in line for line in lines)


async def test_a_board_opens_on_its_first_page_when_rushes_fill_it():
    """Rush tickets come first; the oldest order, not a rush, is on a later page. The board
    opens on the first page with the oldest ticket there selected, never on the page of the
    oldest order, which left the rushes unseen."""
    plain = order(1, age=600)
    rushes = [order(n, age=300 - n, priority="rush") for n in range(2, 20)]
    app = make_app(Settings(), feed=FakeFeed([plain, *rushes]), clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: board.selected_id is not None, message="a ticket selected")
        await pilot.pause()
        assert board.page_of(1) != 0, "the order left to a later page by the rushes"
        assert board.page == 0
        assert board.selected_id == 2, "the oldest on the first page"
        assert app.query_one(PageIndicator).page == 0
