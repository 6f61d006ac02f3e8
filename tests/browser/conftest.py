"""Browser tests: the real server and Debian's Chromium, driven by Playwright for Python.

Playwright's own browser download is not used: Chromium is launched from
``/usr/bin/chromium`` (``apt-get install chromium``; .ci/run installs it). Without it, or
without Playwright, these tests skip, and fail under ``KDS_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.server import ServerProcess

CHROMIUM = os.environ.get("KDS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = {"phone": (320, 640), "tablet": (1024, 768), "tv": (1920, 1080)}


def _unavailable(reason: str) -> None:
    if os.environ.get("KDS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason}, and KDS_REQUIRE_SERVICES=1 says browser tests must run")
    pytest.skip(f"{reason}; install it to run the browser tests")


@pytest.fixture
def chromium_ready() -> None:
    """Skip (or fail under KDS_REQUIRE_SERVICES=1) without Playwright or Chromium."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[dev]')")
    if not os.path.exists(CHROMIUM):
        _unavailable(f"Chromium is not at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture
async def chromium(chromium_ready: None) -> AsyncIterator[Any]:
    """A headless Chromium (Debian's), closed after the test."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


class Watched:
    """A page with every request, WebSocket and console error it made recorded."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.urls: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("websocket", lambda ws: self.urls.append(ws.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )

    def hosts(self) -> set[str]:
        return {urlsplit(url).netloc for url in self.urls if not url.startswith("data:")}


@pytest.fixture
def open_page(chromium: Any) -> Callable[..., Any]:
    """``await open_page(url, size="phone")``: a new page at one of SIZES, watched
    (``init_script``: JavaScript run before the page's own)."""

    async def make(
        url: str, size: str = "tablet", *, init_script: str | None = None, **context_args: Any
    ) -> Watched:
        width, height = SIZES[size]
        context = await chromium.new_context(
            viewport={"width": width, "height": height}, **context_args
        )
        if init_script is not None:  # runs in the page before its own scripts
            await context.add_init_script(init_script)
        page = await context.new_page()
        watched = Watched(page)
        await page.goto(url)
        return watched

    return make


async def shot(page: Any, name: str) -> None:
    """Keep a screenshot in ``$KDS_SCREENSHOTS`` (when set), to look at."""
    folder = os.environ.get("KDS_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        await page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=False)


def api(server: ServerProcess, method: str, path: str, body: Any = None, role: str = "admin"):
    """One REST call as ``role`` (the tests' own hand, beside the browser's)."""
    request = urllib.request.Request(
        server.url + path,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Authorization": f"Bearer {server.tokens[role]}",
            "Content-Type": "application/json",
        },
        method=method,
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def create(server: ServerProcess, **fields: Any) -> dict[str, Any]:
    body = {"items": [{"name": "Burger"}], **fields}
    return api(server, "POST", "/api/orders", body, role="pos")["order"]  # type: ignore[no-any-return]


def move(server: ServerProcess, order_id: int, status: str) -> dict[str, Any]:
    return api(server, "PATCH", f"/api/orders/{order_id}/status", {"status": status})["order"]  # type: ignore[no-any-return]
