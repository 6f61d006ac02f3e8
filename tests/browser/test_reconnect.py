"""Pages open through a server kill -9 and restart: they say they are not live, reconnect by
themselves and catch up with what changed while they were away."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.browser.conftest import api, create, move
from tests.support.server import ServerProcess, free_port


async def test_pages_reconnect_after_kill_9_and_catch_up(
    server_factory: Callable[..., ServerProcess], open_page: Callable[..., Any], tmp_path: Any
) -> None:
    server = server_factory(data_dir=tmp_path / "data")
    tracked = create(server, customer_name="Ada")
    kept = create(server, items=[{"name": "Burger"}, {"name": "Fries"}])
    track = (await open_page(f"{server.url}/track/{tracked['tracking_code']}", "phone")).page
    pickup = (await open_page(f"{server.url}/board/pickup", "tv")).page
    kitchen = (
        await open_page(f"{server.url}/board/kitchen#token={server.tokens['kitchen']}", "tablet")
    ).page
    pages = (track, pickup, kitchen)
    for page in pages:
        await page.wait_for_selector("#conn[data-state='live']")

    server.kill()
    for page in pages:
        await page.wait_for_selector("#conn:not([data-state='live'])")
    assert await pickup.is_visible("#stale") and await kitchen.is_visible("#stale")

    # While the pages are away, the same database is changed by a server they cannot reach.
    away = ServerProcess(server.data_dir, db_url=server.db_url, port=free_port()).start()
    try:
        move(away, tracked["id"], "preparing")
        move(away, tracked["id"], "ready")
        api(away, "PATCH", f"/api/orders/{kept['id']}/items/2", {"done": True})
        made = create(away, items=[{"name": "Pancakes"}])
    finally:
        away.stop()

    server.start()  # the same port: the pages' own reconnect finds it
    for page in pages:
        await page.wait_for_selector("#conn[data-state='live']", timeout=30_000)
    await track.wait_for_function("() => document.getElementById('status').textContent === 'Ready'")
    await pickup.wait_for_selector(f"#ready .tile[aria-label='Order {tracked['id']}']")
    await pickup.wait_for_selector(f"#preparing .tile[aria-label='Order {made['id']}']")
    await kitchen.wait_for_selector(f".ticket[data-id='{made['id']}']")
    await kitchen.wait_for_selector(f".ticket[data-id='{kept['id']}'] .item.done[data-item='2']")
    status = await kitchen.get_attribute(f".ticket[data-id='{tracked['id']}']", "data-status")
    assert status == "ready"

    # And live again: a change now reaches every page without a reload.
    move(server, tracked["id"], "completed")
    await track.wait_for_function(
        "() => document.getElementById('status').textContent === 'Collected'"
    )
    await pickup.wait_for_selector(
        f"#ready .tile[aria-label='Order {tracked['id']}']", state="detached"
    )
    await kitchen.wait_for_selector(f".ticket[data-id='{tracked['id']}']", state="detached")
