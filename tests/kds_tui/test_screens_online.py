"""A real kitchen display (Pilot, against a real server) says what it is when it joins: the
admin's list of screens shows it while it runs, and as gone once it has stopped; kds-order
screens prints the same list."""

from __future__ import annotations

import asyncio

from kds_client import KdsRest
from kds_client.screens import app_version
from kds_tui import Settings, make_app
from tests.client.test_cli import kds_order
from tests.support.client import wait_for
from tests.support.server import ServerProcess


async def test_a_kitchen_display_is_listed_while_it_runs_and_gone_after(
    server: ServerProcess, admin: KdsRest
) -> None:
    await admin.create_order({"items": [{"name": "Fries", "station": "fry"}]})
    settings = Settings(
        urls=(server.url,),
        token=server.tokens["kitchen"],
        station="Grill",
        screen_name="grill-by-the-pass",
    )
    app = make_app(settings)  # the display as the command line builds it, its own feed

    async def state() -> bool | None:
        found = [s for s in (await admin.screens()).screens if s.name == "grill-by-the-pass"]
        return found[0].connected if found else None

    async with app.run_test(size=(120, 40)):
        await wait_for(lambda: _is(state, True), 15, message="the display listed as online")
        screen = next(s for s in (await admin.screens()).screens if s.name == "grill-by-the-pass")
        assert (screen.kind, screen.station, screen.version) == ("kitchen", "Grill", app_version())
        printed = await asyncio.to_thread(kds_order, server, "screens")
        assert printed.returncode == 0, printed.stderr
        assert "grill-by-the-pass" in printed.stdout and "online" in printed.stdout
        assert "WARNING: station fry: 1 open ticket and no kitchen screen online" in printed.stdout
    await wait_for(lambda: _is(state, False), 15, message="the display listed as gone")
    printed = await asyncio.to_thread(kds_order, server, "screens")
    assert "gone, seen" in printed.stdout


async def _is(state, expected: bool) -> bool:  # type: ignore[no-untyped-def]
    return await state() is expected
