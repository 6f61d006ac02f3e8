"""Live changes reach the table: inserts at the top, updates in place, deletes disappear,
and changes outside the current view leave it alone."""

from __future__ import annotations

import asyncio

from admin_tui import announcer
from admin_tui.widgets.notice_bar import NoticeBar
from kds_contract import Status
from tests.admin_tui.conftest import bar, notices, orders_screen, ready, settled, shown_ids, table
from tests.admin_tui.seeding import order_payload, seed
from tests.support.ui import crash_report, wait_for


async def test_insert_update_delete_live(console_app, rest) -> None:
    first = await seed(rest, 5)
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert shown_ids(app) == [o.id for o in reversed(first)]
        assert bar(app).total == 5

        # Someone else creates an order: it appears on top, with a notification.
        table(app).move_cursor(row=2)
        under_cursor = table(app).current
        new = await rest.create_order(order_payload(99))
        await wait_for(pilot, lambda: shown_ids(app)[:1] == [new.id], "the new order on top")
        assert bar(app).total == 6
        assert table(app).current == under_cursor, "the cursor stays on its order"
        await wait_for(
            pilot,
            lambda: any(f"New order {new.id}." in n for n in notices(app)),
            "the notification",
        )

        # A status change updates its row in place.
        moved = await rest.move(first[0].id, Status.PREPARING)
        await wait_for(
            pilot,
            lambda: table(app).order(moved.id).status == Status.PREPARING,
            "the row to show preparing",
        )
        assert str(table(app).get_cell(str(moved.id), "status")) == "preparing"
        assert shown_ids(app)[-1] == moved.id, "the row did not move"

        # An edit too.
        await rest.edit_order(first[1].id, {"table": "42"})
        await wait_for(
            pilot, lambda: table(app).order(first[1].id).table == "42", "the edited table"
        )
        assert str(table(app).get_cell(str(first[1].id), "who")).startswith("T42")

        # A deleted order disappears.
        await rest.delete_order(first[2].id)
        await wait_for(pilot, lambda: first[2].id not in shown_ids(app), "the row to go")
        assert bar(app).total == 5


async def test_changes_outside_the_view_leave_it_alone(console_app, rest) -> None:
    orders = await seed(rest, 6)
    await rest.move(orders[0].id, Status.PREPARING)
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("2")  # preparing only
        await settled(pilot)
        assert shown_ids(app) == [orders[0].id]

        # A new (pending) order cannot be in this view: it is told of, never counted.
        new = await rest.create_order(order_payload(50))
        await wait_for(
            pilot,
            lambda: any(f"New order {new.id} (not in this view)" in n for n in notices(app)),
            "the notice",
        )
        assert bar(app).new_count == 0, "a pending order is not one of [preparing]'s"
        assert shown_ids(app) == [orders[0].id]
        assert bar(app).total == 1

        # A change to an order that is not shown does nothing to the rows.
        await rest.move(orders[3].id, Status.CANCELLED)
        await rest.move(orders[0].id, Status.READY)
        await wait_for(
            pilot, lambda: table(app).order(orders[0].id).status == Status.READY, "the update"
        )
        assert shown_ids(app) == [orders[0].id]

        # Sorted oldest first, a new order belongs at the end, on the last page: not shown.
        await pilot.press("0", "s")
        await settled(pilot)
        before = shown_ids(app)
        await rest.create_order(order_payload(51))
        await wait_for(pilot, lambda: bar(app).new_count == 1, "the hint on the sorted view")
        assert shown_ids(app) == before


async def test_a_burst_of_changes_reads_as_one_line_under_the_table(
    console_app, rest, monkeypatch
) -> None:
    # However slow the machine, the whole burst falls within one notice's life.
    monkeypatch.setattr(announcer, "SHOWN_SECONDS", 60.0)
    monkeypatch.setattr(announcer, "TALLY_SECONDS", 60.0)
    first = await seed(rest, 2)
    app = console_app(bell=True)
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]

    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        for order in first:
            await rest.move(order.id, Status.PREPARING)
        burst = asyncio.ensure_future(seed(rest, 20, start=100))
        toasts = 0
        while not burst.done():
            toasts = max(toasts, len(app.screen.query("Toast")))
            await pilot.pause(0.01)
        line = orders_screen(app).query_one(NoticeBar)
        await wait_for(
            pilot,
            lambda: notices(app)[-1:] == [": 20 new orders, 2 other changes."],
            "the whole burst told in one line",
        )
        assert toasts == 0 and not app.screen.query("Toast"), "nothing over the table"
        orders = table(app)
        assert line.region.y >= orders.region.bottom, "the line is below the table"
        assert orders.region.height == len(shown_ids(app)) + 1, "every row in view"
        assert rings == [], "new orders and moves never ring"

        await rest.move(first[0].id, Status.CANCELLED)
        await wait_for(pilot, lambda: rings == [1], "the bell for a cancelled order")
        await wait_for(pilot, lambda: "was cancelled" in line.text, "the cancellation told")


async def test_sorted_by_last_change_a_changed_order_comes_to_the_top(console_app, rest) -> None:
    closed = (await seed(rest, 1))[0]
    for status in (Status.PREPARING, Status.READY, Status.COMPLETED):
        await rest.move(closed.id, status)
    orders = [closed, *await seed(rest, 29, start=1)]
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("s", "s")  # newest, oldest, last change
        await settled(pilot)
        assert bar(app).order_query.sort == "-updated_at"
        page_one = shown_ids(app)
        per_page = len(page_one)
        assert per_page < 30

        # A row on the page moves to the top.
        await rest.move(page_one[5], Status.PREPARING)
        await wait_for(pilot, lambda: shown_ids(app)[0] == page_one[5], "the changed row on top")
        assert table(app).order(page_one[5]).status == Status.PREPARING

        # An order from a later page comes to the top too; the page keeps its size.
        later = next(o.id for o in orders[1:] if o.id not in page_one)
        await rest.edit_order(later, {"notes": "no salt"})
        await wait_for(pilot, lambda: shown_ids(app)[0] == later, "the changed order on top")
        assert len(shown_ids(app)) == per_page and bar(app).total == 30

        # So does a closed one (which the live feed does not keep), without being counted twice.
        assert closed.id not in shown_ids(app)
        await rest.edit_order(closed.id, {"notes": "refunded"})
        await wait_for(pilot, lambda: shown_ids(app)[0] == closed.id, "the closed order on top")
        assert bar(app).total == 30

        # Seen from page 2, a change elsewhere is counted in a hint.
        await pilot.press("right_square_bracket")
        await settled(pilot)
        elsewhere = next(i for i in page_one if i not in shown_ids(app))
        await rest.edit_order(elsewhere, {"notes": "extra napkins"})
        await wait_for(pilot, lambda: bar(app).changed_count == 1, "the hint")
        assert "1 changed" in str(bar(app).render())


async def test_a_crash_report_never_shows_the_token(console_app, server) -> None:
    app = console_app()
    report = await crash_report(app, (80, 24), ready, lambda: app.rest.token)
    assert server.tokens["admin"] not in report, "the crash report showed the admin token"
