"""Liveness and readiness of a real server while its database or Redis goes away (through
the TCP proxy) and comes back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.proxy import TcpProxy
from tests.support.server import ServerProcess
from tests.support.services import PG_PORT, redis_url


async def _ready_again(api: Api) -> None:
    async def ready() -> bool:
        return (await api.get("/readyz")).status == 200

    await wait_for(ready, 20, interval=0.2, message="/readyz back to 200")


async def test_livez_and_readyz_answer_without_a_token(server: ServerProcess) -> None:
    async with Api(server.url) as api:
        live = await api.get("/livez")
        assert (live.status, live.body) == (200, {"status": "ok"})
        ready = await api.get("/readyz")
        assert ready.status == 200
        assert ready.body == {"status": "ready", "checks": {"database": "ok"}, "failing": []}
        assert ready.headers.get("X-Request-ID")


@pytest.mark.postgres
async def test_readyz_names_the_database_while_postgres_is_unreachable(
    server_factory: Callable[..., ServerProcess], pg_url: str
) -> None:
    proxy = await TcpProxy(PG_PORT).start()
    try:
        proxied = pg_url.replace(f":{PG_PORT}/", f":{proxy.port}/")
        server = await asyncio.to_thread(server_factory, db_url=proxied)
        async with Api(server.url) as api:
            assert (await api.get("/readyz")).status == 200
            await proxy.stop()  # PostgreSQL goes away: connections close, new ones are refused
            down = await api.get("/readyz")
            assert down.status == 503, down.body
            assert down.body["failing"] == ["database"]
            assert down.body["checks"]["database"].startswith("unreachable")
            assert (await api.get("/livez")).status == 200, "alive all the same"
            proxy = await TcpProxy(PG_PORT, port=proxy.port).start()
            await _ready_again(api)
    finally:
        await proxy.stop()


@pytest.mark.redis
@pytest.mark.parametrize("how", ["refused", "silent"])
async def test_readyz_names_redis_while_redis_is_unreachable(
    server_factory: Callable[..., ServerProcess], how: str
) -> None:
    port = int(redis_url().rsplit(":", 1)[1].split("/")[0])
    proxy = await TcpProxy(port).start()
    try:
        server = await asyncio.to_thread(
            server_factory, extra_args=("--redis", f"redis://127.0.0.1:{proxy.port}/0")
        )
        async with Api(server.url) as api:
            ready = await api.get("/readyz")
            assert ready.status == 200, ready.body
            assert ready.body["checks"] == {"database": "ok", "redis": "ok"}
            if how == "silent":
                proxy.cut()  # connections stay open and nothing is answered
            else:
                await proxy.stop()

            async def not_ready() -> bool:
                return (await api.get("/readyz")).status == 503

            # Redis is pinged every 2 s (server.redis_health): no request has to notice.
            await wait_for(not_ready, 15, interval=0.2, message="/readyz 503 naming redis")
            down = await api.get("/readyz")
            assert down.status == 503, down.body
            assert down.body["failing"] == ["redis"]
            assert down.body["checks"]["database"] == "ok"
            if how == "silent":
                assert "no answer within" in down.body["checks"]["redis"]
                proxy.heal()
            else:
                proxy = await TcpProxy(port, port=proxy.port).start()
            await _ready_again(api)
            assert (await api.get("/api/health")).status == 200
    finally:
        await proxy.stop()
