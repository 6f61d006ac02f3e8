"""Limits: 429 with Retry-After when one token goes over --rate-limit (and only that token);
the default leaves a busy till alone; one client that never reads does not delay delivery to
the others. (413 over the body cap: tests/server/test_bad_input.py.)"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import statistics
import time
from collections.abc import Callable
from typing import Any

import socketio

from tests.reliability.common import report
from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.server import ServerProcess


async def test_one_token_over_the_rate_gets_429_with_retry_after(
    server_factory: Callable[..., ServerProcess],
) -> None:
    server = server_factory(extra_args=("--rate-limit", "5"))
    async with Api(server.url, server.tokens["kitchen"]) as kitchen:
        start = time.monotonic()
        replies = await asyncio.gather(*(kitchen.get("/api/orders") for _ in range(40)))
        burst = time.monotonic() - start
        limited = [r for r in replies if r.status == 429]
        other = await kitchen.as_(server.tokens["admin"]).get("/api/orders")

        assert {r.status for r in replies} == {200, 429}
        answered = len(replies) - len(limited)
        assert 10 <= answered <= 10 + 5 * burst + 1, "a burst of twice the rate, then the rate"
        for reply in limited:
            assert reply.error["code"] == "too_many_requests"
            assert int(reply.headers["Retry-After"]) >= 1
            retry = reply.headers["Retry-After"]
            assert f"retry in {retry} s" in reply.error["message"], "the header's whole seconds"
        assert other.status == 200, "another token is not limited"
        waited = time.monotonic()

        async def allowed_again() -> bool:
            return (await kitchen.get("/api/orders")).status == 200

        await wait_for(allowed_again, 5, interval=0.1, message="the token to be let in again")
    report(
        "rate limit 5/s",
        requests=len(replies),
        answered_429=len(limited),
        retry_after_s=limited[0].headers["Retry-After"],
        let_in_again_after_s=round(time.monotonic() - waited, 2),
    )


async def test_the_default_rate_leaves_a_busy_till_alone(
    server_factory: Callable[..., ServerProcess],
) -> None:
    server = server_factory(env={"KDS_RATE_LIMIT": ""})  # the default, 100/s
    async with Api(server.url, server.tokens["pos"]) as pos:
        replies = await asyncio.gather(
            *(pos.post("/api/orders", {"items": [{"name": "Tea"}]}) for _ in range(150))
        )
    assert [r.status for r in replies] == [201] * 150


class SilentSocket:
    """A Socket.IO client on a plain TCP socket that joins the kitchen and never reads:
    its receive buffer is tiny, so the server's writes to it pile up."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)

    def open(self) -> None:
        self.sock.connect(("127.0.0.1", self.server.port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{self.server.port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        answer = self.sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 101"), answer
        self._send("40" + json.dumps({"token": self.server.tokens["kitchen"]}))
        self._send('420["join:kitchen"]')

    def _send(self, text: str) -> None:
        payload, mask = text.encode(), os.urandom(4)
        assert len(payload) < 126
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)

    def unread(self) -> int:
        """Bytes the server has sent to this socket that it has not read (kernel queues)."""
        port = self.sock.getsockname()[1]
        total = 0
        with open("/proc/net/tcp") as table:
            for line in table.readlines()[1:]:
                fields = line.split()
                local, remote = fields[1], fields[2]
                tx, rx = (int(x, 16) for x in fields[4].split(":"))
                if int(local.split(":")[1], 16) == port:
                    total += rx
                if int(remote.split(":")[1], 16) == port:
                    total += tx
        return total


async def test_a_client_that_never_reads_delays_no_one(server: ServerProcess) -> None:
    silent = SilentSocket(server)
    await asyncio.to_thread(silent.open)
    received: dict[int, float] = {}
    good = socketio.AsyncClient(reconnection=False)

    async def created(data: dict[str, Any]) -> None:
        received[data["order"]["id"]] = time.monotonic()

    good.on("order:created", created)
    await good.connect(
        server.url, auth={"token": server.tokens["kitchen"]}, transports=["websocket"]
    )
    try:
        assert (await good.call("join:kitchen", timeout=5))["ok"]
        big = {
            "notes": "n" * 1000,
            "items": [{"name": f"dish {i} " + "x" * 180, "notes": "y" * 300} for i in range(60)],
        }
        sent: dict[int, float] = {}
        async with Api(server.url, server.tokens["pos"]) as pos:
            for _ in range(150):
                reply = await pos.post("/api/orders", big)
                assert reply.status == 201
                sent[reply.body["order"]["id"]] = time.monotonic()
        await wait_for(lambda: len(received) == len(sent), 10, message="every order announced")
    finally:
        await good.disconnect()
    backlog = silent.unread()
    silent.sock.close()
    delays = sorted(max(0.0, received[i] - sent[i]) for i in sent)
    p99 = delays[int(len(delays) * 0.99) - 1]
    assert backlog > 1_000_000, f"the silent client really fell behind ({backlog} bytes)"
    assert p99 < 0.5, f"delivery to the good client was delayed: {delays[-10:]}"
    report(
        "one client never reads",
        events=len(sent),
        event_kib=round(len(json.dumps(big)) / 1024),
        silent_backlog_mib=round(backlog / 2**20, 1),
        good_delay_ms_median=round(statistics.median(delays) * 1000, 1),
        p99=round(p99 * 1000, 1),
        max=round(delays[-1] * 1000, 1),
    )
