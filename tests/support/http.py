"""A thin HTTP helper for server tests (the server is tested on its own, not through the
client package)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.support.client import wait_for


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]

    @property
    def error(self) -> dict[str, Any]:
        assert isinstance(self.body, dict) and "error" in self.body, self.body
        return self.body["error"]  # type: ignore[no-any-return]


class Api:
    """Calls one server with one token; every answer must be JSON."""

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url
        self.token = token
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Api:
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._session is not None
        await self._session.close()

    def as_(self, token: str | None) -> Api:
        other = Api(self.url, token)
        other._session = self._session
        return other

    async def call(
        self,
        method: str,
        path: str,
        json: Any = None,
        *,
        data: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        params: Any = None,
    ) -> Reply:
        assert self._session is not None
        hdrs = dict(headers or {})
        if self.token is not None:
            hdrs.setdefault("Authorization", f"Bearer {self.token}")
        async with self._session.request(
            method, self.url + path, json=json, data=data, headers=hdrs, params=params
        ) as resp:
            text = await resp.text()
            assert resp.content_type == "application/json", (resp.status, text)
            import json as _json

            return Reply(resp.status, _json.loads(text), dict(resp.headers))

    async def get(self, path: str, **kw: Any) -> Reply:
        return await self.call("GET", path, **kw)

    async def post(self, path: str, json: Any = None, **kw: Any) -> Reply:
        return await self.call("POST", path, json, **kw)

    async def patch(self, path: str, json: Any = None, **kw: Any) -> Reply:
        return await self.call("PATCH", path, json, **kw)

    async def delete(self, path: str, **kw: Any) -> Reply:
        return await self.call("DELETE", path, **kw)

    async def deliveries(self, **query: Any) -> list[dict[str, Any]]:
        """``GET /api/deliveries`` (up to 1,000, newest first), filtered by ``query``."""
        reply = await self.get("/api/deliveries", params={"limit": 1000, **query})
        assert reply.status == 200, reply.body
        return reply.body["deliveries"]  # type: ignore[no-any-return]

    async def wait_all_sent(self, count: int, timeout: float = 20) -> None:
        """Wait until the server records ``count`` deliveries, every one of them sent."""

        async def all_sent() -> bool:
            found = await self.deliveries()
            return len(found) == count and all(d["state"] == "sent" for d in found)

        await wait_for(all_sent, timeout=timeout, message=f"{count} deliveries recorded as sent")

    async def create(self, **fields: Any) -> dict[str, Any]:
        body = {"items": [{"name": "Burger"}], **fields}
        reply = await self.post("/api/orders", body)
        assert reply.status == 201, reply.body
        return reply.body["order"]  # type: ignore[no-any-return]
