"""The pickup TV in Chromium: big numbers, never a scrollbar, live, no names by default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import create, move, shot
from tests.support.server import ServerProcess

FITS = """() => {
  const root = document.documentElement;
  const lists = [...document.querySelectorAll('.tiles')];
  return root.scrollHeight <= innerHeight && root.scrollWidth <= innerWidth &&
    lists.every((l) => l.scrollHeight <= l.clientHeight + 1);
}"""


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
async def test_the_board_fits_the_tv_and_says_how_many_more(
    server: ServerProcess, chromium: Any, size: tuple[int, int]
) -> None:
    made = [create(server, customer_name=f"Guest {n}") for n in range(80)]
    for order in made[:50]:
        move(server, order["id"], "preparing")
    for order in made[:40]:
        move(server, order["id"], "ready")
    context = await chromium.new_context(viewport={"width": size[0], "height": size[1]})
    page = await context.new_page()
    await page.goto(f"{server.url}/board/pickup")
    await page.wait_for_selector("#conn[data-state='live']")
    await page.wait_for_selector("#ready .tile")
    assert await page.evaluate(FITS), "the board must fit without scrolling"
    for column, count in (("preparing", 40), ("ready", 40)):
        tiles = await page.locator(f"#{column} .tile:not(.more)").all_text_contents()
        more = await page.locator(f"#{column} .more").text_content()
        assert more == f"+{count - len(tiles)} more"
        assert len(tiles) >= 6, f"{column}: only {len(tiles)} numbers on a {size} TV"
    # The newest ready order comes first; no names without --pickup-names.
    first = await page.locator("#ready .tile").first.text_content()
    assert first == str(made[39]["id"])
    assert "Guest" not in await page.text_content("body")
    await shot(page, f"pickup-{size[0]}x{size[1]}")


async def test_the_board_moves_numbers_live_and_highlights_new_ready_ones(
    server_factory: Callable[..., ServerProcess], open_page: Callable[..., Any]
) -> None:
    server = server_factory(extra_args=("--pickup-names",))
    first = create(server, customer_name="Ada")
    watched = await open_page(f"{server.url}/board/pickup", "tv")
    page = watched.page
    await page.wait_for_selector("#conn[data-state='live']")
    await page.wait_for_selector(f"#preparing .tile[aria-label='Order {first['id']}']")
    second = create(server, customer_name="Grace")
    await page.wait_for_selector(f"#preparing .tile[aria-label='Order {second['id']}']")
    move(server, first["id"], "preparing")
    move(server, first["id"], "ready")
    await page.wait_for_selector(f"#ready .tile.fresh[aria-label='Order {first['id']}']")
    assert "Ada" in await page.text_content("#ready")
    await shot(page, "pickup-tv-live")
    move(server, first["id"], "completed")
    await page.wait_for_selector(
        f"#ready .tile[aria-label='Order {first['id']}']", state="detached"
    )
    assert watched.hosts() == {f"127.0.0.1:{server.port}"}
    assert not watched.errors, watched.errors


async def test_phone_and_tablet_sizes_show_the_board_too(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    for n in range(12):
        create(server, customer_name=f"Guest {n}")
    for size in ("phone", "tablet"):
        page = (await open_page(f"{server.url}/board/pickup", size)).page
        await page.wait_for_selector("#preparing .tile")
        assert await page.evaluate(FITS), size
        await shot(page, f"pickup-{size}")
