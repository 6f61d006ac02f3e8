"""Who may do what: the role x endpoint matrix and the role x room matrix, both ways."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
import socketio

from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.server import ServerProcess

ADMIN, KITCHEN, POS, CUSTOMER = "admin", "kitchen", "pos", "customer"
# (method, path, body, roles allowed)
MATRIX: list[tuple[str, str, Any, set[str]]] = [
    ("POST", "/api/orders", {"items": [{"name": "B"}]}, {POS, ADMIN}),
    ("GET", "/api/orders", None, {KITCHEN, ADMIN}),
    ("GET", "/api/orders/{id}", None, {KITCHEN, ADMIN}),
    ("PATCH", "/api/orders/{id}/items/1", {"done": True}, {KITCHEN, ADMIN}),
    ("PATCH", "/api/orders/{id}/status", {"status": "preparing"}, {KITCHEN, ADMIN}),
    ("PATCH", "/api/orders/{id}", {"notes": "n"}, {ADMIN}),
    ("GET", "/api/orders/{id}/events", None, {ADMIN}),
    ("GET", "/api/events", None, {KITCHEN, ADMIN}),
    ("GET", "/api/stats", None, {ADMIN}),
    ("DELETE", "/api/orders/{id}", None, {ADMIN}),
]


@pytest.fixture
def tokens(server: ServerProcess) -> dict[str, str]:
    return {**server.tokens, CUSTOMER: server.token(CUSTOMER, user_id="cust-1")}


async def test_role_endpoint_matrix(server: ServerProcess, tokens: dict[str, str]) -> None:
    async with Api(server.url, tokens[ADMIN]) as admin:
        for method, template, body, allowed in MATRIX:
            for role in (ADMIN, KITCHEN, POS, CUSTOMER):
                if (method, template, role) == ("GET", "/api/orders/{id}", POS):
                    continue  # only the orders it made: test_a_till_reads_back_its_own_orders
                order = await admin.create(items=[{"name": "A"}])
                path = template.format(id=order["id"])
                reply = await admin.as_(tokens[role]).call(method, path, body)
                if role in allowed:
                    assert reply.status < 300, (method, path, role, reply.body)
                else:
                    assert reply.status == 403, (method, path, role, reply.body)
                    message = reply.error["message"]
                    assert f"a {role} token may not {method} /api/" in message
                    assert "[0-9]" not in message, "the route as a person writes it"
            for token in (None, "kds_not-a-real-token", "x" * 5000):
                reply = await admin.as_(token).call(method, template.format(id=1), body)
                assert reply.status == 401, (method, template, reply.body)
                assert "token" in reply.error["message"]
        health = await admin.as_(None).get("/api/health")
        assert health.status == 200, "health needs no token"
    async with aiohttp.ClientSession() as session, session.head(f"{server.url}/api/health") as r:
        assert r.status == 200, "a load balancer's HEAD check"


async def test_revoked_token_is_refused_and_its_socket_dropped(server: ServerProcess) -> None:
    token = server.token(KITCHEN, name="tablet-3")
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(server.url, auth={"token": token}, transports=["websocket"])
    try:
        async with Api(server.url, token) as api:
            assert (await api.get("/api/orders")).status == 200
            out = server.cli("token", "revoke", "tablet-3", check=True)
            assert "revoked kitchen token" in out.stdout
            reply = await api.get("/api/orders")
            assert reply.status == 401, "revoked at once for REST"
        await wait_for(lambda: not client.connected, timeout=10, message="socket dropped")
    finally:
        await client.disconnect()
    listing = server.cli("token", "list").stdout
    assert "tablet-3" in listing and token not in listing
    assert server.cli("token", "revoke", "no-such-token").returncode == 3


async def _join(server: ServerProcess, token: str, event: str) -> dict[str, Any]:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(server.url, auth={"token": token}, transports=["websocket"])
    try:
        return await client.call(event, timeout=5)  # type: ignore[no-any-return]
    finally:
        await client.disconnect()


ROOMS = {"join:kitchen": {KITCHEN, ADMIN}, "join:admin": {ADMIN}, "join:user": {CUSTOMER}}


async def test_role_room_matrix(server: ServerProcess, tokens: dict[str, str]) -> None:
    for event, allowed in ROOMS.items():
        for role in (ADMIN, KITCHEN, POS, CUSTOMER):
            ack = await _join(server, tokens[role], event)
            if role in allowed:
                assert ack["ok"] is True, (event, role, ack)
            else:
                assert ack["ok"] is False and "forbidden" in ack["error"], (event, role, ack)


async def test_socket_without_a_valid_token_is_refused(server: ServerProcess) -> None:
    for auth in (None, {}, {"token": "wrong"}, {"token": 42}):
        client = socketio.AsyncClient(reconnection=False)
        reasons: list[Any] = []
        client.on("connect_error", reasons.append)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(server.url, auth=auth, transports=["websocket"])
        await client.disconnect()
        assert reasons and "unauthorized" in str(reasons[0]), reasons


async def test_bearer_header_works_for_sockets(server: ServerProcess) -> None:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        server.url,
        headers={"Authorization": f"Bearer {server.tokens[ADMIN]}"},
        transports=["websocket"],
    )
    try:
        assert (await client.call("join:admin", timeout=5))["ok"] is True
    finally:
        await client.disconnect()


async def test_no_token_is_written_to_the_database_or_logs(server: ServerProcess) -> None:
    async with Api(server.url, server.tokens[ADMIN]) as api:
        await api.create()
        await api.as_("kds_wrong").get("/api/orders")
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        server.url, auth={"token": server.tokens[KITCHEN]}, transports=["websocket"]
    )
    await client.disconnect()
    stored = b"".join(p.read_bytes() for p in server.data_dir.glob("kds.db*"))
    logs = server.log_text()
    for token in server.tokens.values():
        assert token.encode() not in stored
        assert token not in logs
    assert "kds_wrong" not in logs
