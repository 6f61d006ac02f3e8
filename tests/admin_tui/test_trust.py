"""The console a manager can trust while orders stream in (issue 20): the selection never
jumps to another order, figures count the period their title says, a table or an order
number is found exactly, pages never repeat, the new-orders hint counts only what the view
would show, no key typed after / is lost, item lines are read as shown, and notices never
cover the table. Each against a real server with a live stream of orders running.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import create_async_engine
from textual import events
from textual.widgets import TextArea

from admin_tui import AdminApp, make_app
from admin_tui.screens.confirm import ConfirmScreen
from admin_tui.screens.detail import OrderDetailScreen
from admin_tui.screens.figures import FiguresScreen
from admin_tui.screens.move import MoveScreen
from admin_tui.screens.order_form import OrderFormScreen
from admin_tui.screens.orders import OrdersScreen
from admin_tui.screens.search import SearchScreen
from admin_tui.widgets.notice_bar import NoticeBar
from kds_client import KdsRest
from kds_client.demo import run_demo
from kds_contract import Status
from server.db.tables import OrderRow
from tests.admin_tui.conftest import (
    bar,
    notices,
    open_detail,
    orders_screen,
    ready,
    settled,
    shown_ids,
    table,
)
from tests.admin_tui.seeding import seed
from tests.support.server import ServerProcess
from tests.support.ui import plain, text_of, wait_for

RATE = 300
"""Orders a minute in the stream: five a second, a busy Friday and then some."""


@pytest.fixture
def rest(shared_admin: KdsRest) -> KdsRest:
    """Here, the admin client of the module's shared_server server."""
    return shared_admin


def console(server: ServerProcess, **kwargs) -> AdminApp:
    return make_app(server.url, server.tokens["admin"], **kwargs)


@asynccontextmanager
async def stream(server: ServerProcess, rate: float = RATE) -> AsyncIterator[list[int]]:
    """Orders arriving at ``rate`` a minute while the block runs; yields their ids so far."""
    made: list[int] = []
    stop = asyncio.Event()
    async with KdsRest(server.url, server.tokens["pos"]) as till:
        task = asyncio.ensure_future(
            run_demo(till, rate, stop, on_order=lambda order: made.append(order.id))
        )
        try:
            yield made
        finally:
            stop.set()
            await task


async def test_the_selection_follows_its_order_and_never_reaches_another(
    shared_server, rest
) -> None:
    await seed(rest, 5)
    app = console(shared_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("down", "down")
        chosen = table(app).current
        assert chosen is not None and table(app).cursor_row == 2
        async with stream(shared_server) as made:
            await wait_for(pilot, lambda: table(app).cursor_row > 2, "rows pushed down")
            assert table(app).current == table(app).order(chosen.id), "still the same order"

            # The row moved under the cursor a moment ago: which order is meant is asked.
            await pilot.press("m")
            ask = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "a check")
            assert ask
            assert f"order {chosen.id} (" in app.screen.question
            await pilot.press("n")

            # Pushed off the page: nothing is selected, and that is said.
            per_page = bar(app).order_query.per_page
            await wait_for(pilot, lambda: len(made) > per_page, "a page of new orders")
            await wait_for(pilot, lambda: chosen.id not in shown_ids(app), "off the page")
            assert table(app).current is None
            line = orders_screen(app).query_one(NoticeBar)
            assert f"Order {chosen.id} moved off this page" in " ".join(notices(app)) + line.text
            await pilot.press("m", "c", "x")
            assert isinstance(app.screen, OrdersScreen), "no action reaches another order"
            assert any("No order selected" in n for n in notices(app))

            # A key chooses again (the top row); a new sort starts at the top.
            await pilot.press("down")
            assert table(app).current is not None
            await pilot.press("down", "s")
            await settled(pilot)
            assert table(app).cursor_row == 0 and table(app).current == table(app).orders[0]
        await settled(pilot)
        first = table(app).current
        assert first is not None
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MoveScreen), "the move dialog")
        assert f"order {first.id} (" in plain(app.screen.query_one(".question").content)


async def _day_before(server: ServerProcess, ids: list[int]) -> datetime:
    """Move these orders' creation to yesterday noon (UTC); returns that time."""
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    yesterday = noon - timedelta(days=1)
    engine = create_async_engine(server.db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                update(OrderRow)
                .where(OrderRow.id.in_(ids))
                .values(created_at=yesterday, pending_at=yesterday)
            )
    finally:
        await engine.dispose()
    return yesterday


def _figures_total(app: AdminApp) -> int | None:
    screen = app.screen
    if not isinstance(screen, FiguresScreen):
        return None
    text = text_of(screen, "counts")
    totals = [line.split()[-1] for line in text.splitlines() if line.strip().startswith("total")]
    return int(totals[0]) if totals else None


async def test_the_figures_count_the_days_the_list_shows_and_say_which(shared_server, rest) -> None:
    old = await seed(rest, 3)
    yesterday = (await _day_before(shared_server, [o.id for o in old])).astimezone().date()
    app = console(shared_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        async with stream(shared_server):
            # From yesterday, no last day: yesterday and today, up to now.
            await pilot.press("d", *str(yesterday), "tab", "ctrl+a", "ctrl+k", "enter")
            await settled(pilot)
        await settled(pilot)
        assert bar(app).order_query.until is None
        listed = bar(app).total
        await pilot.press("f")
        await wait_for(pilot, lambda: _figures_total(app) is not None, "the figures")
        assert _figures_total(app) == listed, "the figures count what the list shows"
        title = str(app.screen.query_one("ConnectionBar").render())
        assert f"figures, from {yesterday}" in title
        await pilot.press("escape")

        # No days at all: every order, and the title says so.
        await pilot.press("d", "ctrl+a", "ctrl+k", "tab", "ctrl+a", "ctrl+k", "enter")
        await settled(pilot)
        every = bar(app).total
        assert every is not None and every >= listed
        await pilot.press("f")
        await wait_for(pilot, lambda: _figures_total(app) == every, "all the figures")
        assert "figures, all dates" in str(app.screen.query_one("ConnectionBar").render())


async def test_a_table_or_a_number_is_found_exactly_and_a_number_opens_it(
    shared_server, rest
) -> None:
    five = await rest.create_order({"items": [{"name": "Soup"}], "table": "5"})
    near = [await rest.create_order({"items": [{"name": "Tea"}], "table": t}) for t in ("35", "15")]
    curl = await rest.create_order({"items": [{"name": "Pie"}], "customer_name": "Curl5"})
    noted = await rest.create_order({"items": [{"name": "Stew"}], "notes": "sesame ALLERGY"})
    app = console(shared_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        async with stream(shared_server):
            await pilot.press("slash", *"T5", "enter")
            await settled(pilot)
            shown = [table(app).order(i) for i in shown_ids(app)]
            assert five.id in shown_ids(app)
            assert all(o.table in ("5", "T5") for o in shown), [o.table for o in shown]
            assert not {near[0].id, near[1].id, curl.id} & set(shown_ids(app))

            await pilot.press("slash", *"sesame allergy", "enter")
            await settled(pilot)
            assert shown_ids(app) == [noted.id], "the notes are searched"

            detail = await open_detail(pilot, "slash", *f"#{curl.id}", "enter")
            assert detail.order_id == curl.id
            await pilot.press("escape")
            await settled(pilot)
            assert shown_ids(app) == [curl.id]

            await pilot.press("slash", *str(noted.id), "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, OrderDetailScreen), "a number")
            assert app.screen.order_id == noted.id


async def test_pages_never_repeat_while_orders_stream_in(shared_server, rest) -> None:
    await seed(rest, 70)
    app = console(shared_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        async with stream(shared_server) as made:
            await pilot.press("pagedown")
            await settled(pilot)
            second = shown_ids(app)
            start = len(made)
            await wait_for(pilot, lambda: len(made) >= start + 10, "ten new orders")
            await pilot.press("pagedown")
            await settled(pilot)
            third = shown_ids(app)
            assert not set(second) & set(third), "no order on two pages"
            assert max(third) < min(second), "the page after, as the list was"
            await wait_for(pilot, lambda: bar(app).new_count >= 10, "the new orders counted")
            await pilot.press("home")
            await settled(pilot)
            assert set(made) & set(shown_ids(app)), "the first page is the list as it is now"
            assert bar(app).new_count < 10


async def test_the_new_orders_hint_counts_only_what_the_view_would_show(
    shared_server, rest
) -> None:
    await seed(rest, 45)  # pending: more than a page
    app = console(shared_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("5")  # cancelled only: new orders are pending
        await settled(pilot)
        async with stream(shared_server) as made:
            start = len(made)
            await wait_for(pilot, lambda: len(made) >= start + 5, "new orders")
            await wait_for(
                pilot,
                lambda: (
                    sum("(not in this view)" in n for n in notices(app)) >= 1
                    or any("new orders" in n for n in notices(app))
                ),
                "the new orders told of",
            )
            assert bar(app).new_count == 0, "a new order is never one of [cancelled]"

            await pilot.press("1", "end")  # pending, the last page: new ones count
            await settled(pilot)
            start = len(made)
            await wait_for(pilot, lambda: len(made) >= start + 3, "more new orders")
        anchor = bar(app).order_query.max_id or 0  # the list as the first page read it

        def newer() -> int:
            return sum(1 for order_id in made if order_id > anchor)

        await wait_for(pilot, lambda: bar(app).new_count == newer() >= 3, "the count")

        await pilot.press("slash", *"T99", "enter")  # a table no demo order has
        await settled(pilot)
        async with stream(shared_server) as made:
            await wait_for(pilot, lambda: len(made) >= 5, "new orders")
            ninety_nine = await rest.create_order({"items": [{"name": "Tea"}], "table": "99"})
            await wait_for(pilot, lambda: shown_ids(app)[:1] == [ninety_nine.id], "it, on top")
        assert bar(app).new_count == 0


async def _burst(app: AdminApp, text: str) -> None:
    """Keys as one read from a slow SSH link or a paste: all queued before any is handled."""
    driver = app._driver
    assert driver is not None
    for char in text:
        key = {"/": "slash", "\r": "enter", " ": "space"}.get(char, char)
        driver.send_message(events.Key(key, char))


async def test_no_key_typed_after_slash_is_lost(shared_server, rest) -> None:
    await rest.create_order({"items": [{"name": "Ribs"}], "customer_name": "Henderson"})
    app = console(shared_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        async with stream(shared_server):
            for _ in range(3):
                await _burst(app, "/Henderson\r")
                await wait_for(
                    pilot, lambda: bar(app).order_query.text == "Henderson", "the whole word"
                )
                assert isinstance(app.screen, OrdersScreen), "no e(dit) or n(ew) form opened"
                await settled(pilot)
                await pilot.press("slash")  # clear the search again
                await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), "search")
                await pilot.press("ctrl+a", "ctrl+k", "enter")
                await wait_for(pilot, lambda: bar(app).order_query.text == "", "cleared")

            # The same for the order form: "2x" must not become the filter "preparing".
            await _burst(app, "n2x Burger")
            form = await wait_for(
                pilot, lambda: isinstance(app.screen, OrderFormScreen) and app.screen, "the form"
            )
            items = form.query_one("#items", TextArea)
            await wait_for(pilot, lambda: items.text == "2x Burger", "every key in the items")
            assert bar(app).order_query.statuses == ()


def _reading(form: OrderFormScreen) -> str:
    return text_of(form, "items-reading")


async def test_item_lines_are_read_as_shown_and_surprises_are_asked(shared_server, rest) -> None:
    app = console(shared_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        async with stream(shared_server, rate=60):
            await pilot.press("n")
            form = await wait_for(
                pilot, lambda: isinstance(app.screen, OrderFormScreen) and app.screen, "form"
            )
            await pilot.press(*"7 Up @bar", "enter", *"Fish + Chips @fry", "enter")
            await pilot.press(*"Combo #2 @grill")
            await wait_for(pilot, lambda: "Combo" in _reading(form), "the readings")
            reading = _reading(form)
            assert "7 x Up, station bar" in reading and "7 is read as how many" in reading
            assert "1 x Fish, + Chips, station fry" in reading
            assert "notes: 2 @grill" in reading and "no station is set" in reading

            await pilot.press("ctrl+s")
            ask = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "asked")
            assert ask and "line 1 '7 Up @bar'" in app.screen.question
            await pilot.press("n")
            assert app.screen is form, "nothing saved"

            # Errors as they are typed, all of them, in line order.
            form.query_one("#items").text = "0x Burger\n-1 Soup\n2x"
            error = form.query_one("#items-error")
            await wait_for(pilot, lambda: "line 3" in str(error.content), "the errors")
            assert [e.split(":")[0] for e in str(error.content).splitlines()] == [
                "line 1",
                "line 2",
                "line 3",
            ]

            form.query_one("#items").text = r"1x 7 Up @bar" + "\n" + r"1x Fish \+ Chips @fry"
            await wait_for(pilot, lambda: "?" not in _reading(form), "nothing surprising")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, OrdersScreen), "saved at once")
        saved = next(n for n in notices(app) if "created" in n)
        order = await rest.get_order(int(saved.split("Order ")[1].split()[0]))
        assert [(i.quantity, i.name, i.station) for i in order.items] == [
            (1, "7 Up", "bar"),
            (1, "Fish + Chips", "fry"),
        ]


async def test_notices_stay_off_the_table_and_the_bell_is_off_unless_asked(
    shared_server, rest
) -> None:
    victim = await rest.create_order({"items": [{"name": "Soup"}]})
    app = console(shared_server)
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        line = orders_screen(app).query_one(NoticeBar)
        async with stream(shared_server):
            await wait_for(pilot, lambda: "new order" in line.text.lower(), "a notice")
            assert not app.screen.query("Toast")
            assert line.region.y == table(app).region.bottom, "just below the table"
            await rest.move(victim.id, Status.CANCELLED)
            await wait_for(pilot, lambda: "was cancelled" in line.text, "the cancellation")
            assert rings == [], "off by default"
            await pilot.press("b")
            other = await rest.create_order({"items": [{"name": "Soup"}]})
            await rest.move(other.id, Status.CANCELLED)
            await wait_for(pilot, lambda: rings == [1], "rung once turned on")
