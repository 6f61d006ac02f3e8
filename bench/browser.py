"""The browser kitchen board (issue 14): event to page updated with 300 open tickets, and
the page's memory over a long run of changes, in Debian's Chromium driven by Playwright.

- ``latency``: changes (a status move or an item marked) are made one at a time through the
  REST API; the page records, for each event, the time from the Socket.IO event reaching the
  page's client to the board's DOM updated and laid out (``page_ms``: the board's own cost)
  and from the REST call being sent to that moment (``api_to_page_ms``: the whole path).
- ``memory``: changes at 5 a second for ``minutes`` (2 by default, 60 with ``--full``); the
  page's JS heap after a garbage collection and its DOM node count, sampled every 20 s.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import latency_summary, print_table, start_kds
from bench.seed import post_orders

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OPEN_TICKETS = 300
SAMPLES = 200
INSTRUMENT = """() => {
  window.benchTimes = [];
  window.kdsBoard.socket.prependAny((event, data) => {
    const t0 = performance.now();
    // Socket.IO calls the board's own handler right after this one, in the same task:
    // a microtask runs when it has updated the DOM.
    queueMicrotask(() => {
      document.body.offsetHeight; // style and layout, as the next frame would need them
      const t1 = performance.now();
      window.benchTimes.push([data.seq, t1 - t0, performance.timeOrigin + t1]);
    });
  });
}"""


async def _change(
    session: aiohttp.ClientSession, url: str, rng: random.Random, ids: list[int]
) -> int:
    """One change on a random open order (it stays open); returns its seq."""
    order_id = rng.choice(ids)
    async with session.get(f"{url}/api/orders/{order_id}") as answer:
        order = (await answer.json())["order"]
    if rng.random() < 0.5:
        target = "preparing" if order["status"] == "pending" else "pending"
        path, body = f"/api/orders/{order_id}/status", {"status": target}
    else:
        item = rng.choice(order["items"])
        path, body = f"/api/orders/{order_id}/items/{item['id']}", {"done": not item["done"]}
    async with session.patch(url + path, data=json.dumps(body)) as answer:
        assert answer.status == 200, await answer.text()
        return int((await answer.json())["seq"])


async def _board(playwright: Any, server: Any) -> tuple[Any, Any]:
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    page = await (await browser.new_context(viewport={"width": 1920, "height": 1080})).new_page()
    await page.goto(f"{server.url}/board/kitchen#token={server.tokens['kitchen']}")
    await page.wait_for_selector("#conn[data-state='live']", timeout=60_000)
    await page.wait_for_function(
        "(n) => document.querySelectorAll('.ticket').length >= n", arg=OPEN_TICKETS
    )
    return browser, page


async def _heap(cdp: Any) -> dict[str, float]:
    await cdp.send("HeapProfiler.collectGarbage")
    usage = await cdp.send("Runtime.getHeapUsage")
    metrics = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
    return {
        "heap_mb": round(usage["usedSize"] / 2**20, 2),
        "dom_nodes": metrics.get("Nodes", 0),
        "listeners": metrics.get("JSEventListeners", 0),
    }


async def _run(full: bool) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    server = start_kds("browser")
    rng = random.Random(14)
    headers = {
        "Authorization": f"Bearer {server.tokens['admin']}",
        "Content-Type": "application/json",
    }
    try:
        ids = await post_orders(server.url, server.tokens["admin"], OPEN_TICKETS)
        async with (
            async_playwright() as playwright,
            aiohttp.ClientSession(headers=headers) as session,
        ):
            browser, page = await _board(playwright, server)
            await page.evaluate(INSTRUMENT)
            sent: dict[int, float] = {}
            for _ in range(SAMPLES):
                started = time.time() * 1000
                seq = await _change(session, server.url, rng, ids)
                sent[seq] = started
                await page.wait_for_function(
                    "(seq) => window.benchTimes.some((t) => t[0] === seq)", arg=seq
                )
            times = await page.evaluate("window.benchTimes")
            page_ms = [t[1] / 1000 for t in times]
            api_ms = [(t[2] - sent[t[0]]) / 1000 for t in times if t[0] in sent]

            minutes = 60.0 if full else 2.0
            cdp = await page.context.new_cdp_session(page)
            await cdp.send("Performance.enable")
            await page.evaluate("window.benchTimes = []")
            samples = [{"t_s": 0, **(await _heap(cdp))}]
            started = time.monotonic()
            changes = 0
            next_sample = 20.0
            while (elapsed := time.monotonic() - started) < minutes * 60:
                await _change(session, server.url, rng, ids)
                changes += 1
                if elapsed >= next_sample:
                    await page.evaluate("window.benchTimes = []")
                    samples.append({"t_s": round(elapsed), **(await _heap(cdp))})
                    next_sample += 20.0
                await asyncio.sleep(max(0.0, changes / 5 - (time.monotonic() - started)))
            samples.append({"t_s": round(time.monotonic() - started), **(await _heap(cdp))})
            tickets = await page.evaluate("document.querySelectorAll('.ticket').length")
            await browser.close()
    finally:
        server.stop()
    first, last = samples[1] if len(samples) > 2 else samples[0], samples[-1]
    hours = max(1e-9, (last["t_s"] - first["t_s"]) / 3600)
    return {
        "open_tickets": OPEN_TICKETS,
        "tickets_shown": tickets,
        "page_ms": latency_summary(page_ms),
        "api_to_page_ms": latency_summary(api_ms),
        "memory": {
            "minutes": minutes,
            "changes": changes,
            "samples": samples,
            "heap_growth_mb_per_hour": round((last["heap_mb"] - first["heap_mb"]) / hours, 2),
            "dom_nodes_start_end": [first["dom_nodes"], last["dom_nodes"]],
        },
    }


def browser(
    *, full: bool = False, runs: int | None = None, baseline: Path | None = None
) -> dict[str, Any]:
    """Run the browser board benchmark (``runs`` and ``baseline`` do not apply)."""
    result = asyncio.run(_run(full))
    rows = [
        {"what": "event -> board updated (in the page)", **result["page_ms"]},
        {"what": "REST call -> board updated", **result["api_to_page_ms"]},
    ]
    print_table(f"kitchen board, {OPEN_TICKETS} open tickets, Chromium", rows, list(rows[0]))
    memory = result["memory"]
    print(
        f"memory: {memory['changes']} changes in {memory['minutes']} min; heap "
        f"{memory['samples'][0]['heap_mb']} -> {memory['samples'][-1]['heap_mb']} MB "
        f"({memory['heap_growth_mb_per_hour']} MB/h); DOM nodes {memory['dom_nodes_start_end']}"
    )
    return result
