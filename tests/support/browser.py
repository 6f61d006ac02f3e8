"""A real browser for tests: Playwright driving Debian's Chromium (Playwright's own browser
download is not used), and a second web origin to load pages from."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

CHROMIUM = "/usr/bin/chromium"


def _missing(message: str) -> None:
    if os.environ.get("KDS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message}, and KDS_REQUIRE_SERVICES=1 says it must be there")
    pytest.skip(message)


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    """A headless Chromium (a Playwright ``Browser``)."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[dev]')")
    if shutil.which(CHROMIUM) is None:
        _missing(f"{CHROMIUM} is missing (apt-get install chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def other_origin(html: str) -> AsyncIterator[str]:
    """A web server on another port (so another origin) serving ``html`` at ``/``."""

    async def page(_request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/"))
    finally:
        await server.close()
