"""Live changes reach the table: inserts at the top, updates in place, deletes disappear,
and changes outside the current view leave it alone."""

from __future__ import annotations

import re

from admin_tui import announcer
from kds_contract import Status
from tests.admin_tui.conftest import bar, ready, settled, shown_ids, table, wait_for
from tests.admin_tui.seeding import order_payload, seed


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
            lambda: any(f"New order {new.id}." in n.message for n in app._notifications),
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

        # A new (pending) order does not match: the view stays, a hint counts it.
        new = await rest.create_order(order_payload(50))
        await wait_for(pilot, lambda: bar(app).new_count == 1, "the new-orders hint")
        assert shown_ids(app) == [orders[0].id]
        assert bar(app).total == 1
        await wait_for(
            pilot,
            lambda: any(
                f"New order {new.id} (not on this page)" in n.message for n in app._notifications
            ),
            "the notification",
        )

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


async def test_a_burst_of_new_orders_is_gathered_into_few_notices_and_bells(
    console_app, rest, monkeypatch
) -> None:
    # A wide window, so that even a loaded machine sees the creations as a burst or two.
    monkeypatch.setattr(announcer, "GATHER_SECONDS", 2.0)
    await seed(rest, 2)
    app = console_app(bell=True)
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]

    def announced() -> int:
        """New orders the notifications told of, summaries and single notices alike."""
        count = 0
        for notice in app._notifications:
            if match := re.match(r"(\d+) new orders?", notice.message):
                count += int(match.group(1))
            elif notice.message.startswith("New order"):
                count += 1
        return count

    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        burst = await seed(rest, 20, start=100)
        newest = sorted((o.id for o in burst), reverse=True)
        per_page = bar(app).order_query.per_page
        await wait_for(pilot, lambda: bar(app).total == 22, "every new order counted")
        await wait_for(pilot, lambda: shown_ids(app) == newest[:per_page], "newest on top")
        await wait_for(pilot, lambda: announced() == 20, "every new order announced")
        notices = len(app._notifications)
        assert notices < 20, "a burst is gathered, not told order by order"
        assert 1 <= len(rings) <= notices, "at most one bell per gathered notice"
