"""A browser till on another origin: the origins ``--cors-origin`` allows may use the REST
API (preflight, token, Idempotency-Key, the headers a till reads), others may not."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.support.server import ServerProcess

TILL = """<!doctype html><title>till</title><script>
async function till(url, token) {
  const body = JSON.stringify({items: [{name: "Burger"}], table: "7"});
  const headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json",
                   "Idempotency-Key": "browser-till-0001"};
  const out = {};
  try {
    let r = await fetch(url + "/api/orders", {method: "POST", headers, body});
    out.created = {status: r.status, body: await r.json()};
    r = await fetch(url + "/api/orders", {method: "POST", headers, body});
    out.replayed = {status: r.status, header: r.headers.get("Idempotent-Replayed")};
    r = await fetch(url + "/api/orders", {headers: {"Authorization": "Bearer kds_not_a_token"}});
    out.refused = {status: r.status, challenge: r.headers.get("WWW-Authenticate"),
                   code: (await r.json()).error.code};
  } catch (error) {
    out.error = String(error);
  }
  return out;
}
</script>"""


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


async def test_a_browser_till_on_an_allowed_origin_orders(
    server_factory: Callable[..., ServerProcess], chromium: Any
) -> None:
    browser = chromium
    async with other_origin(TILL) as page_url:
        origin = page_url.rstrip("/")
        server = server_factory(extra_args=("--cors-origin", origin))
        page = await browser.new_page()
        await page.goto(page_url)
        result: dict[str, Any] = await page.evaluate(
            "([url, token]) => till(url, token)", [server.url, server.tokens["pos"]]
        )
    assert "error" not in result, result
    assert result["created"]["status"] == 201
    assert result["created"]["body"]["order"]["table"] == "7"
    assert result["replayed"] == {"status": 201, "header": "true"}, "an exposed header"
    assert result["refused"] == {
        "status": 401,
        "challenge": 'Bearer realm="kds", error="invalid_token"',
        "code": "unauthorized",
    }


async def test_a_browser_on_another_origin_is_refused(server: ServerProcess, chromium: Any) -> None:
    async with other_origin(TILL) as page_url:
        page = await chromium.new_page()
        await page.goto(page_url)
        result = await page.evaluate(
            "([url, token]) => till(url, token)", [server.url, server.tokens["pos"]]
        )
    assert result == {"error": "TypeError: Failed to fetch"}
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}/api/orders", params={"per_page": 1}) as reply:
            pass
        listing = await _json(http, f"{server.url}/api/orders", server.tokens["admin"])
    assert reply.status == 401
    assert listing["total"] == 0, "the preflight stopped the order before it was sent"


async def test_the_preflight_names_methods_and_headers(
    server_factory: Callable[..., ServerProcess],
) -> None:
    origin = "http://pos.example"
    server = server_factory(extra_args=("--cors-origin", origin))
    preflight = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
    }
    async with aiohttp.ClientSession() as http:
        async with http.options(f"{server.url}/api/orders", headers=preflight) as allowed:
            allowed_headers = allowed.headers
        async with http.options(
            f"{server.url}/api/orders", headers={**preflight, "Origin": "http://evil.example"}
        ) as refused:
            refused_body = await refused.json()
        async with http.get(
            f"{server.url}/api/orders", headers={"Origin": origin, "Authorization": "Bearer x"}
        ) as error:
            error_headers = error.headers
    assert allowed.status == 204
    assert allowed_headers["Access-Control-Allow-Origin"] == origin
    assert set(allowed_headers["Access-Control-Allow-Methods"].split(", ")) == {
        "GET",
        "HEAD",
        "POST",
    }
    assert allowed_headers["Access-Control-Allow-Headers"] == (
        "Authorization, Content-Type, Idempotency-Key"
    )
    assert allowed_headers["Vary"] == "Origin"
    assert refused.status == 403 and refused_body["error"]["code"] == "origin_not_allowed"
    assert "--cors-origin http://evil.example" in refused_body["error"]["message"]
    assert error.status == 401, "errors carry the headers too, so a page can read them"
    assert error_headers["Access-Control-Allow-Origin"] == origin
    assert "Retry-After" in error_headers["Access-Control-Expose-Headers"]


async def _json(http: aiohttp.ClientSession, url: str, token: str) -> Any:
    async with http.get(url, headers={"Authorization": f"Bearer {token}"}) as reply:
        return await reply.json()
