"""The console rides out a network cut: the state is shown, actions are refused while
offline, and after the cut the table converges on the server's orders."""

from __future__ import annotations

from admin_tui import make_app
from admin_tui.widgets.connection_bar import ConnectionBar
from kds_client import ConnectionState, KdsRest, LiveFeed
from kds_contract import Status
from tests.admin_tui.conftest import FAST, notices, ready, settled, shown_ids, table
from tests.admin_tui.seeding import order_payload, seed
from tests.support.client import TcpProxy
from tests.support.ui import wait_for


async def test_network_cut_then_converge(server, rest) -> None:
    orders = await seed(rest, 4)
    proxy = await TcpProxy(server.port).start()
    token = server.tokens["admin"]
    through = KdsRest(proxy.url, token)
    feed = LiveFeed(proxy.url, token, rooms=("admin",), rest=through, **FAST)
    app = make_app(proxy.url, token, rest=through, feed=feed, bell=False)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            bar = app.screen.query_one(ConnectionBar)
            assert "LIVE" in str(bar.render())

            proxy.cut()
            created = await rest.create_order(order_payload(10))
            await rest.move(orders[-1].id, Status.PREPARING)
            await rest.delete_order(orders[-2].id)
            await wait_for(
                pilot,
                lambda: app.feed_status.state != ConnectionState.LIVE,
                "the console to notice the cut",
            )
            assert "LIVE" not in str(bar.render()).split("127.0.0.1")[0]

            # While offline an action is refused in words, and nothing is sent.
            await pilot.press("m", "1")
            await wait_for(
                pilot,
                lambda: any("offline" in n for n in notices(app)),
                "the offline refusal",
            )

            proxy.heal()
            await wait_for(
                pilot, lambda: app.feed_status.state == ConnectionState.LIVE, "live again"
            )
            await settled(pilot)
            page = await rest.list_orders(since=None, per_page=50, sort="-id")
            await wait_for(
                pilot,
                lambda: shown_ids(app) == [o.id for o in page.orders],
                "the table to converge",
            )
            assert shown_ids(app)[0] == created.id
            assert table(app).order(orders[-1].id).status == Status.PREPARING
            assert orders[-2].id not in shown_ids(app)
    finally:
        await proxy.stop()
