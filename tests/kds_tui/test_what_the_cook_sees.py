"""The board as a cook uses it (no server): notices, where tickets go, edits, new orders on
other pages, a mistyped station, allergies in the all-day panel, one word for the state."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.geometry import Region

from kds_contract import ORDER_CREATED, ORDER_STATUS_UPDATED, ORDER_UPDATED, Status
from kds_tui import KitchenApp, Settings, make_app
from kds_tui.widgets.allday import AllDayPanel
from kds_tui.widgets.board import Board
from kds_tui.widgets.header import ConnectionBadge, PageIndicator
from kds_tui.widgets.help import HelpScreen, help_text
from kds_tui.widgets.notice import Notice, place
from kds_tui.widgets.recall import ago
from tests.kds_tui.fakes import FakeFeed, frozen_clock, kitchen_orders, order
from tests.kds_tui.helpers import card_lines, screen_lines
from tests.support.client import wait_for


def display(orders: list[Any] | None = None, **settings: Any) -> KitchenApp:
    feed = FakeFeed(kitchen_orders() if orders is None else orders)
    return make_app(Settings(**settings), feed=feed, clock=frozen_clock)


def rush(count: int) -> list[Any]:
    return [order(n, age=2000 - n, items=[{"name": f"Dish {n}"}]) for n in range(1, count + 1)]


def selected_regions(app: KitchenApp) -> list[Region]:
    return app._selected_regions()


async def test_refused_keys_make_one_notice_that_never_covers_the_selected_ticket():
    app = display(rush(30))
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: board.card(1) is not None, message="the tickets")
        app.feed.set_state("offline")
        for _ in range(5):
            await pilot.press("enter")
        await pilot.pause()
        notices = [n for n in app.screen.query(Notice) if n.display]
        assert len(notices) == 1, "one notice, replaced"
        assert "not connected" in str(notices[0].render())
        area = notices[0].region
        assert not any(area.overlaps(r) for r in selected_regions(app))

        # A long notice, the selected ticket at the foot of the board: it goes elsewhere.
        await pilot.press("down", "down")
        await pilot.pause()
        app.notify("a long refusal from the server " * 6, severity="error")
        await pilot.pause()
        notice = app.query_one(Notice)
        assert notice.region.height > 1
        assert not any(notice.region.overlaps(r) for r in selected_regions(app))
        # And the error is not replaced by something less grave while it lasts.
        app.notify("#3 is now ◐ COOKING")
        assert notice.severity == "error"


def test_where_a_notice_goes():
    screen = Region(0, 0, 80, 24)
    short = "Nothing to undo"
    assert place(screen, short, [Region(0, 1, 26, 10)])[0] == Region(0, 23, 80, 1)
    long = "word " * 40
    foot, lines = place(screen, long, [Region(26, 12, 26, 11)])
    assert foot.y == 1 and len(lines) == foot.height, "over the top, not the selected ticket"
    beside, _ = place(screen, long, [Region(0, 1, 26, 22)])
    assert beside.x >= 26 and beside.bottom == 24, "beside a ticket as tall as the board"


async def test_tickets_keep_their_places_when_help_or_the_all_day_panel_opens():
    app = display(rush(12))
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: board.card(1) is not None, message="the tickets")
        await pilot.pause()

        def places() -> dict[int, tuple[int, int | None]]:
            return {
                card.order.id: (number, card.position)
                for number, column in enumerate(board.columns())
                for card in column.cards
            }

        before = places()
        # Read left to right, then down: [n] in column (n - 1) % 4.
        numbered = [(c, p) for c, p in before.values() if p is not None]
        assert len(numbered) == 9
        assert all(column == (position - 1) % 4 for column, position in numbered)
        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), message="help")
        assert places() == before
        await pilot.press("escape")
        await pilot.press("a")
        await wait_for(lambda: app.query_one(AllDayPanel).display, message="the all-day panel")
        await pilot.pause()
        assert places() == before, "narrower columns, the same places"


async def test_an_edit_stays_marked_until_the_ticket_moves_on():
    before = order(7, age=30, items=[{"name": "Burger"}, {"name": "Salad"}])
    app = display([before])
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: board.card(7) is not None, message="the ticket")
        after = order(7, age=30, items=[{"name": "Burger", "quantity": 2}, {"name": "Salad"}])
        app.feed.emit(ORDER_UPDATED, after.model_copy(update={"version": 2}))
        await wait_for(lambda: board.card(7).view.modified, message="the edit")
        await pilot.pause()
        lines = card_lines(board, 7)
        assert "✎ MODIFIED" in lines[0]
        assert any("✕ 1 Burger" in line for line in lines)
        assert any("✚ 2 Burger" in line for line in lines)
        app.feed.set_state("live")
        app._tick()  # its notice has long gone: the mark has not
        await pilot.pause()
        assert "✎ MODIFIED" in card_lines(board, 7)[0]

        moved = after.model_copy(update={"version": 3, "status": Status.PREPARING})
        app.feed.emit(ORDER_STATUS_UPDATED, moved)
        await wait_for(lambda: board.card(7).order.version == 3, message="the move")
        await pilot.pause()
        lines = card_lines(board, 7)
        assert "MODIFIED" not in lines[0] and not any("✕" in line for line in lines)


async def test_a_new_order_on_another_page_is_said_and_one_key_shows_it():
    app = display(rush(40))
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.query_one(Board)
        indicator = app.query_one(PageIndicator)
        await wait_for(lambda: board.card(1) is not None, message="the tickets")
        app.feed.emit(ORDER_CREATED, order(312, age=1))
        # Said once the board has laid it out (the board knows it a moment before).
        await wait_for(lambda: indicator.new is not None, message="said in the header")
        last = len(board._pages) - 1
        assert board.page_of(312) == last > 0
        assert f"new #312 on p{last + 1} (g)" in indicator.render()
        notice = app.query_one(Notice)
        await wait_for(
            lambda: f"New order #312 is on page {last + 1}" in str(notice.render()),
            message="and in a notice",
        )
        # Fewer lines, more pages: the notice still showing says the page it is on now.
        await pilot.resize_terminal(80, 16)
        await wait_for(lambda: board.page_of(312) != last, message="a page further")
        last = len(board._pages) - 1
        assert board.page_of(312) == last
        await wait_for(
            lambda: f"New order #312 is on page {last + 1}" in str(notice.render()),
            message=lambda: f"the notice to follow it, not {notice.render()!r}",
        )
        assert f"new #312 on p{last + 1} (g)" in indicator.render()
        await pilot.press("g")
        await wait_for(lambda: board.page == last and board.selected_id == 312, message="shown")
        await wait_for(lambda: indicator.new is None, message="no longer new")
        await pilot.press("home")
        await wait_for(lambda: board.page == 0, message="the first page")
        await pilot.press("end")
        await wait_for(lambda: board.page == last, message="the last page")


async def test_a_mistyped_station_is_said_and_stays_said():
    app = display(station="grilll")
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.query_one(Board)
        note = board.query_one(".station-note")
        await wait_for(lambda: note.display, message="the warning")
        await pilot.pause()
        text = " ".join(" ".join(screen_lines(app)).split())
        assert "NO STATION CALLED 'grilll'" in text and "Did you mean grill?" in text
        assert "No open tickets" not in text
        app._tick()
        await pilot.pause()
        assert note.display, "it stays"

    right = display(station="grill")
    async with right.run_test(size=(120, 40)) as pilot:
        board = right.query_one(Board)
        await wait_for(lambda: board.card(1) is not None, message="the grill's tickets")
        await pilot.pause()
        assert not board.query_one(".station-note").display


async def test_the_all_day_panel_marks_the_items_for_an_allergy():
    app = display()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        panel = app.query_one(AllDayPanel)
        await wait_for(lambda: panel.display and panel.rows, message="the panel")
        await pilot.pause()
        lines = panel.query_one(".counts").visual.plain.splitlines()
        # #3 has a peanut allergy: its pad thai and its three spring rolls.
        assert any("Pad thai ⚠1" in line for line in lines), lines
        assert any("Spring rolls ⚠3" in line for line in lines), lines
        assert any(line.strip().endswith("Burger") for line in lines), "no mark without"


async def test_one_word_for_the_state_in_the_header_and_the_banner():
    app = display()
    async with app.run_test(size=(120, 40)) as pilot:
        badge = app.query_one(ConnectionBadge)
        board = app.query_one(Board)
        await wait_for(lambda: badge.word == "LIVE", message="live")
        app.feed.set_state("connecting")  # a frozen server: the feed keeps trying
        await wait_for(lambda: board.stale, message="stale")
        await pilot.pause()
        top = " ".join(screen_lines(app)[:3])
        assert "Offline, connecting…" in top and "OFFLINE" in top
        assert "Connecting" not in top


async def test_the_keys_say_what_they_do():
    app = display()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        footer = screen_lines(app)[-1]
        assert "1-9 Next" in footer and "Bump" not in footer
        rows = dict(app.key_rows())
        assert rows["u"].startswith("take back the last thing done here: a move, an item")
        assert "pick it from" in rows["r"]
        assert rows["home"] == "first page" and rows["end"] == "last page"
        assert "new order" in rows["g"]


def test_the_help_wraps_and_never_cuts():
    rows = [("⏎,space", "move the selected ticket on: start, ready, bump " * 3), ("q", "quit")]
    text = help_text(rows, 40)
    assert all(cell_len(line) <= 40 for line in text.splitlines())
    assert " ".join(text.split()).count("bump") == 3 and text.splitlines()[-1] == "      q  quit"


def test_how_long_ago_an_order_was_bumped():
    assert [ago(s) for s in (0, 59, 60, 299, 3600, 3900)] == [
        "just now",
        "just now",
        "1 min ago",
        "4 min ago",
        "1 h 0 min ago",
        "1 h 5 min ago",
    ]


async def test_the_help_key_as_remapped_opens_and_closes_the_help():
    app = display(keymap={"help": "f2"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen), "? is no longer the help key"
        await pilot.press("f2")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), message="help")
        await pilot.press("f2")
        await wait_for(lambda: not isinstance(app.screen, HelpScreen), message="closed by f2")
        await pilot.press("f2", "escape")
        await wait_for(lambda: not isinstance(app.screen, HelpScreen), message="and by escape")


async def test_the_help_screen_fits_what_it_says_at_80x24():
    app = display()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), message="help")
        await pilot.pause()
        keys = app.screen.query_one(".keys")
        lines = keys.visual.plain.splitlines()
        assert max(cell_len(line) for line in lines) <= keys.content_region.width
        said = " ".join(" ".join(lines).split())
        assert "(N = 1 to 9)" in said and "an item done, a station's part" in said
