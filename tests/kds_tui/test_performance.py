"""300 open tickets stay smooth: a change draws one ticket again, a tick only the ages.

What is counted here is work done (tickets drawn, ages redrawn, layouts); how long it takes
is measured by `python -m bench display`, never asserted in a test (a busy machine is slow)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from kds_contract import ORDER_CREATED, ORDER_STATUS_UPDATED, Status
from kds_tui import Settings, make_app
from kds_tui.widgets import column as column_module
from kds_tui.widgets.allday import AllDayPanel
from kds_tui.widgets.board import Board
from kds_tui.widgets.notice import Notice
from tests.kds_tui.fakes import FROZEN, FakeFeed, frozen_clock, order
from tests.support.client import wait_for


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = FROZEN

    def __call__(self) -> Any:
        return self.now


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Which tickets were drawn whole, whose head (age) line alone; board layouts."""
    calls: dict[str, list[Any]] = {"drawn": [], "aged": [], "relayout": []}
    real_draw, real_head = column_module.draw, column_module.head_strip
    real_relayout = Board.relayout

    def draw(card: Any, *args: Any) -> Any:
        calls["drawn"].append(card.order.id)
        return real_draw(card, *args)

    def head_strip(card: Any, *args: Any) -> Any:
        calls["aged"].append(card.order.id)
        return real_head(card, *args)

    def relayout(self: Board) -> None:
        calls["relayout"].append(1)
        real_relayout(self)

    monkeypatch.setattr(column_module, "draw", draw)
    monkeypatch.setattr(column_module, "head_strip", head_strip)
    monkeypatch.setattr(Board, "relayout", relayout)
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
        await wait_for(lambda: len(counted["drawn"]) > 20, message="a full first page")
        await pilot.pause()
        assert len(board.shown()) == 300
        on_screen = [o.id for o in board.on_page()]
        assert sorted(counted["drawn"]) == sorted(on_screen), "only the page on screen is drawn"

        # A tick: every age moves on; no ticket is drawn whole, nothing is laid out.
        clear(counted)
        clock.now = FROZEN + timedelta(seconds=5)  # the feed health stays as wide
        app._tick()
        await pilot.pause()
        assert sorted(counted["aged"]) == sorted(on_screen)
        assert counted["drawn"] == [] and counted["relayout"] == []
        first = board.card(on_screen[0])
        assert first is not None and first.seconds == 3600 - on_screen[0] * 10 + 5

        # One status move: that ticket alone is drawn again.
        clear(counted)
        target = next(o for o in orders if o.id == on_screen[3])
        moved = target.model_copy(update={"status": Status.PREPARING, "version": 2})
        feed.emit(ORDER_STATUS_UPDATED, moved)
        await wait_for(lambda: board.card(target.id).order.status == "preparing", message="moved")
        await pilot.pause()
        assert counted["drawn"] == [target.id]
        assert counted["relayout"] == [], "drawn in place: the layout still holds"

        # A new order lands at the end, off this page: nothing on screen is drawn again.
        clear(counted)
        feed.emit(ORDER_CREATED, order(301, age=1))
        await wait_for(lambda: len(board.shown()) == 301, message="the new order")
        await pilot.pause()
        assert counted["drawn"] == [] and counted["relayout"], "laid out, nothing redrawn"

        # A page flip draws the next page's tickets, once each.
        clear(counted)
        await pilot.press("n")
        await wait_for(lambda: board.page == 1, message="page 2")
        await pilot.pause()
        assert sorted(counted["drawn"]) == sorted(o.id for o in board.on_page())


async def test_the_all_day_panel_opens_and_closes_in_one_screen_update():
    """The tickets laid out at their new width and the panel with its counts, in the same
    screen update: not the layout's first and then Textual's second layout pass (for each
    resized widget's new size) and the panel's counts, each a frame later."""
    orders = [order(n, age=3600 - n * 10, items=[{"name": f"Dish {n % 9}"}]) for n in range(1, 301)]
    app = make_app(Settings(bell=False), feed=FakeFeed(orders), clock=frozen_clock)
    async with app.run_test(size=(200, 60)) as pilot:
        board, panel = app.query_one(Board), app.query_one(AllDayPanel)
        await wait_for(lambda: len(board.shown()) == 300 and bool(board.on_page()), message="board")
        await pilot.pause()
        frames: list[tuple[bool, str, int]] = []
        real_display = app._display

        def display(screen: Any, renderable: Any) -> None:
            # Each screen update handed to the terminal: the panel and the columns as drawn.
            if renderable is not None:
                counts = panel.query_one(".counts").visual.plain if panel.display else ""
                frames.append((panel.display, counts, board.columns()[0].size.width))
            real_display(screen, renderable)

        app._display = display  # type: ignore[method-assign]
        widths = []
        for opened in (True, False, True, False):
            frames.clear()
            await pilot.press("a")
            await wait_for(lambda: bool(frames), message="a screen update")
            await pilot.pause()
            await pilot.pause()
            assert len(frames) == 1, f"one screen update, not {len(frames)}: {frames}"
            shown, counts, width = frames[0]
            assert shown == opened
            if opened:
                assert counts.startswith(" 34 Dish 1"), counts  # the counts, not empty
            widths.append(width)
        assert widths[0] == widths[2] < widths[1] == widths[3], "the columns narrower with it"


async def test_a_page_flip_is_one_screen_update_with_a_notice_showing():
    """A notice is placed again after each layout of the board; where it stays as it was,
    it asks for no layout of its own (a second screen update a frame after the page's)."""
    orders = [order(n, age=3600 - n * 10, items=[{"name": f"Dish {n % 9}"}]) for n in range(1, 301)]
    app = make_app(Settings(bell=False), feed=FakeFeed(orders), clock=frozen_clock)
    async with app.run_test(size=(200, 60)) as pilot:
        board, notice = app.query_one(Board), app.query_one(Notice)
        await wait_for(lambda: len(board.shown()) == 300 and bool(board.on_page()), message="board")
        app.notify("Order #7 is ready", timeout=60)
        await wait_for(lambda: notice.display, message="the notice")
        await pilot.pause()
        frames: list[tuple[int, str]] = []
        real_display = app._display

        def display(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                frames.append((board.page, notice.visual.plain if notice.display else ""))
            real_display(screen, renderable)

        app._display = display  # type: ignore[method-assign]
        for page in (1, 0, 1):
            frames.clear()
            await pilot.press("n" if page else "p")
            await wait_for(lambda: bool(frames), message="a screen update")
            await pilot.pause()
            await pilot.pause()
            assert frames == [(page, "Order #7 is ready")], "one screen update, the notice in it"


async def test_a_column_hands_on_the_lines_textual_would_make():
    """A column hands its cards' lines on itself (``TicketColumn.render_lines``): they are
    the lines Textual's own path makes, segment for segment and style for style. A stale
    board (its columns seen through an opacity) takes Textual's path, and what changed
    while it did not is not drawn as it was."""
    from textual.geometry import Region
    from textual.widget import Widget

    orders = [
        order(n, age=900 - n * 10, notes="NUT ALLERGY" if n % 3 == 0 else None)
        for n in range(1, 120)
    ]
    feed = FakeFeed(orders, state="offline")
    app = make_app(Settings(), feed=feed, clock=Clock())

    def both(column: Any) -> tuple[list[Any], list[Any]]:
        crop = Region(0, 0, column.size.width, column.size.height)
        own = column.render_lines(crop)
        column.refresh()  # Textual's path from scratch: it forgets the lines it kept
        textual = Widget.render_lines(column, crop)
        return [list(s) for s in own], [list(s) for s in textual]

    async with app.run_test(size=(200, 60)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: len(board.shown()) == 119, message="every ticket")
        await pilot.pause()
        assert board.has_class("-stale") and board.columns()[0].opacity < 1
        for column in board.columns():
            column.render_lines(Region(0, 0, column.size.width, column.size.height))
        feed.set_state("live")
        await wait_for(lambda: not board.has_class("-stale"), message="live again")
        await pilot.press("n")
        await wait_for(lambda: board.page == 1, message="page 2")
        await pilot.pause()
        for column in board.columns():
            own, textual = both(column)
            assert own == textual and any(line for line in own)
        await pilot.press("p")  # what was drawn stale is on screen again, drawn anew
        await wait_for(lambda: board.page == 0, message="page 1")
        await pilot.pause()
        feed.set_state("offline")
        await wait_for(lambda: board.has_class("-stale"), message="stale again")
        await pilot.pause()
        for column in board.columns():
            own, textual = both(column)
            assert own == textual


async def test_the_board_and_its_row_hand_on_the_lines_textual_would_make():
    """The board and its row of columns hand on their background as one blank line
    (``PlainBackground``): the lines Textual's own path makes, segment for segment, live
    and stale, focused or not, with the all-day panel open and closed (the row's cells
    past its last column show it)."""
    from textual.geometry import Region
    from textual.widget import Widget

    from kds_tui.widgets.board import Columns

    feed = FakeFeed([order(n, age=900 - n * 10) for n in range(1, 60)], state="offline")
    app = make_app(Settings(), feed=feed, clock=Clock())

    def compare() -> None:
        for widget in (board, app.query_one(Columns)):
            crop = Region(0, 0, widget.size.width, widget.size.height)
            own = widget.render_lines(crop)
            widget.refresh()  # Textual's path from scratch
            textual = Widget.render_lines(widget, crop)
            assert [list(s) for s in own] == [list(s) for s in textual], type(widget)
            assert len(own) == widget.size.height > 0

    async with app.run_test(size=(199, 50)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: len(board.shown()) == 59, message="every ticket")
        await pilot.pause()
        compare()  # stale
        feed.set_state("live")
        await wait_for(lambda: not board.has_class("-stale"), message="live")
        await pilot.pause()
        board.focus()
        await pilot.pause()
        compare()
        await pilot.press("a")
        await wait_for(lambda: app.show_all_day, message="the all-day panel")
        await pilot.pause()
        board.blur()
        await pilot.pause()
        compare()


async def test_the_footer_is_composed_again_only_when_its_keys_change():
    """``KeysFooter`` keeps its keys through a refresh of the bindings that changes none of
    them (three come as the display starts), and shows a key remapped at once."""
    from textual.widgets._footer import FooterKey

    from kds_tui.widgets.footer import KeysFooter

    app = make_app(Settings(), feed=FakeFeed([order(1, age=60)]), clock=Clock())
    async with app.run_test(size=(120, 30)) as pilot:
        footer = app.query_one(KeysFooter)
        await wait_for(lambda: bool(footer.query(FooterKey)), message="the footer's keys")
        await pilot.pause()
        keys = list(footer.query(FooterKey))
        assert [k.key_display for k in keys if k.action == "toggle_all_day"] == ["a"]

        app.screen.refresh_bindings()
        await pilot.pause()
        assert list(footer.query(FooterKey)) == keys, "the same keys: not composed again"

        app.set_keymap({"all_day": "z"})
        await wait_for(
            lambda: (
                [k.key_display for k in footer.query(FooterKey) if k.action == "toggle_all_day"]
                == ["z"]
            ),
            message="the remapped key in the footer",
        )
