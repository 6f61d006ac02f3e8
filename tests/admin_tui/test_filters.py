"""Filters, search, days, sort and paging, done by the server, against 1,000 orders."""

from __future__ import annotations

import asyncio

import pytest

from kds_contract import Status
from tests.admin_tui.conftest import bar, ready, settled, shown_ids, table
from tests.admin_tui.seeding import seed

pytestmark = pytest.mark.slow


async def _move_all(rest, ids, status) -> None:
    gate = asyncio.Semaphore(32)

    async def one(order_id: int) -> None:
        async with gate:
            await rest.move(order_id, status)

    await asyncio.gather(*(one(i) for i in ids))


async def test_filters_search_sort_and_paging(console_app, rest) -> None:
    orders = await seed(rest, 1000)
    ids = [o.id for o in orders]
    await _move_all(rest, ids[:100], Status.PREPARING)
    await _move_all(rest, ids[:30], Status.READY)
    await _move_all(rest, ids[:10], Status.COMPLETED)
    await _move_all(rest, ids[100:110], Status.CANCELLED)
    newest_first = ids[::-1]

    app = console_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        per_page = table(app).size.height - 1
        assert bar(app).order_query.per_page == per_page, "the page fits the screen"
        assert bar(app).total == 1000
        assert shown_ids(app) == newest_first[:per_page]

        # Next, next, previous page.
        await pilot.press("right_square_bracket")
        await settled(pilot)
        assert shown_ids(app) == newest_first[per_page : 2 * per_page]
        await pilot.press("pagedown")
        await settled(pilot)
        assert bar(app).order_query.page == 3
        assert shown_ids(app) == newest_first[2 * per_page : 3 * per_page]
        await pilot.press("left_square_bracket")
        await settled(pilot)
        assert shown_ids(app) == newest_first[per_page : 2 * per_page]

        # One key per status, back to page 1 each time; 'o' for all open, '0' for all.
        expected = {"1": 890, "2": 70, "3": 20, "4": 10, "5": 10, "o": 980, "0": 1000}
        for key, total in expected.items():
            await pilot.press(key)
            await settled(pilot)
            assert bar(app).total == total, key
            assert bar(app).order_query.page == 1
        await pilot.press("2")
        await settled(pilot)
        assert {o.status for o in table(app).orders} == {Status.PREPARING}
        await pilot.press("0")

        # Text search, by the server.
        await pilot.press("slash")
        await pilot.press(*"Ramen", "enter")
        await settled(pilot)
        ramen = [o.id for o in orders if o.items[0].name == "Ramen"]
        assert bar(app).total == len(ramen) == 125
        assert shown_ids(app) == ramen[::-1][:per_page]

        # Sort: oldest first.
        await pilot.press("s")
        await settled(pilot)
        assert bar(app).order_query.sort == "created_at"
        assert shown_ids(app) == ramen[:per_page]

        # Days: yesterday has none of these orders; today is the default.
        await pilot.press("d")
        await pilot.press("end", "ctrl+u", *"-1", "tab", "end", "ctrl+u", *"-1", "enter")
        await settled(pilot)
        assert bar(app).total == 0
        assert shown_ids(app) == []

        # A smaller terminal: smaller pages, same first order.
        await pilot.press("d")
        await pilot.press("end", "ctrl+u", *"today", "tab", "end", "ctrl+u", *"today", "enter")
        await settled(pilot)
        assert bar(app).total == 125
        await pilot.resize_terminal(100, 20)
        await settled(pilot)
        smaller = table(app).size.height - 1
        assert smaller < per_page
        assert bar(app).order_query.per_page == smaller
        assert shown_ids(app) == ramen[:smaller]
