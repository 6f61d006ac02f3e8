"""Live events: payloads of SPEC, to the right rooms, after the commit."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import aiohttp
import pytest
import socketio
from aiohttp import web

from server.db.engine import Database
from server.db.migrate import migrate
from server.realtime import Realtime
from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.server import ServerProcess

JS_DIR = Path(__file__).resolve().parents[1] / "js"


class Listener:
    """A python-socketio client in one room, recording every event it gets."""

    def __init__(
        self, server: ServerProcess, token: str, join: str, transports: list[str] | None = None
    ) -> None:
        self.server, self.token, self.join = server, token, join
        self.transports = transports or ["websocket"]
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.client.on("*", self._record)

    async def _record(self, event: str, data: dict[str, Any]) -> None:
        self.events.append((event, data))

    async def __aenter__(self) -> Listener:
        await self.client.connect(
            self.server.url, auth={"token": self.token}, transports=self.transports
        )
        ack = await self.client.call(self.join, timeout=5)
        assert ack["ok"], ack
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.disconnect()


async def test_every_change_is_announced_with_its_seq(any_server: ServerProcess) -> None:
    async with (
        Listener(any_server, any_server.tokens["kitchen"], "join:kitchen") as kitchen,
        Listener(any_server, any_server.tokens["admin"], "join:admin") as admin,
        Api(any_server.url, any_server.tokens["admin"]) as api,
    ):
        order = await api.create()
        oid = order["id"]
        await api.patch(f"/api/orders/{oid}/status", {"status": "preparing"})
        await api.patch(f"/api/orders/{oid}/items/1", {"done": True})
        await api.patch(f"/api/orders/{oid}", {"notes": "no salt"})
        await api.delete(f"/api/orders/{oid}")
        await wait_for(
            lambda: len(kitchen.events) == 5 and len(admin.events) == 5,
            message="5 events in each room",
        )
        log = (await api.get("/api/events")).body["events"]
    assert [e for e, _ in kitchen.events] == [
        "order:created",
        "order:statusUpdated",
        "order:updated",
        "order:updated",
        "order:deleted",
    ]
    assert kitchen.events == admin.events
    created = kitchen.events[0][1]
    assert set(created) == {"order", "seq", "epoch"} and created["order"] == order
    moved = kitchen.events[1][1]
    assert (moved["oldStatus"], moved["newStatus"]) == ("pending", "preparing")
    assert moved["order"]["status"] == "preparing"
    assert kitchen.events[4][1] == {"orderId": oid, "seq": 5, "epoch": ANY}
    assert [(e["type"], e["data"]) for e in log] == kitchen.events, "the log holds the payloads"


async def test_customer_hears_only_their_own_orders(server: ServerProcess) -> None:
    token = server.token("customer", user_id="ada")
    async with (
        Listener(server, token, "join:user") as ada,
        Api(server.url, server.tokens["admin"]) as api,
    ):
        mine = await api.create(user_id="ada")
        theirs = await api.create(user_id="bob")
        for order in (theirs, mine):
            await api.patch(f"/api/orders/{order['id']}/status", {"status": "preparing"})
        await wait_for(lambda: len(ada.events) >= 1, message="ada's status update")
        # One more change to her order: once it arrives, anything else would have too.
        await api.patch(f"/api/orders/{mine['id']}/status", {"status": "ready"})
        await wait_for(lambda: len(ada.events) >= 2, message="ada's second update")
    assert [(e, d["order"]["id"]) for e, d in ada.events] == [
        ("order:statusUpdated", mine["id"]),
        ("order:statusUpdated", mine["id"]),
    ]


async def test_a_burst_of_changes_reaches_every_room_whole_and_in_seq_order(
    server: ServerProcess,
) -> None:
    # Concurrent writes share commits, so many broadcasts go out in one event-loop step:
    # held back and written together, with the customer's room interleaved.
    token = server.token("customer", user_id="ada")
    async with (
        Listener(server, server.tokens["kitchen"], "join:kitchen") as kitchen,
        Listener(server, server.tokens["admin"], "join:admin") as admin,
        Listener(server, token, "join:user") as ada,
        Api(server.url, server.tokens["admin"]) as api,
    ):
        orders = await asyncio.gather(
            *(api.create(user_id="ada" if n % 2 else "bob") for n in range(40))
        )
        moves = await asyncio.gather(
            *(
                api.patch(f"/api/orders/{order['id']}/status", {"status": "preparing"})
                for order in orders
            )
        )
        assert {reply.status for reply in moves} == {200}
        await wait_for(
            lambda: len(kitchen.events) == 80 and len(admin.events) == 80 and len(ada.events) == 20,
            message="80 events in the kitchen and admin rooms, 20 for ada",
        )
    assert [data["seq"] for _, data in kitchen.events] == list(range(1, 81))
    assert admin.events == kitchen.events
    hers = [(e, d) for e, d in kitchen.events if e == "order:statusUpdated"]
    hers = [(e, d) for e, d in hers if d["order"]["user_id"] == "ada"]
    assert ada.events == hers


async def test_the_kept_recipients_follow_joins_leaves_and_long_polling(
    server: ServerProcess,
) -> None:
    # The broadcast keeps each room's sockets from one event to the next: someone who joins
    # or leaves in between, or is on long-polling, must still get exactly what follows.
    kitchen = server.tokens["kitchen"]

    def seqs(listener: Listener) -> list[int]:
        return [data["seq"] for _, data in listener.events]

    async with Api(server.url, server.tokens["admin"]) as api:
        async with Listener(server, kitchen, "join:kitchen") as first:
            await api.create()
            await wait_for(lambda: seqs(first) == [1], message="seq 1 for the first")
            async with (
                Listener(server, kitchen, "join:kitchen", ["polling"]) as polling,
                Listener(server, kitchen, "join:kitchen", ["polling", "websocket"]) as upgraded,
            ):
                assert polling.client.transport() == "polling"
                await api.create()
                await wait_for(
                    lambda: seqs(first) == [1, 2] and seqs(polling) == seqs(upgraded) == [2],
                    message="seq 2 for all three",
                )
                async with Listener(server, kitchen, "join:kitchen") as late:
                    await api.create()
                    await wait_for(lambda: seqs(late) == [3], message="seq 3 for the late one")
                await first.client.disconnect()
                await api.create()
                await wait_for(
                    lambda: seqs(polling) == seqs(upgraded) == [2, 3, 4],
                    message="seq 4 for the two left",
                )
        assert seqs(first) == [1, 2, 3] and seqs(late) == [3]
        assert upgraded.client.transport() == "websocket"
        async with Listener(server, kitchen, "join:kitchen") as again:
            await api.create()
            await wait_for(lambda: seqs(again) == [5], message="seq 5 after all had left")
    assert "Traceback" not in server.log_text()


async def test_a_socket_that_leaves_the_namespace_but_stays_connected_gets_nothing_more(
    server: ServerProcess,
) -> None:
    # A Socket.IO client may leave a namespace (and so its rooms) on a connection it keeps
    # open: the broadcast's kept recipients must let it go.
    kitchen = server.tokens["kitchen"]
    url = server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"

    async def kitchen_clients() -> float:
        async with aiohttp.ClientSession() as session:
            async with session.get(server.url + "/metrics") as answer:
                text = await answer.text()
        lines = [line for line in text.splitlines() if line.startswith("kds_socketio_clients{")]
        return sum(float(line.rsplit(" ", 1)[1]) for line in lines if 'room="kitchen"' in line)

    async def one_left() -> bool:
        return await kitchen_clients() == 1  # the witness

    async def next_event(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
        while (text := await asyncio.wait_for(ws.receive_str(), 10)) == "2":
            await ws.send_str("3")  # Engine.IO ping
        assert text.startswith("42"), text
        event, data = json.loads(text[2:])
        return {"event": event, "seq": data["seq"]}

    async def join(ws: aiohttp.ClientWebSocketResponse) -> None:
        await ws.send_str("40" + json.dumps({"token": kitchen}))
        assert (await ws.receive_str()).startswith("40")
        await ws.send_str('420["join:kitchen"]')
        assert (await ws.receive_str()).startswith("430")

    async with (
        Listener(server, kitchen, "join:kitchen") as witness,
        Api(server.url, server.tokens["admin"]) as api,
        aiohttp.ClientSession() as session,
        session.ws_connect(url) as raw,
    ):
        assert (await raw.receive_str()).startswith("0")  # Engine.IO open
        await join(raw)
        await api.create()
        assert await next_event(raw) == {"event": "order:created", "seq": 1}
        await raw.send_str("41")  # leave the namespace; the connection stays open
        await wait_for(one_left, message="the raw client out of the kitchen room")
        await api.create()
        await wait_for(lambda: len(witness.events) == 2, message="seq 2 for the witness")
        await join(raw)
        await api.create()
        # Frames on one connection keep their order: had seq 2 been sent, it came first.
        assert await next_event(raw) == {"event": "order:created", "seq": 3}


def _node_ready() -> bool:
    return (
        shutil.which("node") is not None and (JS_DIR / "node_modules" / "socket.io-client").is_dir()
    )


@pytest.mark.node
async def test_stock_socketio_javascript_client(server: ServerProcess) -> None:
    if not _node_ready():
        message = "node or tests/js/node_modules missing: run `npm ci --prefix tests/js`"
        if os.environ.get("KDS_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    proc = await asyncio.create_subprocess_exec(
        "node",
        str(JS_DIR / "stock_client.mjs"),
        server.url,
        server.tokens["kitchen"],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    lines: list[dict[str, Any]] = []

    async def next_line() -> dict[str, Any]:
        raw = await asyncio.wait_for(proc.stdout.readline(), 20)  # type: ignore[union-attr]
        assert raw, (await proc.stderr.read()).decode()  # type: ignore[union-attr]
        line = json.loads(raw)
        lines.append(line)
        return line  # type: ignore[no-any-return]

    try:
        assert await next_line() == {
            "refused": "unauthorized: the token is missing, unknown or revoked; ask an admin for "
            "one (kds-server token create) and connect with auth {token: '...'}"
        }
        assert await next_line() == {"joined": {"ok": True, "room": "kitchen"}}
        async with Api(server.url, server.tokens["admin"]) as api:
            order = await api.create(notes="sesame")
            created = await next_line()
            await api.patch(f"/api/orders/{order['id']}/status", {"status": "preparing"})
            moved = await next_line()
    finally:
        proc.kill()
        await proc.wait()
    assert created == {"event": "order:created", "data": {"order": order, "seq": 1, "epoch": ANY}}
    assert moved["event"] == "order:statusUpdated"
    assert moved["data"]["oldStatus"] == "pending" and moved["data"]["newStatus"] == "preparing"
    assert moved["data"]["seq"] == 2 and moved["data"]["order"]["version"] == 2


async def test_a_client_that_stops_reading_is_dropped_not_buffered_forever(
    server: ServerProcess,
) -> None:
    url = server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        assert (await ws.receive_str()).startswith("0")  # Engine.IO open
        await ws.send_str("40" + json.dumps({"token": server.tokens["kitchen"]}))
        assert (await ws.receive_str()).startswith("40")  # Socket.IO connected
        await ws.send_str('42["join:kitchen"]')
        # From here on this client never reads: aiohttp stops reading the socket once its
        # small buffer is full, as a frozen screen would.
        big = {"items": [{"name": "Burger", "notes": "n" * 1000}] * 100, "notes": "x" * 1000}
        async with Api(server.url, server.tokens["pos"]) as api:

            async def dropped() -> bool:
                await api.post("/api/orders", big)
                return "dropping a socket that has not read" in server.log_text()

            await wait_for(dropped, 60, interval=0, message="the server drops the stuck client")
            assert (await api.get("/api/health")).status == 200


async def test_a_polling_client_that_stops_answering_pings_is_swept(tmp_path: Path) -> None:
    """The sweep for timed-out sockets (server.compat.engineio.EngineServer): a long-polling
    session that never polls again has no reader to notice it; only the sweep closes and
    forgets it."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'kds.db'}")
    await migrate(db)
    realtime = Realtime(db)
    eio = realtime.sio.eio
    eio.ping_interval, eio.ping_timeout = 0.2, 0.2
    app = web.Application()
    realtime.attach(app)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling"
            async with session.get(url) as answer:
                opened = json.loads((await answer.text())[1:])
            sid = opened["sid"]
            assert sid in eio.sockets
            await wait_for(lambda: sid not in eio.sockets, timeout=10)
    finally:
        await eio.shutdown()
        await runner.cleanup()
        await db.dispose()
