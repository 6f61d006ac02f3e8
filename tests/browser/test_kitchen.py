"""The kitchen board in Chromium: the token handled safely, taps through the REST API,
refusals in the server's words, undo, the station filter, every word shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.browser.conftest import SIZES, api, create, move, shot
from tests.support.server import ServerProcess

LONG_NOTE = (
    "SEVERE PEANUT ALLERGY: no peanuts, no peanut oil, clean the grill and use fresh gloves "
    "and a separate board; the guest carries an EpiPen and asked twice"
)


def status_of(server: ServerProcess, order_id: int) -> str:
    return str(api(server, "GET", f"/api/orders/{order_id}")["order"]["status"])


async def test_the_token_is_taken_from_the_fragment_kept_and_never_sent_in_a_url(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    token = server.tokens["kitchen"]
    order = create(server)
    watched = await open_page(f"{server.url}/board/kitchen#token={token}", "tablet")
    page = watched.page
    await page.wait_for_selector("#conn[data-state='live']")
    await page.wait_for_selector(f".ticket[data-id='{order['id']}']")
    assert "token" not in page.url, "the token is removed from the address bar"
    assert await page.evaluate("localStorage.getItem('kds.kitchen.token')") == token
    await page.reload()
    await page.wait_for_selector("#conn[data-state='live']")
    await page.wait_for_selector(f".ticket[data-id='{order['id']}']")
    assert all(token not in url for url in watched.urls), "the token must not be in a URL"
    assert token not in server.log_text(), "the token must not be logged"
    assert watched.hosts() == {f"127.0.0.1:{server.port}"}, watched.urls
    assert not watched.errors, watched.errors


async def test_a_refused_token_says_so_and_a_new_one_can_be_given(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    page = (await open_page(f"{server.url}/board/kitchen#token=not-a-token", "tablet")).page
    await page.wait_for_selector("#conn[data-state='refused']")
    assert "refused" in (await page.text_content("#stale")).lower()
    await page.fill("#token-input", server.tokens["kitchen"])
    await page.click("#token-form button")
    await page.wait_for_selector("#conn[data-state='live']")
    assert await page.is_hidden("#token-form")


async def test_taps_move_the_order_through_the_api_and_undo_takes_the_last_back(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    order = create(server, items=[{"name": "Burger"}, {"name": "Fries"}])
    page = (await open_page(f"{server.url}/board/kitchen#token={server.tokens['kitchen']}")).page
    ticket = f".ticket[data-id='{order['id']}']"
    await page.wait_for_selector("#conn[data-state='live']")
    assert await page.get_attribute("#sound", "data-on") == "false"
    await page.click(f"{ticket} .head")
    await page.wait_for_selector(f"{ticket}[data-status='preparing']")
    assert status_of(server, order["id"]) == "preparing"
    assert await page.get_attribute("#sound", "data-on") == "true", "the first tap allows sound"
    await page.click(f"{ticket} .item[data-item='1']")
    await page.wait_for_selector(f"{ticket} .item.done[data-item='1']")
    assert api(server, "GET", f"/api/orders/{order['id']}")["order"]["items"][0]["done"] is True
    await page.click(f"{ticket} .head")
    await page.wait_for_selector(f"{ticket}[data-status='ready']")
    assert status_of(server, order["id"]) == "ready"
    await page.click("#undo")
    await page.wait_for_selector(f"{ticket}[data-status='preparing']")
    assert status_of(server, order["id"]) == "preparing"
    await page.click(f"{ticket} .head")
    await page.wait_for_selector(f"{ticket}[data-status='ready']")
    await page.click(f"{ticket} .head")  # bump
    await page.wait_for_selector(ticket, state="detached")
    assert status_of(server, order["id"]) == "completed"


async def test_a_refusal_is_shown_in_the_servers_words(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    page = (await open_page(f"{server.url}/board/kitchen#token={server.tokens['kitchen']}")).page
    await page.wait_for_selector("#conn[data-state='live']")
    second = create(server)
    await page.wait_for_selector(f".ticket[data-id='{second['id']}']")
    move(server, second["id"], "preparing")  # the board hears it, then taps...
    await page.wait_for_selector(f".ticket[data-id='{second['id']}'][data-status='preparing']")
    # ...on a version that another screen has just made stale:
    api(server, "PATCH", f"/api/orders/{second['id']}/items/1", {"done": True})
    await page.wait_for_selector(f".ticket[data-id='{second['id']}'] .item.done")
    await page.evaluate(
        f"window.kdsBoard.store.orders.get({second['id']}).version -= 1"
    )  # the board has not heard of that change yet
    await page.click(f".ticket[data-id='{second['id']}'] .head")
    toast = page.locator(".toast.error")
    await toast.wait_for()
    text = await toast.text_content()
    assert f"#{second['id']}:" in text and "has changed" in text, text


async def test_the_station_filter_shows_that_stations_items_and_finishes_its_part(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    order = create(
        server,
        items=[{"name": "Steak", "station": "grill"}, {"name": "Salad", "station": "cold"}],
    )
    other = create(server, items=[{"name": "Soup", "station": "cold"}])
    page = (
        await open_page(
            f"{server.url}/board/kitchen?station=grill#token={server.tokens['kitchen']}"
        )
    ).page
    ticket = f".ticket[data-id='{order['id']}']"
    await page.wait_for_selector("#conn[data-state='live']")
    await page.wait_for_selector(ticket)
    assert await page.locator(f".ticket[data-id='{other['id']}']").count() == 0
    assert await page.locator(f"{ticket} .item").all_text_contents() == ["1\u00d7 Steak"]
    await page.click(f"{ticket} .head")  # start
    await page.wait_for_selector(f"{ticket}[data-status='preparing']")
    await page.click(f"{ticket} .head")  # the grill's part is done: it leaves this board
    await page.wait_for_selector(ticket, state="detached")
    found = api(server, "GET", f"/api/orders/{order['id']}")["order"]
    assert found["status"] == "preparing", "the salad is not made: the order is not ready"
    assert [i["done"] for i in found["items"]] == [True, False]


async def test_every_word_of_a_long_ticket_is_shown_at_every_size(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    order = create(
        server,
        notes=LONG_NOTE,
        priority="rush",
        items=[
            {
                "name": "Supercalifragilisticexpialidocious-burger-with-everything",
                "quantity": 3,
                "modifiers": ["no peanut sauce", "extra pickles", "gluten-free bun"],
                "notes": "cut in half, no sesame",
            }
        ],
    )
    for n in range(8):
        create(server, items=[{"name": f"Dish {n}"}])
    for size in SIZES:
        watched = await open_page(
            f"{server.url}/board/kitchen#token={server.tokens['kitchen']}", size
        )
        page = watched.page
        ticket = page.locator(f".ticket[data-id='{order['id']}']")
        await ticket.wait_for()
        text = " ".join((await ticket.inner_text()).split())
        for words in (
            LONG_NOTE,
            "Supercalifragilisticexpialidocious-burger-with-everything",
            "no peanut sauce",
            "gluten-free bun",
            "cut in half, no sesame",
        ):
            assert " ".join(words.split()) in text, (size, words)
        clipped = await page.evaluate(
            """(id) => [...document.querySelectorAll(`.ticket[data-id='${id}'] *`)]
                 .filter((e) => e.scrollWidth > e.clientWidth + 1
                   && getComputedStyle(e).overflow !== 'visible')
                 .map((e) => e.className)""",
            order["id"],
        )
        assert clipped == [], (size, clipped)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES[size][0], (size, width)
        assert await page.locator(".ticket").first.get_attribute("data-id") == str(order["id"])
        marks = await ticket.locator("mark.allergen").all_text_contents()
        assert {"PEANUT", "ALLERGY", "sesame"} <= set(marks), marks
        await shot(page, f"kitchen-{size}")
        assert not watched.errors, watched.errors
