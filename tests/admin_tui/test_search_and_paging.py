"""Finding orders as the list shows them, and moving through the pages at any size."""

from __future__ import annotations

from tests.admin_tui.conftest import bar, ready, settled, shown_ids, table
from tests.admin_tui.seeding import seed
from tests.support.ui import wait_for


async def test_a_table_is_searched_as_the_list_shows_it(console_app, rest) -> None:
    twelve = await rest.create_order({"items": [{"name": "Soup"}], "table": "12"})
    patio = await rest.create_order({"items": [{"name": "Tea"}], "table": "Patio 3"})
    named = await rest.create_order({"items": [{"name": "Pie"}], "table": "T7"})
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        who = {i: str(table(app).get_cell(str(i), "who")) for i in shown_ids(app)}
        assert who == {twelve.id: "T12", patio.id: "Patio 3", named.id: "T7"}

        await pilot.press("slash", *"T12", "enter")
        await settled(pilot)
        assert shown_ids(app) == [twelve.id]

        await pilot.press("slash", *"T99", "enter")  # the field's text is chosen: replaced
        await settled(pilot)
        assert bar(app).total == 0
        assert "/: clear search" in str(bar(app).render())


async def test_home_and_end_go_to_the_first_and_last_order(console_app, rest) -> None:
    orders = await seed(rest, 45)
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert bar(app).order_query.pages(45) >= 3
        await pilot.press("down", "down", "home")
        assert table(app).current.id == orders[-1].id

        await pilot.press("end")
        await wait_for(pilot, lambda: table(app).current.id == orders[0].id, "the oldest order")
        assert bar(app).order_query.page == bar(app).order_query.pages(45)

        await pilot.press("home")
        await wait_for(pilot, lambda: table(app).current.id == orders[-1].id, "the newest order")
        assert bar(app).order_query.page == 1


async def test_a_narrow_terminal_shows_the_whole_page_above_the_scrollbar(
    console_app, rest
) -> None:
    await seed(rest, 30)
    app = console_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await ready(pilot)
        orders = table(app)
        assert orders.virtual_size.width > orders.size.width, "too narrow: a scrollbar below"
        per_page = bar(app).order_query.per_page
        assert len(shown_ids(app)) == per_page
        orders.move_cursor(row=per_page - 1, animate=False)
        await pilot.pause()
        assert orders.max_scroll_y == 0 and orders.scroll_y == 0, "the whole page is in view"
