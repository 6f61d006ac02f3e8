"""The admin console's webhooks screen (health, failing since, enable/disable, replay) and
an order's failed deliveries on its detail screen, driven with Pilot against a real server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from admin_tui import make_app
from admin_tui.screens.webhooks import WebhooksScreen
from kds_client import KdsRest
from tests.admin_tui.conftest import notices, open_detail, ready
from tests.outbox.conftest import FAST_RETRIES
from tests.support import ui
from tests.support.receivers import Reply, WebhookReceiver
from tests.support.server import ServerProcess
from tests.support.ui import plain, text_of


@pytest.fixture
def receivers() -> Iterator[tuple[WebhookReceiver, WebhookReceiver]]:
    good, bad = WebhookReceiver().start(), WebhookReceiver().start()
    bad.reply = Reply(500)
    yield good, bad
    good.stop()
    bad.stop()


async def wait_for(pilot: Pilot, condition: Any, what: str) -> Any:
    """With room for a server that answers slowly: each step here is a round trip to it
    (and its worker's deliveries) on a shared machine."""
    return await ui.wait_for(pilot, condition, what, timeout=30)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_webhooks_screen_shows_health_switches_and_replays(
    server_factory: Callable[..., ServerProcess],
    receivers: tuple[WebhookReceiver, WebhookReceiver],
    size: tuple[int, int],
) -> None:
    good, bad = receivers
    server = server_factory(env=FAST_RETRIES)
    async with KdsRest(server.url, server.tokens["admin"]) as rest:
        await rest.add_webhook(good.url, description="till")
        await rest.add_webhook(bad.url, description="delivery service")
        order = await rest.create_order({"items": [{"name": "Burger"}]})
        good.wait(lambda r: len(r.ok_calls()) == 1)
        bad.wait(lambda r: len(r.calls) == 4)  # the first and three retries

        app = make_app(server.url, server.tokens["admin"], bell=False)
        async with app.run_test(size=size) as pilot:
            await ready(pilot)
            await pilot.press("h")
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, WebhooksScreen) and app.screen, "webhooks"
            )
            assert isinstance(screen, WebhooksScreen)
            table = screen.query_one(DataTable)
            await wait_for(pilot, lambda: table.row_count == 2, "both endpoints listed")
            await wait_for(
                pilot, lambda: "Failed for good" in text_of(screen, "webhook-failed"), "failures"
            )
            assert "ok" in plain(table.get_row_at(0)[1])
            assert "failing since" in plain(table.get_row_at(1)[1])
            assert "HTTP 500" in text_of(screen, "webhook-failed")
            assert f"order {order.id}" in text_of(screen, "webhook-failed")

            await pilot.press("down")
            assert "delivery service" in text_of(screen, "webhook-detail")
            assert "last error" in text_of(screen, "webhook-detail")
            await pilot.press("e")

            async def disabled() -> bool:
                return not (await rest.webhooks())[1].enabled

            await wait_for(
                pilot,
                lambda: "disabled: disabled by an admin" in text_of(screen, "webhook-detail"),
                "the endpoint shown disabled",
            )
            assert await disabled()
            await pilot.press("e")
            await wait_for(
                pilot,
                lambda: "disabled" not in text_of(screen, "webhook-detail"),
                "the endpoint shown enabled",
            )

            bad.reply = Reply(200)
            await pilot.press("p")
            await pilot.press("backspace", "0", "enter")
            await wait_for(
                pilot,
                lambda: any("queued again" in n for n in notices(app)),
                "the replay's notice",
            )
            await wait_for(pilot, lambda: len(bad.ok_calls()) == 1, "the replayed delivery")

            # The order's detail lists what failed for it, with the error.
            await pilot.press("escape")
            detail = await open_detail(pilot)
            await wait_for(
                pilot,
                lambda: "Failed deliveries" in text_of(detail, "failed-deliveries"),
                "the failed deliveries",
            )
            assert "order.created to webhook 2" in text_of(detail, "failed-deliveries")
            assert "HTTP 500" in text_of(detail, "failed-deliveries")
