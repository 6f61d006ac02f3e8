"""The customer's tracking page in Chromium: its order only, live, at every size."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.browser.conftest import SIZES, create, move, shot
from tests.support.server import ServerProcess

ORDER = {
    "items": [
        {"name": "Cheeseburger", "quantity": 2, "modifiers": ["no onion"], "notes": "nut allergy"},
        {"name": "Fries", "station": "fry"},
    ],
    "customer_name": "Ada",
    "notes": "call 555-0100",
    "total_cents": 1850,
    "table": "12",
}


async def test_the_tracking_page_shows_the_order_live_at_every_size(
    server_factory: Callable[..., ServerProcess], open_page: Callable[..., Any]
) -> None:
    server = server_factory(extra_args=("--restaurant-name", "Chez Ada"))
    order = create(server, **ORDER)
    url = f"{server.url}/track/{order['tracking_code']}"
    pages = {size: await open_page(url, size) for size in SIZES}
    for size, watched in pages.items():
        page = watched.page
        await page.wait_for_selector("#conn[data-state='live']")
        assert await page.text_content("#number") == str(order["id"])
        assert await page.text_content("#status") == "Received"
        assert await page.text_content("#restaurant") == "Chez Ada"
        items = await page.locator("#items li").all_text_contents()
        assert items == ["2 \u00d7 Cheeseburger", "1 \u00d7 Fries"]
        body = await page.text_content("body")
        for private in ("555-0100", "nut allergy", "18.50", "1850", "no onion", "Table"):
            assert private not in body, (size, private)
        assert await page.get_attribute("#status", "aria-live") == "polite"
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES[size][0], f"{size}: the page scrolls sideways ({width} px)"
        await shot(page, f"track-{size}-received")

    move(server, order["id"], "preparing")
    for watched in pages.values():
        await watched.page.wait_for_function(
            "() => document.getElementById('status').textContent === 'Preparing'"
        )
    move(server, order["id"], "ready")
    for size, watched in pages.items():
        page = watched.page
        await page.wait_for_function("() => document.title.startsWith('✅ Ready')")
        assert await page.text_content("#status") == "Ready"
        assert await page.is_visible("#ready-at")
        await shot(page, f"track-{size}-ready")
    for watched in pages.values():
        assert watched.hosts() == {f"127.0.0.1:{server.port}"}, watched.urls
        assert not watched.errors, watched.errors


async def test_a_dark_mode_phone_reads_the_page_and_a_cancelled_order_says_so(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    order = create(server)
    watched = await open_page(
        f"{server.url}/track/{order['tracking_code']}", "phone", color_scheme="dark"
    )
    page = watched.page
    await page.wait_for_selector("#conn[data-state='live']")
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(16, 18, 20)", "dark mode follows the phone's setting"
    move(server, order["id"], "cancelled")
    await page.wait_for_function(
        "() => document.getElementById('status').textContent === 'Cancelled'"
    )
    assert await page.is_hidden("#steps")
    await shot(page, "track-phone-dark-cancelled")


async def test_an_unknown_code_is_a_404_page(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    watched = await open_page(f"{server.url}/track/{'Z' * 22}", "phone")
    page = watched.page
    assert "Order not found" in await page.text_content("h1")
    response = await page.request.get(f"{server.url}/track/{'Y' * 22}")
    assert response.status == 404


RECORD_NOTICES = """
window.__seen = { notifications: [], vibrations: [], tones: 0 };
window.__hidden = false;
Object.defineProperty(document, "hidden", { get: () => window.__hidden, configurable: true });
const RealNotification = window.Notification;
window.Notification = class extends RealNotification {
  constructor(title, options) {
    super(title, options);
    window.__seen.notifications.push({ title, body: options && options.body });
  }
};
navigator.vibrate = (pattern) => { window.__seen.vibrations.push(pattern); return true; };
const realStart = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) {
  window.__seen.tones += 1;
  return realStart.apply(this, args);
};
"""
"""Records what the page asks of the browser (notifications, vibration, tones), passing each
call on; and lets the test put the page in a background tab (``document.hidden``)."""


async def test_tell_me_when_ready_notifies_chimes_and_vibrates_in_a_background_tab(
    server_factory: Callable[..., ServerProcess], open_page: Callable[..., Any]
) -> None:
    server = server_factory(extra_args=("--restaurant-name", "Chez Ada"))
    order = create(server, **ORDER)
    url = f"{server.url}/track/{order['tracking_code']}"
    asked = await open_page(url, "phone", init_script=RECORD_NOTICES, permissions=["notifications"])
    silent = await open_page(url, "phone", init_script=RECORD_NOTICES)
    for watched in (asked, silent):
        await watched.page.wait_for_selector("#conn[data-state='live']")
    await asked.page.click("#notify")
    await asked.page.wait_for_selector("#notify[aria-pressed='true']")
    note = await asked.page.text_content("#notify-note")
    assert note is not None and "chime and vibrate" in note
    for watched in (asked, silent):
        await watched.page.evaluate("window.__hidden = true")  # the customer switched tabs

    move(server, order["id"], "preparing")
    move(server, order["id"], "ready")
    await asked.page.wait_for_function("() => window.__seen.notifications.length > 0")
    await silent.page.wait_for_function("() => document.title.startsWith('✅ Ready')")
    seen = await asked.page.evaluate("window.__seen")
    assert seen["notifications"] == [{"title": f"Order {order['id']} is ready", "body": "Chez Ada"}]
    assert seen["vibrations"] == [[200, 100, 200]]
    assert seen["tones"] == 3, "a three-note chime"
    assert await asked.page.is_hidden("#notify"), "nothing left to ask for once it is ready"
    unasked = await silent.page.evaluate("window.__seen")
    assert unasked == {"notifications": [], "vibrations": [], "tones": 0}, (
        "nothing rings for a customer who did not ask"
    )
    for watched in (asked, silent):
        assert not watched.errors, watched.errors
