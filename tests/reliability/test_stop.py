"""A SIGTERM stops the server promptly and cleanly with clients connected: a stock client,
and a raw WebSocket that keeps reading but ignores Engine.IO's close packet."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import socketio

from tests.reliability.common import report
from tests.support.server import ServerProcess


async def test_sigterm_with_clients_connected_stops_within_5_s(server: ServerProcess) -> None:
    stock = socketio.AsyncClient(reconnection=False)
    reasons: list[object] = []
    stock.on("disconnect", lambda *reason: reasons.append(reason))
    await stock.connect(
        server.url, auth={"token": server.tokens["kitchen"]}, transports=["websocket"]
    )
    async with aiohttp.ClientSession() as session:
        raw = await session.ws_connect(f"{server.url}/socket.io/?EIO=4&transport=websocket")
        await raw.receive()
        await raw.send_str("40" + json.dumps({"token": server.tokens["kitchen"]}))
        assert (await raw.receive()).data.startswith("40{")

        async def keep_reading() -> None:
            async for _message in raw:  # never answers the close packet itself
                pass

        reader = asyncio.create_task(keep_reading())
        start = time.monotonic()
        code = await asyncio.to_thread(server.stop)
        took = time.monotonic() - start
        await asyncio.wait_for(reader, 5)
    await stock.disconnect()
    assert code == 0, server.log_tail()
    assert took < 5, f"stop took {took:.1f} s"
    assert "Traceback" not in server.log_text()
    report("SIGTERM with clients connected", stop_s=round(took, 2), exit_code=code)
