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

    assert len(seen) == 2, "sent once more on a new connection, then to the next server"
    assert seen[0].headers["Idempotency-Key"] == seen[1].headers["Idempotency-Key"]
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


async def test_the_first_requests_after_a_server_restart_just_work(server):
    """A script's kept-alive connection to a server that was stopped and started again (its
    loop busy meanwhile, so the closed connection is only found on use) is not a failure."""
    async with (
        KdsRest(server.url, server.tokens["admin"]) as rest,
        KdsRest(server.url, server.tokens["pos"]) as till,
    ):
        first = await till.create_order({"items": [{"name": "Soup"}]})
        assert (await rest.get_order(first.id)).id == first.id  # a kept-alive connection each

        server.stop()  # blocking on purpose: the client's loop does not run meanwhile
        server.start()
        second = await till.create_order({"items": [{"name": "Bread"}]})
        moved_after_restart = None
        server.stop()
        server.start()
        moved_after_restart = await rest.move(first.id, "preparing", version=1)
        server.stop()
        server.start()
        marked = await rest.mark_item(first.id, 1, True)
        listing = await rest.list_orders()

    assert second.id == first.id + 1
    assert moved_after_restart.status == "preparing"
    assert marked.items[0].done
    assert [o.id for o in listing.orders] == [second.id, first.id], "no order made twice"
