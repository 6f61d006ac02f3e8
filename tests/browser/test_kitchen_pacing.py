"""The kitchen board's scheduling and pacing in Chromium, against a real server that fires
scheduled orders itself: the upcoming strip counting down, an order fired at its time onto
the board without a reload, held items greyed with their countdown until their fire time
(and never marked done by a tap), fire now with a second tap or key, past due.

Fire times are seconds away, and every wait is for a condition on the page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.browser.conftest import SIZES, api, create, shot
from tests.support.server import ServerProcess

FIRES_WITHIN_MS = 20_000
"""How long a test waits for a fire time a few seconds away (the server fires within 1 s;
a shared machine may be slow)."""


def iso_in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def order_of(server: ServerProcess, order_id: int) -> dict[str, Any]:
    return api(server, "GET", f"/api/orders/{order_id}")["order"]  # type: ignore[no-any-return]


async def board(
    server: ServerProcess,
    open_page: Callable[..., Any],
    size: str = "tablet",
    query: str = "",
    **context: Any,
) -> Any:
    watched = await open_page(
        f"{server.url}/board/kitchen{query}#token={server.tokens['kitchen']}", size, **context
    )
    await watched.page.wait_for_selector("#conn[data-state='live']")
    return watched


async def text_changes(page: Any, selector: str, timeout: float = 5_000) -> None:
    """Wait until the text of ``selector`` is no longer what it is now."""
    before = await page.text_content(selector)
    await page.wait_for_function(
        """([sel, before]) => {
          const n = document.querySelector(sel);
          return n && n.textContent !== before;
        }""",
        arg=[selector, before],
        timeout=timeout,
    )


def patches(page: Any) -> list[str]:
    """The PATCH requests the page sends from now on (method and path)."""
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "PATCH" else None)
    return sent


async def refused(page: Any) -> None:
    """Wait for the board to say that a tap marked nothing, its items being held, and until
    when (a toast shown after the tap: the earlier ones are cleared first)."""
    await page.wait_for_selector(".toast.info >> text=/not fired yet, .*: .* fires in 0:/")
    await page.evaluate("document.getElementById('toasts').replaceChildren()")


async def contrast(page: Any, selector: str) -> float:
    """The WCAG contrast ratio of an element's text against the colour behind it."""
    return float(
        await page.evaluate(
            """(sel) => {
              const node = document.querySelector(sel);
              const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 4).map(Number);
              const lum = ([r, g, b]) => [r, g, b].map((v) => {
                v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
              }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
              let back = node;
              const clear = (n) => rgb(getComputedStyle(n).backgroundColor)[3] === 0;
              while (back && clear(back)) back = back.parentElement;
              const fg = lum(rgb(getComputedStyle(node).color));
              const bg = lum(rgb(getComputedStyle(back || document.body).backgroundColor));
              if (parseFloat(getComputedStyle(node).opacity) < 1) return 0;
              return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
            }""",
            selector,
        )
    )


async def test_a_scheduled_order_counts_down_in_upcoming_then_fires_onto_the_board(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    watched = await board(server, open_page)
    page = watched.page
    await page.click("#title")  # a tap: the board may ring
    assert await page.is_hidden("#upcoming"), "no scheduled order: no strip"
    order = create(
        server,
        table="4",
        items=[{"name": "Steak", "prep_seconds": 60}],
        due_at=iso_in(60 + 8),
    )
    assert order["status"] == "scheduled"
    entry = f"#upcoming .up[data-id='{order['id']}']"
    await page.wait_for_selector(entry)
    text = " ".join((await page.inner_text(entry)).split())
    assert f"#{order['id']} T4 in 0:0" in text, text
    assert "due" in text and "Fire now" in text, text
    assert await page.locator(f".ticket[data-id='{order['id']}']").count() == 0
    await text_changes(page, f"{entry} .up-in")  # the countdown moves
    rings = await page.evaluate("window.kdsBoard.rings")

    ticket = f".ticket[data-id='{order['id']}']"
    await page.wait_for_selector(ticket, timeout=FIRES_WITHIN_MS)  # fired: no reload
    await page.wait_for_selector(entry, state="detached")
    assert await page.is_hidden("#upcoming")
    fired = order_of(server, order["id"])
    assert fired["status"] == "pending"
    assert await page.get_attribute(ticket, "data-status") == "pending"
    assert await page.evaluate("window.kdsBoard.rings") == rings + 1, "a fired order rings"
    # The ticket's timer runs from its fire time, not from when it was taken.
    assert await page.get_attribute(ticket, "data-started") == fired["fire_at"]
    timer = await page.text_content(f"{ticket} .timer")
    assert timer is not None and timer.startswith("00:0"), timer
    assert "due" in (await page.text_content(f"{ticket} .meta") or "")
    assert not watched.errors, watched.errors


async def test_held_items_are_greyed_counting_down_and_no_tap_marks_them_done_before_they_fire(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    watched = await board(server, open_page)
    page = watched.page
    order = create(
        server,
        items=[
            {"name": "Steak", "prep_seconds": 14, "station": "grill"},
            {
                "name": "Caesar salad",
                "prep_seconds": 2,
                "station": "cold",
                "modifiers": ["NO anchovies"],
                "notes": "sesame allergy",
            },
        ],
    )
    ticket = f".ticket[data-id='{order['id']}']"
    salad = f"{ticket} .item[data-item='2']"
    await page.wait_for_selector(f"{salad}.held")
    assert await page.locator(f"{ticket} .item[data-item='1'].held").count() == 0
    words = " ".join((await page.inner_text(salad)).split())
    for said in ("◷", "1\u00d7 Caesar salad", "NO anchovies", "sesame allergy", "fires in 0:"):
        assert said in words, words
    assert await contrast(page, f"{salad} .line") >= 4.5, "greyed, still readable"
    assert await contrast(page, f"{salad} .fires") >= 4.5
    await text_changes(page, f"{salad} .fires")  # the countdown moves

    sent = patches(page)
    await page.click(salad, force=True)  # a held item (aria-disabled): nothing is marked
    await refused(page)
    await page.click(f"{ticket} .head")  # starting the order is fine
    await page.wait_for_selector(f"{ticket}[data-status='preparing']")
    assert "Not ready" in (await page.text_content(f"{ticket} .hint") or "")
    sent.clear()
    await page.click(f"{ticket} .head")  # marking it ready is not: the salad is held
    await refused(page)
    assert sent == [], sent
    found = order_of(server, order["id"])
    assert found["status"] == "preparing"
    assert [item["done"] for item in found["items"]] == [False, False]

    await page.wait_for_selector(f"{salad}:not(.held)", timeout=FIRES_WITHIN_MS)
    assert await page.locator(f"{salad} .fires").count() == 0
    await page.click(salad)  # fired: a tap marks it done now
    await page.wait_for_selector(f"{salad}.done")
    assert order_of(server, order["id"])["items"][1]["done"] is True
    assert not watched.errors, watched.errors


async def test_a_stations_item_appears_at_its_fire_time_with_the_bell(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    watched = await board(server, open_page, query="?station=cold")
    page = watched.page
    await page.click("#title")  # a tap: the board may ring
    order = create(
        server,
        items=[
            {"name": "Steak", "prep_seconds": 14, "station": "grill"},
            {"name": "Soup", "prep_seconds": 14, "station": "cold"},
            {"name": "Caesar salad", "prep_seconds": 2, "station": "cold"},
        ],
    )
    ticket = f".ticket[data-id='{order['id']}']"
    soup, salad = f"{ticket} .item[data-item='2']", f"{ticket} .item[data-item='3']"
    await page.wait_for_selector(f"{salad}.held")  # what is coming, and when
    await shot(page, "kitchen-station-held")
    assert "fires in 0:" in (await page.text_content(f"{salad} .fires") or "")
    assert await page.locator(f"{ticket} .item").count() == 2, "the cold station's items only"
    assert await page.locator(f"{soup}.held").count() == 0
    await page.click(f"{ticket} .head")  # start
    await page.wait_for_selector(f"{ticket}[data-status='preparing']")
    sent = patches(page)
    await page.click(f"{ticket} .head")  # what has fired is done; the salad is to come
    await page.wait_for_selector(f"{soup}.done")
    await page.wait_for_selector(".toast.info >> text=/still to come: Caesar salad fires in 0:/")
    assert len(sent) == 1 and sent[0].endswith("/items/2"), sent
    hint = await page.text_content(f"{ticket} .hint")
    assert hint is not None and "held until their fire time" in hint, hint
    rings = await page.evaluate("window.kdsBoard.rings")
    sent.clear()
    await page.click(f"{ticket} .head")  # only a held item is left: nothing is marked
    await refused(page)
    await page.click(salad, force=True)
    await refused(page)
    assert sent == [], sent
    assert [i["done"] for i in order_of(server, order["id"])["items"]] == [False, True, False]

    await page.wait_for_selector(f"{salad}:not(.held)", timeout=FIRES_WITHIN_MS)
    await page.wait_for_selector(f".toast.info >> text=#{order['id']}: start 1x Caesar salad")
    assert await page.evaluate("window.kdsBoard.rings") == rings + 1, "its fire time rings"
    await page.click(f"{ticket} .head")  # the cold part is done now
    await page.wait_for_selector(ticket, state="detached")
    assert [i["done"] for i in order_of(server, order["id"])["items"]] == [False, True, True]
    assert not watched.errors, watched.errors


async def test_fire_now_asks_for_a_second_tap_or_key_then_sends_it_to_the_kitchen(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    watched = await board(server, open_page)
    page = watched.page
    first = create(server, items=[{"name": "Lasagne", "prep_seconds": 600}], due_at=iso_in(3600))
    second = create(
        server,
        customer_name="Ana",
        order_type="takeout",
        items=[{"name": "Pie", "prep_seconds": 600}],
        due_at=iso_in(7200),
    )
    entry = f"#upcoming .up[data-id='{first['id']}']"
    await page.wait_for_selector(f"#upcoming .up[data-id='{second['id']}']")
    assert "in 50:00" in (await page.text_content(f"{entry} .up-in") or "") or "in 49:5" in (
        await page.text_content(f"{entry} .up-in") or ""
    )
    assert await page.locator("#upcoming .up").all_inner_texts() != []
    ids = await page.eval_on_selector_all("#upcoming .up", "(n) => n.map((e) => +e.dataset.id)")
    assert ids == [first["id"], second["id"]], "the next to fire first"

    await page.click(f"{entry} .up-fire")  # the first tap asks
    await page.wait_for_selector(
        f"{entry}.armed .up-fire >> text=Tap again to fire #{first['id']} now"
    )
    await shot(page, "kitchen-fire-armed")
    assert order_of(server, first["id"])["status"] == "scheduled"
    await page.click(f"{entry} .up-fire")  # the second sends it
    await page.wait_for_selector(f".ticket[data-id='{first['id']}'][data-status='pending']")
    await page.wait_for_selector(entry, state="detached")
    assert order_of(server, first["id"])["status"] == "pending"

    # The keys: f asks, f again fires the selected (▸) one.
    second_entry = f"#upcoming .up[data-id='{second['id']}']"
    await page.wait_for_selector(f"{second_entry}.selected")
    await page.keyboard.press("f")
    await page.wait_for_selector(f"{second_entry}.armed")
    await page.keyboard.press("Escape")  # taken back
    await page.wait_for_selector(f"{second_entry}:not(.armed)")
    await page.keyboard.press("f")
    await page.keyboard.press("f")
    await page.wait_for_selector(f".ticket[data-id='{second['id']}']")
    await page.wait_for_selector("#upcoming", state="hidden")
    assert order_of(server, second["id"])["status"] == "pending"
    assert not watched.errors, watched.errors


async def test_a_ticket_past_its_due_time_says_so(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    page = (await board(server, open_page)).page
    # Due before its prep time is over: in the kitchen at once, past due in 2 s.
    order = create(server, items=[{"name": "Steak", "prep_seconds": 600}], due_at=iso_in(2))
    assert order["status"] == "pending"
    ticket = f".ticket[data-id='{order['id']}']"
    await page.wait_for_selector(ticket)
    assert await page.locator(f"{ticket} .past-due").count() == 0
    await page.wait_for_selector(
        f"{ticket}[data-past-due='true'] .past-due", timeout=FIRES_WITHIN_MS
    )
    assert "⏰ PAST DUE" in (await page.text_content(f"{ticket} .past-due") or "")


async def test_the_paced_board_at_tv_and_tablet_size_shows_every_word(
    server: ServerProcess, open_page: Callable[..., Any]
) -> None:
    for n, minutes in enumerate((25, 40, 55, 70, 85, 100, 115, 130)):
        create(
            server,
            table=str(n + 2),
            items=[{"name": "Roast", "prep_seconds": 1200}],
            due_at=iso_in(minutes * 60),
        )
    paced = create(
        server,
        table="12",
        notes="SEVERE PEANUT ALLERGY: no peanuts, no peanut oil",
        items=[
            {"name": "Ribeye steak medium-rare", "prep_seconds": 900, "station": "grill"},
            {
                "name": "Caesar salad with extra-long-hyphenated-dressing-instructions",
                "prep_seconds": 240,
                "station": "cold",
                "modifiers": ["NO croutons", "dressing on the side"],
            },
        ],
    )
    create(server, items=[{"name": "Fish and chips", "prep_seconds": 600}], due_at=iso_in(1))
    create(server, items=[{"name": "Burger"}, {"name": "Fries"}])
    for size, scheme in (
        ("tv", "light"),
        ("tablet", "light"),
        ("tablet", "dark"),
        ("phone", "light"),
    ):
        watched = await board(server, open_page, size, color_scheme=scheme)
        page = watched.page
        ticket = page.locator(f".ticket[data-id='{paced['id']}']")
        await ticket.locator(".item.held").wait_for()
        await page.wait_for_selector(".ticket .past-due", timeout=FIRES_WITHIN_MS)
        await page.wait_for_selector("#upcoming .up-more")
        text = " ".join((await ticket.inner_text()).split())
        for words in (
            "Ribeye steak medium-rare",
            "Caesar salad with extra-long-hyphenated-dressing-instructions",
            "NO croutons",
            "dressing on the side",
        ):
            assert words in text, (size, words, text)
        held = f".ticket[data-id='{paced['id']}'] .item.held"
        for part in (".line", ".mods li", ".fires"):
            assert await contrast(page, f"{held} {part}") >= 4.5, (scheme, part)
        assert re.search("◷ 1\u00d7 Caesar salad .* fires in 1[01]:\\d\\d", text), (size, text)
        clipped = await page.evaluate(
            """() => [...document.querySelectorAll('.ticket *, #upcoming *')]
                 .filter((e) => e.scrollWidth > e.clientWidth + 1
                   && getComputedStyle(e).overflow !== 'visible')
                 .map((e) => e.className)"""
        )
        assert clipped == [], (size, clipped)
        assert await page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
        await shot(page, f"kitchen-paced-{size}-{scheme}")
        await page.click("#upcoming .up-more")  # every scheduled order, on a tap
        await page.wait_for_function(
            "document.querySelectorAll('#upcoming .up:not([hidden])').length === 8"
        )
        await shot(page, f"kitchen-paced-{size}-{scheme}-all-upcoming")
        assert not watched.errors, watched.errors


async def test_a_device_whose_clock_is_off_counts_down_with_the_server(
    server: ServerProcess, chromium: Any
) -> None:
    """A tablet 7 minutes slow: its countdowns are the server's (from the answers' Date
    headers), and its held items fire when the server says, not 7 minutes later."""
    context = await chromium.new_context(viewport={"width": 1024, "height": 768})
    await context.clock.install(time=datetime.now(UTC) - timedelta(minutes=7))
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"{server.url}/board/kitchen#token={server.tokens['kitchen']}")
    await page.wait_for_selector("#conn[data-state='live']")
    offset = await page.evaluate("window.kdsBoard.serverClock.offset")
    assert abs(offset - 7 * 60_000) < 2_000, offset
    order = create(
        server,
        items=[
            {"name": "Steak", "prep_seconds": 12},
            {"name": "Caesar salad", "prep_seconds": 2},
        ],
    )
    later = create(server, items=[{"name": "Pie", "prep_seconds": 60}], due_at=iso_in(60 + 30))
    salad = f".ticket[data-id='{order['id']}'] .item[data-item='2']"
    await page.wait_for_selector(f"{salad}.held")
    assert re.fullmatch(r"fires in 0:(0\d|1[01])", await page.text_content(f"{salad} .fires") or "")
    up = f"#upcoming .up[data-id='{later['id']}'] .up-in"
    assert re.fullmatch(r"in 0:(2\d|3[01])", await page.text_content(up) or "")
    timer = await page.text_content(f".ticket[data-id='{order['id']}'] .timer")
    assert timer in ("00:00", "00:01", "00:02"), timer
    await page.wait_for_selector(f"{salad}:not(.held)", timeout=FIRES_WITHIN_MS)
    assert not errors, errors
    await context.close()
