"""python-engineio's internals, in one place. Written against python-engineio 4.15.1.

- ``EngineServer`` replaces ``AsyncServer._service_task`` (the sweep for timed-out sockets).
- ``use_websocket_class`` replaces the WebSocket class in ``AsyncServer._async``, the
  driver table, so that our ``WebSocket`` serves the aiohttp WebSocket transport.

Everything else here is public: a driver WebSocket is built as ``cls(handler, server)`` and
called with the WSGI-style environ.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from typing import Any

import engineio
from aiohttp import web
from engineio.async_drivers import aiohttp as engineio_aiohttp
from engineio.async_socket import AsyncSocket

from server.compat import fail, require

log = logging.getLogger(__name__)

TESTED = "4.15.1"
SWEEP_YIELD_EVERY = 500
WEBSOCKET_ATTR = "kds_websocket"
"""Where an Engine.IO socket keeps its aiohttp WebSocket and its transport."""


class WebSocket(engineio_aiohttp.WebSocket):  # type: ignore[misc]
    """engineio's aiohttp WebSocket, uncompressed, and known to its Engine.IO socket.

    aiohttp compresses by default, which makes every broadcast cost one deflate per
    recipient (docs/PERFORMANCE.md). Without compression, one frame can be written to every
    socket as is (``server.broadcast``).
    """

    response: web.WebSocketResponse | None = None

    async def __call__(self, environ: dict[str, Any]) -> web.WebSocketResponse:
        request: web.Request = environ["aiohttp.request"]
        response = self.response = web.WebSocketResponse(
            max_msg_size=self.server.max_http_buffer_size, compress=False
        )
        await response.prepare(request)
        self.environ = environ
        # The handler is the Engine.IO socket's bound method: tell the socket its WebSocket.
        owner = getattr(self.handler, "__self__", None)
        if owner is not None and request.transport is not None:
            setattr(owner, WEBSOCKET_ATTR, (response, request.transport))
        await self.handler(self)
        return response

    async def close(self) -> None:
        if self.response is not None:
            await self.response.close()

    async def send(self, message: bytes | str) -> None:
        assert self.response is not None
        if isinstance(message, bytes):
            await self.response.send_bytes(message)
        else:
            await self.response.send_str(message)

    async def wait(self) -> bytes | str:
        assert self.response is not None
        msg = await self.response.receive()
        if not isinstance(msg.data, bytes | str):
            raise OSError("the WebSocket closed")
        return msg.data


def websocket_of(eio_socket: Any) -> tuple[web.WebSocketResponse, asyncio.Transport] | None:
    """The aiohttp WebSocket (and its connection's transport) an Engine.IO socket talks
    through; None while it is long-polling or upgrading."""
    found: tuple[web.WebSocketResponse, asyncio.Transport] | None
    found = getattr(eio_socket, WEBSOCKET_ATTR, None)
    return found


def use_websocket_class(server: engineio.AsyncServer, cls: type[WebSocket]) -> None:
    """Serve the WebSocket transport with ``cls`` on this server."""
    server._async = {**server._async, "websocket": cls}


class EngineServer(engineio.AsyncServer):  # type: ignore[misc]
    """engineio's server with a cheaper sweep for timed-out and closed sockets."""

    async def _service_task(self) -> None:
        # engineio's own sweep spreads the sockets over a ping timeout with one wait_for
        # per socket (timers and tasks in proportion to the clients). This one looks at all
        # of them once per ping timeout, handing the loop back every SWEEP_YIELD_EVERY
        # sockets. Dead WebSocket clients are also caught by engineio's read timeout; the
        # sweep is for the rest.
        self.service_task_event = self.create_event()
        while not self.service_task_event.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.service_task_event.wait(), timeout=self.ping_timeout)
                break
            for n, sock in enumerate(list(self.sockets.values())):
                try:
                    if sock.closed:
                        self.sockets.pop(sock.sid, None)
                    elif not sock.closing:
                        await sock.check_ping_timeout()
                except Exception:
                    log.exception("checking socket %s for a ping timeout failed", sock.sid)
                if n % SWEEP_YIELD_EVERY == SWEEP_YIELD_EVERY - 1:
                    await asyncio.sleep(0)


def check() -> None:
    """Fail, naming this module, if python-engineio's internals used here have changed."""
    here = "server/compat/engineio.py"
    require(here, "python-engineio", TESTED, engineio.AsyncServer, "_service_task")
    server = engineio.AsyncServer(async_mode="aiohttp")
    require(here, "python-engineio", TESTED, server, "_async", "create_event", "ping_timeout")
    if not isinstance(server._async, dict) or "websocket" not in server._async:
        fail(here, "python-engineio", TESTED, "has no 'websocket' class in AsyncServer._async")
    params = list(inspect.signature(engineio_aiohttp.WebSocket.__init__).parameters)
    if params != ["self", "handler", "server"]:
        fail(here, "python-engineio", TESTED, f"builds a driver WebSocket with {params}")
    require(here, "python-engineio", TESTED, AsyncSocket, "check_ping_timeout")
