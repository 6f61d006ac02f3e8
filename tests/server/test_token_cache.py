"""Tokens known to a server are kept between requests (SQLite), and a revocation still
takes effect at once: made by another process, by SQL on the file, or through the API,
while the server keeps writing orders."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing

import socketio

from tests.support.http import Api
from tests.support.server import ServerProcess


async def _in_use(api: Api) -> None:
    """The token used as a till does: orders made and read, several times over (each
    request after the first may be answered from what the server keeps)."""
    for _ in range(3):
        order = await api.create(table="5")
        assert (await api.get(f"/api/orders/{order['id']}")).status == 200


async def _refused(api: Api) -> None:
    """The next order from the token is refused as unauthorized."""
    refused = await api.post("/api/orders", {"items": [{"name": "Burger"}]})
    assert refused.status == 401, refused.body


async def test_a_token_revoked_by_sql_on_the_file_is_refused_at_once(
    server: ServerProcess,
) -> None:
    token = server.token("admin", name="till-sql")
    async with Api(server.url, token) as api:
        await _in_use(api)
        # Another connection to the file, as another process (a script, a backup tool,
        # `sqlite3` in a shell) would write it.
        with closing(sqlite3.connect(server.data_dir / "kds.db")) as other:
            other.execute(
                "UPDATE tokens SET revoked_at = '2026-01-01 00:00:00.000000' WHERE name = ?",
                ("till-sql",),
            )
            other.commit()
        await _refused(api)
        assert (await api.get("/api/orders")).status == 401
    client = socketio.AsyncClient(reconnection=False)
    try:
        await client.connect(server.url, auth={"token": token}, transports=["websocket"])
    except socketio.exceptions.ConnectionError:
        pass
    assert not client.connected, "a revoked token opens no socket"
    await client.disconnect()


async def test_a_token_revoked_by_the_command_line_is_refused_at_once(
    server: ServerProcess,
) -> None:
    token = server.token("admin", name="till-cli")
    async with Api(server.url, token) as api:
        await _in_use(api)
        server.cli("token", "revoke", "till-cli", check=True)
        await _refused(api)


async def test_a_token_revoked_through_the_api_is_refused_at_once_while_it_writes(
    server: ServerProcess,
) -> None:
    till_token = server.token("pos", name="till-api")
    async with Api(server.url, server.tokens["admin"]) as admin:
        till = admin.as_(till_token)
        await _in_use(till)
        listed = (await admin.get("/api/tokens")).body["tokens"]
        token_id = next(t["id"] for t in listed if t["name"] == "till-api")
        # The till keeps sending orders while the admin revokes it: once the revocation is
        # answered, not one more is accepted.
        revoked = asyncio.Event()
        after: list[int] = []

        async def keep_sending() -> None:
            while True:
                answered_after = revoked.is_set()
                reply = await till.post("/api/orders", {"items": [{"name": "Fries"}]})
                if answered_after:
                    after.append(reply.status)
                    if len(after) >= 5:
                        return

        sending = asyncio.create_task(keep_sending())
        await asyncio.sleep(0)
        reply = await admin.delete(f"/api/tokens/{token_id}")
        assert reply.status == 200, reply.body
        revoked.set()
        await sending
        assert after == [401] * 5
        assert (await till.get("/api/orders/1")).status == 401
