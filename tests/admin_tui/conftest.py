"""Helpers for driving the admin console against a real server (those both apps' tests
use are in tests/support/ui.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from admin_tui import AdminApp, make_app
from admin_tui.screens.detail import OrderDetailScreen
from admin_tui.screens.orders import OrdersScreen
from admin_tui.widgets.filter_bar import FilterBar
from admin_tui.widgets.orders_table import OrdersTable
from kds_client import ConnectionState, KdsRest
from tests.support.server import ServerProcess
from tests.support.ui import wait_for

FAST = {"check_interval": 1.0, "backoff_base": 0.2, "backoff_max": 1.0, "connect_timeout": 2.0}
"""Live-feed timings for tests that cut the network: notice and retry within a second or two."""


@pytest.fixture
def rest(admin: KdsRest) -> KdsRest:
    """A client of the test server with the admin token, for setting the scene."""
    return admin


@pytest.fixture
def console_app(server: ServerProcess) -> Callable[..., AdminApp]:
    """Build the console on the test server, as ``kds-admin`` would (no bell in tests)."""

    def build(**kwargs: Any) -> AdminApp:
        return make_app(server.url, server.tokens["admin"], **{"bell": False, **kwargs})

    return build


def orders_screen(app: AdminApp) -> OrdersScreen:
    """The main screen, wherever it is on the stack."""
    return next(s for s in app.screen_stack if isinstance(s, OrdersScreen))


def table(app: AdminApp) -> OrdersTable:
    return orders_screen(app).query_one(OrdersTable)


def bar(app: AdminApp) -> FilterBar:
    return orders_screen(app).query_one(FilterBar)


def shown_ids(app: AdminApp) -> list[int]:
    """Order ids in the table, top to bottom."""
    return [order.id for order in table(app).orders]


async def ready(pilot: Pilot) -> AdminApp:
    """Wait until the console is live and showed its first page."""
    app = pilot.app
    assert isinstance(app, AdminApp)
    await wait_for(
        pilot,
        lambda: app.feed_status is not None and app.feed_status.state == ConnectionState.LIVE,
        "the live feed",
    )
    await wait_for(
        pilot, lambda: bar(app).total is not None and not bar(app).loading_page, "the first page"
    )
    return app


async def settled(pilot: Pilot) -> None:
    """Let queued page loads finish."""
    app = pilot.app
    await wait_for(pilot, lambda: not bar(app).loading_page, "the page to load")  # type: ignore[arg-type]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_detail(pilot: Pilot, *keys: str) -> OrderDetailScreen:
    """Press ``keys`` (Enter: the selected order) and wait for the order's screen."""
    app = pilot.app
    await pilot.press(*(keys or ("enter",)))
    screen: OrderDetailScreen = await wait_for(
        pilot,
        lambda: isinstance(app.screen, OrderDetailScreen) and app.screen,
        "the detail screen",
    )
    return screen


def notices(app: AdminApp) -> list[str]:
    """The notices shown so far (title and message), on a notice line or as toasts."""
    return list(app.notice_log)
