"""Browser boards say what they are when they join: the kitchen board (with its station) and
the pickup TV are listed by GET /api/screens while open, and as gone once closed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.browser.conftest import api, create
from tests.support.client import wait_for
from tests.support.server import ServerProcess


def _screens(server: ServerProcess) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in api(server, "GET", "/api/screens")["screens"]}


async def test_browser_boards_are_listed_while_open_and_gone_after(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    create(server, items=[{"name": "Steak", "station": "grill"}])
    token = server.tokens["kitchen"]
    kitchen = await open_page(
        f"{server.url}/board/kitchen?station=grill&name=grill-tv#token={token}", "tv"
    )
    pickup = await open_page(f"{server.url}/board/pickup?name=counter-tv", "tv")
    for watched in (kitchen, pickup):
        await watched.page.wait_for_selector("#conn[data-state='live']")

    async def listed(connected: bool) -> bool:
        found = await asyncio.to_thread(_screens, server)
        return all(
            name in found and found[name]["connected"] is connected
            for name in ("grill-tv", "counter-tv")
        )

    await wait_for(lambda: listed(True), message="both boards listed as online")
    found = await asyncio.to_thread(_screens, server)
    assert (found["grill-tv"]["kind"], found["grill-tv"]["station"]) == ("kitchen_board", "grill")
    assert found["counter-tv"]["kind"] == "pickup_board"
    covers = {c["station"]: c for c in api(server, "GET", "/api/screens")["stations"]}
    assert covers["grill"]["seen"] and covers["grill"]["screens_online"] == 1
    assert kitchen.errors == [] and pickup.errors == []

    for watched in (kitchen, pickup):
        await watched.page.context.close()
    await wait_for(lambda: listed(False), message="both boards listed as gone")
