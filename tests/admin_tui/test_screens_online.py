"""The screens-online view: the console lists itself and a kitchen screen, a screen that
left stands out, and a station with open tickets and no screen is a warning."""

from __future__ import annotations

import socketio

from admin_tui.screens.screens_online import ScreensOnlineScreen
from kds_contract.screens import ScreenHello, ScreenKind
from tests.admin_tui.conftest import ready
from tests.support.ui import text_of, wait_for


async def test_screens_online_shows_who_is_there_and_who_went_quiet(
    console_app, rest, server
) -> None:
    await rest.create_order({"items": [{"name": "Fries", "station": "fry"}]})
    grill = socketio.AsyncClient(reconnection=False)
    await grill.connect(
        server.url, auth={"token": server.tokens["kitchen"]}, transports=["websocket"]
    )
    hello = ScreenHello(kind=ScreenKind.KITCHEN_BOARD, station="grill", name="grill-tablet")
    assert (await grill.call("join:kitchen", hello.payload(), timeout=5))["ok"]

    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("w")
        screen = await wait_for(
            pilot, lambda: isinstance(app.screen, ScreensOnlineScreen) and app.screen, "screens"
        )

        def listing() -> str:
            return text_of(screen, "screen-list")

        def warnings() -> str:
            return text_of(screen, "screen-warnings")

        await wait_for(pilot, lambda: "grill-tablet" in listing(), "the grill's tablet")
        assert "kitchen (browser)" in listing() and "console" in listing()
        assert "station fry: 1 open ticket, no kitchen screen online" in warnings()
        assert "GONE" not in listing()

        await grill.disconnect()
        await wait_for(pilot, lambda: "GONE" in listing(), "the tablet shown as gone")
        first = listing().splitlines()[1]
        assert "GONE" in first and "grill-tablet" in first, "a quiet screen comes first"
        await pilot.press("escape")
        assert not isinstance(app.screen, ScreensOnlineScreen)
