"""When a request is lost on the way, the client sends it again elsewhere only if that cannot
make a change twice: a GET, or a create (which always carries an idempotency key)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from kds_client import KdsRest, Offline


@pytest.fixture
async def dropping() -> AsyncIterator[tuple[str, list[web.Request]]]:
    """A server that reads each request, remembers it, then drops the connection unanswered."""
    seen: list[web.Request] = []

    async def drop(request: web.Request) -> web.StreamResponse:
        await request.read()
        seen.append(request)
        assert request.transport is not None
        request.transport.close()
        raise web.HTTPInternalServerError  # never sent: the connection is gone

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", drop)
    server = TestServer(app)
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/"), seen
    finally:
        await server.close()


async def test_a_lost_create_is_sent_again_with_the_same_key(shared_server, dropping):
    lossy, seen = dropping
    async with KdsRest([lossy, shared_server.url], shared_server.tokens["admin"]) as rest:
        order = await rest.create_order({"items": [{"name": "Dumplings"}]})
        again = await rest.create_order(
            {"items": [{"name": "Dumplings"}]}, idempotency_key=seen[0].headers["Idempotency-Key"]
        )

    assert len(seen) == 1
    assert again.id == order.id, "the server saw the same key: the same order, not a second"


async def test_a_lost_move_is_not_sent_again(shared_server, dropping):
    lossy, seen = dropping
    async with KdsRest([lossy, shared_server.url], shared_server.tokens["admin"]) as rest:
        with pytest.raises(Offline, match="may or may not have been made"):
            await rest.move(1, "preparing")

    assert [r.method for r in seen] == ["PATCH"]


async def test_a_lost_read_is_asked_again_of_the_next_server(shared_server, dropping):
    lossy, _ = dropping
    async with KdsRest([lossy, shared_server.url], shared_server.tokens["admin"]) as rest:
        health = await rest.health()

        assert health["status"] == "ok"
        assert rest.url == shared_server.url
