"""Redis away between two processes: health says so, and a stock Socket.IO client on the
other process still hears every change, once, from the event log."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.server import ServerProcess
from tests.support.services import RedisProcess, postgres_database

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.node]

JS_DIR = Path(__file__).resolve().parents[1] / "js"


class StockClient:
    """tests/js/stock_client.mjs on one server: every event it prints, in arrival order."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.lines: list[dict[str, Any]] = []
        self.proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> StockClient:
        if shutil.which("node") is None or not (JS_DIR / "node_modules").is_dir():
            message = "node or tests/js/node_modules missing: run `npm ci --prefix tests/js`"
            if os.environ.get("KDS_REQUIRE_SERVICES") == "1":
                pytest.fail(message)
            pytest.skip(message)
        self.proc = await asyncio.create_subprocess_exec(
            "node",
            str(JS_DIR / "stock_client.mjs"),
            self.url,
            self.token,
            stdout=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())
        await wait_for(lambda: any("joined" in line for line in self.lines), timeout=20)
        return self

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while raw := await self.proc.stdout.readline():
            self.lines.append(json.loads(raw))

    def seqs(self) -> list[int]:
        return [line["data"]["seq"] for line in self.lines if "event" in line]

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        if self._reader is not None:
            await self._reader


async def _health(url: str) -> tuple[int, dict[str, Any]]:
    async with Api(url) as api:
        reply = await api.get("/api/health")
    return reply.status, reply.body


async def test_a_stock_client_hears_every_change_through_a_redis_outage(
    server_factory: Callable[..., ServerProcess], redis: RedisProcess
) -> None:
    with postgres_database() as pg_url:
        a = server_factory(db_url=pg_url, extra_args=("--redis", redis.url))
        b = server_factory(db_url=pg_url, extra_args=("--redis", redis.url))
        client = await StockClient(b.url, a.tokens["kitchen"]).start()
        try:
            async with Api(a.url, a.tokens["pos"]) as till:
                await till.create(table="1")
                await wait_for(lambda: client.seqs() == [1], timeout=10, message="via Redis")
                assert (await _health(b.url))[1]["redis"] == "ok"

                redis.stop()
                for proc in (a, b):
                    await wait_for(
                        lambda p=proc: _says_unreachable(p.url),
                        timeout=15,
                        message=f"{proc.url}'s health to say Redis is unreachable",
                    )
                status, body = await _health(b.url)
                assert status == 200 and body["status"] == "degraded", body
                assert body["database"] == "ok"

                await till.create(table="2")
                await till.create(table="3")
                await wait_for(
                    lambda: client.seqs() == [1, 2, 3],
                    timeout=15,
                    message=lambda: f"the changes made on A during the outage: {client.seqs()}",
                )

                redis.start()
                for proc in (a, b):
                    await wait_for(
                        lambda p=proc: _says_ok(p.url),
                        timeout=30,  # listening again backs off up to 2 s; a loaded CI
                        message=f"{proc.url}'s health to say Redis is back",
                    )
                await till.create(table="4")
                await wait_for(lambda: client.seqs() == [1, 2, 3, 4], timeout=10)
                # Nothing arrives twice, by Redis and the log both.
                await asyncio.sleep(2.5)  # two rounds of the log check: a late double shows
            assert client.seqs() == [1, 2, 3, 4]
            tables = [line["data"]["order"]["table"] for line in client.lines if "event" in line]
            assert tables == ["1", "2", "3", "4"]
        finally:
            await client.stop()
            a.kill()
            b.kill()


async def _says_unreachable(url: str) -> bool:
    _, body = await _health(url)
    return str(body.get("redis", "")).startswith("unreachable since ")


async def _says_ok(url: str) -> bool:
    status, body = await _health(url)
    return status == 200 and body.get("redis") == "ok" and body["status"] == "ok"
