"""An order's detail screen: every field, items with done marks, history from the event log."""

from __future__ import annotations

from admin_tui import make_app
from admin_tui.screens.detail import OrderDetailScreen
from admin_tui.screens.orders import OrdersScreen
from kds_client import ConnectionState, KdsRest, LiveFeed
from kds_contract import Status
from tests.admin_tui.conftest import FAST, notices, open_detail, ready, settled, shown_ids
from tests.admin_tui.seeding import order_payload
from tests.support.client import TcpProxy
from tests.support.ui import plain, text_of, wait_for


async def test_detail_shows_fields_items_and_history(console_app, rest) -> None:
    order = await rest.create_order(order_payload(1) | {"notes": "nut allergy", "priority": "rush"})
    await rest.move(order.id, Status.PREPARING)
    await rest.mark_item(order.id, order.items[0].id, True)
    await rest.edit_order(order.id, {"customer_name": "Zoe"})
    await rest.move(order.id, Status.READY)

    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert shown_ids(app) == [order.id]
        screen = await open_detail(pilot)
        await wait_for(pilot, lambda: "by" in text_of(screen, "history"), "the history")

        summary = text_of(screen, "summary")
        assert f"Order {order.id}" in summary
        assert "ready" in summary and "RUSH" in summary
        assert "nut allergy" in summary
        assert "Zoe" in summary
        assert "version 5" in summary

        items = text_of(screen, "items")
        assert "[x]" in items and "Pizza" in items  # order_payload(1): Pizza, marked done
        assert "[ ]" in items and "Cola" in items and "+ no ice" in items

        history = plain(screen.query_one("#history").content, width=200)
        admin = "(admin)"
        expected = [
            "created (pending): 2x Pizza @grill, 1x Cola +no ice",
            "pending -> preparing",
            "Pizza done",
            "customer: Bob -> Zoe",
            "preparing -> ready",
        ]
        lines = [line for line in history.splitlines() if any(e in line for e in expected)]
        assert [next(e for e in expected if e in line) for line in lines] == expected
        assert all(admin in line for line in lines), "each by the admin token, named"

        # A change made elsewhere shows up on the open detail screen.
        await rest.move(order.id, Status.COMPLETED)
        await wait_for(
            pilot, lambda: "ready -> completed" in text_of(screen, "history"), "the new event"
        )
        assert "completed" in text_of(screen, "summary")

        await pilot.press("escape")
        assert isinstance(app.screen, OrdersScreen)


async def test_detail_of_a_deleted_order(console_app, rest, server) -> None:
    order = await rest.create_order(order_payload(2))
    gone = await rest.create_order(order_payload(4))
    async with KdsRest(server.url, server.token("admin", name="night-manager")) as manager:
        await manager.edit_order(gone.id, {"notes": "no nuts"})
        await manager.delete_order(gone.id)
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        screen = await open_detail(pilot)
        await settled(pilot)
        await rest.delete_order(order.id)
        await wait_for(pilot, lambda: "was deleted" in text_of(screen, "summary"), "deleted")
        await wait_for(pilot, lambda: "deleted" in text_of(screen, "history"), "the delete event")
        await pilot.press("m")
        assert any("no longer exists" in n for n in notices(app))

        # A deleted order stays findable by its number: its history says who deleted it.
        await pilot.press("escape", "slash", *f"#{gone.id}", "enter")
        found = await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, OrderDetailScreen)
                and app.screen.order_id == gone.id
                and "deleted" in text_of(app.screen, "history")
                and app.screen
            ),
            "the deleted order's history",
        )
        history = plain(found.query_one("#history").content, width=200)
        assert "notes: - -> 'no nuts'" in history
        deleted = next(line for line in history.splitlines() if " deleted " in f" {line} ")
        assert "night-manager (admin)" in deleted
        assert f"Order {gone.id} was deleted" in text_of(found, "summary")


async def test_history_loads_by_itself_once_live_again(server, rest) -> None:
    order = await rest.create_order(order_payload(3))
    proxy = await TcpProxy(server.port).start()
    token = server.tokens["admin"]
    through = KdsRest(proxy.url, token, timeout=2.0)
    feed = LiveFeed(proxy.url, token, rooms=("admin",), rest=through, **FAST)
    app = make_app(proxy.url, token, rest=through, feed=feed, bell=False)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            assert shown_ids(app) == [order.id]
            await proxy.stop()  # the server goes away
            await wait_for(
                pilot, lambda: app.feed_status.state != ConnectionState.LIVE, "the cut noticed"
            )
            screen = await open_detail(pilot)
            await wait_for(
                pilot, lambda: "not loaded" in text_of(screen, "history"), "the failure told"
            )

            proxy = await TcpProxy(server.port, port=proxy.port).start()  # and comes back
            await wait_for(
                pilot, lambda: "created (pending)" in text_of(screen, "history"), "the history"
            )
    finally:
        await proxy.stop()
