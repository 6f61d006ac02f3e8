"""Hostile Socket.IO traffic over raw WebSockets: unknown events, huge payloads, malformed
packets, join floods, thousands of connects. Each gets an error acknowledgement or a closed
connection; after each, the server still answers /api/health and delivers an event to a
well-behaved client."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
import socketio

from tests.reliability.common import LONG, report, server_errors
from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.server import ServerProcess

CONNECTS = 5000 if LONG else 1500
CLOSED = {aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED}


class GoodClient:
    """A python-socketio client in the kitchen room, recording the orders announced."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.client = socketio.AsyncClient(reconnection=False)
        self.created: set[int] = set()
        self.client.on("order:created", self._created)

    async def _created(self, data: dict[str, Any]) -> None:
        self.created.add(data["order"]["id"])

    async def __aenter__(self) -> GoodClient:
        await self.client.connect(
            self.server.url, auth={"token": self.server.tokens["kitchen"]}, transports=["websocket"]
        )
        assert (await self.client.call("join:kitchen", timeout=5))["ok"]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.disconnect()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the whole module: each test checks that it still serves."""
    proc = ServerProcess(tmp_path_factory.mktemp("hostile")).start()
    yield proc
    proc.kill()


@pytest.fixture
async def good(server: ServerProcess) -> AsyncIterator[GoodClient]:
    async with GoodClient(server) as client:
        yield client


async def still_serving(server: ServerProcess, good: GoodClient) -> None:
    """The server answers /api/health and announces a new order to the good client."""
    async with Api(server.url, server.tokens["pos"]) as api:
        health = await api.get("/api/health")
        assert health.status == 200 and health.body["status"] == "ok", health.body
        order = await api.create()
    await wait_for(
        lambda: order["id"] in good.created, 5, message="the good client to get the order"
    )
    assert good.client.connected
    assert server.proc is not None and server.proc.poll() is None, "the server is running"


class RawSocket:
    """A WebSocket speaking Engine.IO v4 / Socket.IO v5 by hand."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    @classmethod
    async def open(
        cls, session: aiohttp.ClientSession, server: ServerProcess, token: str | None
    ) -> tuple[RawSocket, str]:
        """Connect, read the Engine.IO open packet, send the Socket.IO connect; return the
        socket and the server's answer to the connect (``40{sid}`` or ``44{error}``)."""
        ws = await session.ws_connect(f"{server.url}/socket.io/?EIO=4&transport=websocket")
        raw = cls(ws)
        opened = await raw.next()
        assert opened.startswith("0{"), opened
        await ws.send_str("40" + json.dumps({"token": token} if token else {}))
        return raw, await raw.next()

    async def next(self, timeout: float = 5.0) -> Any:
        """The next text message (pings answered); the close code if the server closed."""
        while True:
            msg = await self.ws.receive(timeout)
            if msg.type in CLOSED:
                return ("closed", msg.data)
            if msg.type is aiohttp.WSMsgType.ERROR:
                return ("error", str(msg.data))
            if msg.data == "2":
                await self.ws.send_str("3")
                continue
            return msg.data


async def test_an_unknown_event_gets_an_error_ack(server, good) -> None:
    async with aiohttp.ClientSession() as session:
        raw, answer = await RawSocket.open(session, server, server.tokens["kitchen"])
        assert answer.startswith("40{")
        await raw.ws.send_str('421["order:delete",{"orderId":1}]')
        ack = await raw.next()
        await raw.ws.close()
    assert ack.startswith("431["), ack
    body = json.loads(ack[3:])[0]
    assert body["ok"] is False and "unknown event 'order:delete'" in body["error"]
    await still_serving(server, good)


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ("x" * 100_000, "closed"),  # over the 64 KiB message cap
        ('422["join:kitchen","' + "x" * 100_000 + '"]', "closed"),
        ("garbage", "closed"),  # no Engine.IO packet type
        ("9", "closed"),  # an Engine.IO type that does not exist
        ('42["join:kitchen"', "closed"),  # truncated JSON
        ('42-1["join:kitchen"]', "closed"),  # a negative ack id
        ("49[]", "closed"),  # a Socket.IO type that does not exist
        ('42{"not":"a list"}', "closed"),
        ("42[]", "closed"),  # an event without a name
        ("42[5]", "closed"),  # an event whose name is not a string
        (b"\x00\xff\x10binary junk", "closed"),  # a binary frame no packet announced
        ("40/nowhere,", "44/nowhere,"),  # a namespace that does not exist: an error packet
    ],
    ids=lambda v: repr(v)[:24],
)
async def test_malformed_packets_close_the_connection(server, good, frame, expected) -> None:
    async with aiohttp.ClientSession() as session:
        raw, answer = await RawSocket.open(session, server, server.tokens["kitchen"])
        assert answer.startswith("40{")
        if isinstance(frame, bytes):
            await raw.ws.send_bytes(frame)
        else:
            await raw.ws.send_str(frame)
        got = await raw.next()
        if expected == "closed" and got == "1":  # Engine.IO's close packet, then the close
            got = await raw.next()
        await raw.ws.close()
    if expected == "closed":
        assert isinstance(got, tuple) and got[0] == "closed", got
    else:
        assert isinstance(got, str) and got.startswith(expected), got
    await still_serving(server, good)
    assert not server_errors(server.log_text()), server_errors(server.log_text())


async def test_a_join_flood_is_answered_and_harms_no_one(server, good) -> None:
    joins = 20_000 if LONG else 5000
    async with aiohttp.ClientSession() as session:
        raw, _ = await RawSocket.open(session, server, server.tokens["kitchen"])
        start = time.monotonic()
        for n in range(joins):
            await raw.ws.send_str(f'42{n}["join:kitchen"]')
        acks, closed = 0, False
        while acks < joins and not closed:
            message = await raw.next(10)
            closed = isinstance(message, tuple)  # the server may close a flooding socket
            if not closed:
                assert message.startswith("43") and '"ok":true' in message, message
                acks += 1
        took = time.monotonic() - start
        await raw.ws.close()
    assert acks == joins or closed
    await still_serving(server, good)
    report("join flood", joins=joins, acked=acks, seconds=round(took, 2))


def open_fds(server: ServerProcess) -> int:
    assert server.proc is not None
    return len(os.listdir(f"/proc/{server.proc.pid}/fd"))


async def test_thousands_of_connects(server, good) -> None:
    before = open_fds(server)
    refused = accepted = 0
    limit = asyncio.Semaphore(100)
    start = time.monotonic()

    async def connect(session: aiohttp.ClientSession, n: int) -> None:
        nonlocal refused, accepted
        token = server.tokens["kitchen"] if n % 4 else "kds_wrong"
        async with limit:
            raw, answer = await RawSocket.open(session, server, token)
            if token == "kds_wrong":
                assert answer.startswith("44{") and "unauthorized" in answer, answer
                refused += 1
            else:
                assert answer.startswith("40{"), answer
                accepted += 1
            await raw.ws.close()

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(connect(session, n) for n in range(CONNECTS)))
    took = time.monotonic() - start
    await still_serving(server, good)
    await wait_for(
        lambda: open_fds(server) <= before + 10, 20, message="the server to close them all"
    )
    report(
        "thousands of connects",
        connects=CONNECTS,
        accepted=accepted,
        refused=refused,
        seconds=round(took, 1),
        per_second=round(CONNECTS / took),
        fds_before=before,
        fds_after=open_fds(server),
    )
