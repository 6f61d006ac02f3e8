"""A WebSocket handshake from a foreign Origin is refused by default, and allowed once the
server is started with --cors-origin naming it. (The rest of auth: tests/server/test_auth.py.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import aiohttp
import pytest

from tests.support.server import ServerProcess

FOREIGN = "http://evil.example"
POS = "http://pos.example"


async def handshake(server: ServerProcess, origin: str, transport: str = "websocket") -> int:
    """The HTTP status of an Engine.IO handshake sent with ``Origin: origin`` (101 = open)."""
    url = f"{server.url}/socket.io/?EIO=4&transport={transport}"
    async with aiohttp.ClientSession() as session:
        if transport == "polling":
            async with session.get(url, headers={"Origin": origin}) as resp:
                return resp.status
        try:
            ws = await session.ws_connect(url, origin=origin)
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status
        await ws.close()
        return 101


@pytest.fixture(scope="module")
def default_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("origin")).start()
    yield proc
    proc.kill()


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_a_foreign_origin_is_refused_by_default(
    default_server: ServerProcess, transport: str
) -> None:
    assert await handshake(default_server, FOREIGN, transport) == 400
    assert await handshake(default_server, default_server.url, transport) in (101, 200)


async def test_cors_origin_allows_the_named_origin_only(
    server_factory: Callable[..., ServerProcess],
) -> None:
    server = server_factory(extra_args=("--cors-origin", POS))
    assert await handshake(server, POS) == 101
    assert await handshake(server, FOREIGN) == 400
