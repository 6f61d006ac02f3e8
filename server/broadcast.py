"""Broadcasting an event to a room: encoded once, written to every WebSocket directly.

python-socketio's manager sends a broadcast as one asyncio task per recipient, each putting
the packet on that socket's queue for its writer task to encode and write. At 1,000 kitchen
screens that per-recipient machinery (task creation, queue hand-offs, the event loop running
2,000 steps) was nearly all of a broadcast's cost. Here the Engine.IO packet and its
WebSocket frame are built once and handed to each socket's transport in one loop.

The wire format is unchanged (a text frame holding ``42["event",{...}]``). Sockets that are
not on an uncompressed WebSocket (long-polling clients, or one still upgrading) and emits
with an acknowledgement callback take python-socketio's own path. A payload the server has
already encoded (``EncodedJson``: the event's stored JSON text) is spliced into the packet
as is. The first broadcast of an event-loop step is written at once; later ones in the same
step are written together per socket at the next step (``FrameBatch``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import struct
from dataclasses import dataclass
from typing import Any

import socketio
from aiohttp import web
from engineio import packet as eio_packet
from engineio.async_drivers import aiohttp as engineio_aiohttp
from socketio import packet as sio_packet

log = logging.getLogger(__name__)

MAX_UNSENT_BYTES = 4 * 1024 * 1024
"""A socket holding more unsent event bytes than this (a client that stopped reading) is
dropped; the client catches up by seq when it reconnects."""

WEBSOCKET_ATTR = "websocket"
"""Where an Engine.IO socket keeps its aiohttp WebSocket (set by UncompressedWebSocket)."""


class UncompressedWebSocket(engineio_aiohttp.WebSocket):  # type: ignore[misc]
    """engineio's aiohttp WebSocket with permessage-deflate off, known to its socket.

    aiohttp compresses by default, which makes every broadcast cost one deflate per
    recipient (at 1,000 clients that took p50 from 28 ms to 1.1 s). Without compression,
    one frame can be written to every socket as is.
    """

    async def __call__(self, environ: dict[str, Any]) -> web.WebSocketResponse:
        request = environ["aiohttp.request"]
        self._sock = web.WebSocketResponse(
            max_msg_size=self.server.max_http_buffer_size, compress=False
        )
        await self._sock.prepare(request)
        self.environ = environ
        # The handler is the Engine.IO socket's bound method: tell the socket its WebSocket.
        owner = getattr(self.handler, "__self__", None)
        if owner is not None:
            setattr(owner, WEBSOCKET_ATTR, self._sock)
        await self.handler(self)
        return self._sock


def text_frame(payload: bytes) -> bytes:
    """An unmasked, uncompressed, final WebSocket text frame (RFC 6455 5.2), as a server sends."""
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x81, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


@dataclass(frozen=True, slots=True)
class EncodedJson:
    """An event's payload already encoded as JSON text (as stored in the event log): it is
    spliced into the broadcast as is instead of being decoded and encoded again."""

    text: str


def event_packet(
    packet_class: type[sio_packet.Packet], event: str, data: Any, namespace: str
) -> str | None:
    """The Socket.IO EVENT packet for ``event`` with ``data``, or None if it needs binary
    attachments (python-socketio's own path handles those)."""
    if isinstance(data, EncodedJson):
        prefix = "2" if namespace == "/" else f"2{namespace},"
        return f"{prefix}[{json.dumps(event)},{data.text}]"
    if isinstance(data, tuple):
        args = list(data)
    else:
        args = [data] if data is not None else []
    encoded = packet_class(sio_packet.EVENT, namespace=namespace, data=[event, *args]).encode()
    return encoded if isinstance(encoded, str) else None


def decoded(data: Any) -> Any:
    """``data`` as python-socketio's own path takes it."""
    return json.loads(data.text) if isinstance(data, EncodedJson) else data


class FrameBatch:
    """Frames on their way to each WebSocket: the first broadcast of an event-loop step is
    written at once, any more in the same step are written together at the next step.

    The broadcasts of one group commit are emitted in the same step, so a socket gets the
    second and later ones in one write (one system call) instead of one each: at 400 orders
    a second to 100 clients, the per-frame writes were the largest single cost of the
    server. A lone broadcast is written at once, as before. A socket's frames keep their
    order: those held back follow the first, and are all written before the next step's.
    """

    def __init__(self) -> None:
        self._pending: dict[web.WebSocketResponse, tuple[asyncio.Transport, list[bytes]]] = {}
        self._step_open = False

    def first_in_step(self) -> bool:
        """True for the first broadcast in this step (it writes at once), else False."""
        if self._step_open:
            return False
        self._step_open = True
        asyncio.get_running_loop().call_soon(self.flush)
        return True

    def add(self, ws: web.WebSocketResponse, transport: asyncio.Transport, frame: bytes) -> None:
        queued = self._pending.get(ws)
        if queued is None:
            self._pending[ws] = (transport, [frame])
        else:
            queued[1].append(frame)

    def flush(self) -> None:
        pending, self._pending = self._pending, {}
        self._step_open = False
        for ws, (transport, frames) in pending.items():
            # Nothing may follow a close frame; a closed socket catches up by seq later.
            if ws.closed or transport.is_closing():
                continue
            transport.write(frames[0] if len(frames) == 1 else b"".join(frames))


def _direct(eio_socket: Any) -> tuple[web.WebSocketResponse, asyncio.Transport] | bool:
    """The socket's WebSocket and transport to write to; False if it must take the slow
    path (long-polling, upgrading), True if it gets nothing (going away, or just dropped)."""
    ws = getattr(eio_socket, WEBSOCKET_ATTR, None)
    if ws is None or not eio_socket.upgraded or eio_socket.closed or eio_socket.closing:
        return False
    writer = ws._writer
    transport = writer.transport if writer is not None else None
    if transport is None or ws.closed:
        return False
    if transport.is_closing():
        # A client that is going away; it catches up by seq when it comes back.
        return True
    if transport.get_write_buffer_size() > MAX_UNSENT_BYTES:
        # A client that stopped reading: holding ever more for it would eat the server's
        # memory. Drop it; when it reads again it reconnects and catches up by seq.
        log.warning("dropping a socket that has not read %d bytes of events", MAX_UNSENT_BYTES)
        transport.abort()
        return True
    return ws, transport


class DirectEmitManager(socketio.AsyncManager):  # type: ignore[misc]
    """The in-process client manager with a broadcast that encodes once and writes directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frames = FrameBatch()

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        room = to or room
        namespace = namespace or "/"
        encoded = None
        if callback is None and namespace in self.rooms:
            encoded = event_packet(self.server.packet_class, event, data, namespace)
        if encoded is None:
            await super().emit(
                event,
                decoded(data),
                namespace,
                room=room,
                skip_sid=skip_sid,
                callback=callback,
                **kwargs,
            )
            return
        frame = text_frame((str(eio_packet.MESSAGE) + encoded).encode())
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        sockets = self.server.eio.sockets
        now = self.frames.first_in_step()
        slow: list[str] = []
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid in skip:
                continue
            eio_socket = sockets.get(eio_sid)
            if eio_socket is None:
                continue
            target = _direct(eio_socket)
            if target is False:
                slow.append(eio_sid)
            elif target is True:
                continue
            elif now:
                target[1].write(frame)
            else:
                self.frames.add(*target, frame)
        if slow:
            pkt = eio_packet.Packet(eio_packet.MESSAGE, encoded)
            await asyncio.gather(*(self.server._send_eio_packet(s, pkt) for s in slow))


class DirectEmitRedisManager(socketio.AsyncRedisManager, DirectEmitManager):  # type: ignore[misc]
    """The Redis manager: an emit is published to every process (this one included), and
    each process then broadcasts it to its own sockets with ``DirectEmitManager.emit``.

    The method order puts DirectEmitManager after the pub/sub manager, so the pub/sub
    manager's local delivery (``super().emit``) is the direct one. A pre-encoded payload
    crosses Redis as its JSON text (in the message's ``encoded`` field), so no process
    decodes it.
    """

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None = None,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(data, EncodedJson) or callback is not None or kwargs:
            await super().emit(
                event,
                decoded(data),
                namespace=namespace,
                room=room,
                skip_sid=skip_sid,
                callback=callback,
                to=to,
                **kwargs,
            )
            return
        message = {
            "method": "emit",
            "event": event,
            "encoded": data.text,
            "namespace": namespace or "/",
            "room": to or room,
            "skip_sid": skip_sid,
            "host_id": self.host_id,
        }
        await self._handle_emit(message)  # this process's sockets
        await self._publish(message)  # the other processes'

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        if "encoded" not in message:
            await super()._handle_emit(message)
            return
        await DirectEmitManager.emit(
            self,
            message["event"],
            EncodedJson(message["encoded"]),
            message.get("namespace") or "/",
            room=message.get("room"),
            skip_sid=message.get("skip_sid"),
        )
