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
as is. A lone broadcast is written at once; broadcasts that come close together are written
at the end of their event-loop step, one write per socket (``FrameBatch``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import struct
import time
from dataclasses import dataclass
from typing import Any

import socketio
from aiohttp import web
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from server.compat.engineio import websocket_of

log = logging.getLogger(__name__)

MAX_UNSENT_BYTES = 4 * 1024 * 1024
"""A socket holding more unsent event bytes than this (a client that stopped reading) is
dropped; the client catches up by seq when it reconnects."""


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


BUSY_S = 0.005
"""Broadcasts less than this apart (a busy till, or one group commit's orders) are written
at the end of the loop step, together; a lone one is written at once."""

Target = tuple[web.WebSocketResponse, asyncio.Transport]


@dataclass(slots=True)
class _Held:
    """Broadcasts of this step to the same room(s), waiting for the step's end."""

    key: tuple[Any, ...]
    targets: list[Target]
    slow: list[str]
    frames: list[bytes]


class FrameBatch:
    """Frames on their way to the WebSockets: a lone broadcast is written at once; when
    broadcasts come close together, those of one event-loop step are written at its end,
    one write per socket.

    The broadcasts of one group commit are emitted in the same step, so under load a socket
    gets all of a step's events in one write (one system call) instead of one each, and the
    room's sockets are looked up once for a run of broadcasts to the same rooms: at 1,000
    orders a second to 100 clients, the writes and the per-socket work were a quarter of
    the server's time. A socket's frames keep their order: held ones follow any written at
    once, and a step's are all written before the next step's.
    """

    def __init__(self) -> None:
        self._held: list[_Held] = []
        self._open = False
        self._last = -math.inf

    def at_once(self) -> bool:
        """Whether this broadcast is written at once: the step's first, none just before."""
        now = time.monotonic()
        quiet = now - self._last >= BUSY_S
        self._last = now
        if self._open:
            return False
        self._open = True
        asyncio.get_running_loop().call_soon(self.flush)
        return quiet

    def joining(self, key: tuple[Any, ...]) -> _Held | None:
        """The held broadcasts just before this one, if they went to the same room(s)."""
        if self._held and self._held[-1].key == key:
            return self._held[-1]
        return None

    def hold(self, key: tuple[Any, ...], targets: list[Target], slow: list[str]) -> _Held:
        held = _Held(key, targets, slow, [])
        self._held.append(held)
        return held

    def flush(self) -> None:
        held, self._held = self._held, []
        self._open = False
        if len(held) == 1:
            frames = held[0].frames
            data = frames[0] if len(frames) == 1 else b"".join(frames)
            for ws, transport in held[0].targets:
                _write(ws, transport, data)
            return
        per_socket: dict[web.WebSocketResponse, tuple[asyncio.Transport, list[bytes]]] = {}
        for run in held:
            data = b"".join(run.frames)
            for ws, transport in run.targets:
                queued = per_socket.get(ws)
                if queued is None:
                    per_socket[ws] = (transport, [data])
                else:
                    queued[1].append(data)
        for ws, (transport, parts) in per_socket.items():
            _write(ws, transport, parts[0] if len(parts) == 1 else b"".join(parts))


def _write(ws: web.WebSocketResponse, transport: asyncio.Transport, data: bytes) -> None:
    # Nothing may follow a close frame; a closed socket catches up by seq later.
    if not ws.closed and not transport.is_closing():
        transport.write(data)


def _direct(eio_socket: Any) -> tuple[web.WebSocketResponse, asyncio.Transport] | bool:
    """The socket's WebSocket and transport to write to; False if it must take the slow
    path (long-polling, upgrading), True if it gets nothing (going away, or just dropped)."""
    found = websocket_of(eio_socket)
    if found is None or not eio_socket.upgraded or eio_socket.closed or eio_socket.closing:
        return False
    ws, transport = found
    if ws.closed:
        return False
    if _gets_nothing(transport):
        return True
    return ws, transport


def _gets_nothing(transport: asyncio.Transport) -> bool:
    """Whether a WebSocket's connection gets nothing: it is going away, or its client
    stopped reading and it is dropped now."""
    if transport.is_closing():
        # A client that is going away; it catches up by seq when it comes back.
        return True
    if transport.get_write_buffer_size() > MAX_UNSENT_BYTES:
        # A client that stopped reading: holding ever more for it would eat the server's
        # memory. Drop it; when it reads again it reconnects and catches up by seq.
        log.warning("dropping a socket that has not read %d bytes of events", MAX_UNSENT_BYTES)
        transport.abort()
        return True
    return False


@dataclass(slots=True)
class _Recipients:
    """A room's sockets as last looked up: those on a WebSocket then, with it, and the
    Engine.IO sids of the others (long-polling or upgrading then), looked at every time."""

    direct: list[tuple[Any, web.WebSocketResponse, asyncio.Transport]]
    other: list[str]


MAX_RECIPIENT_LISTS = 256
"""Rooms whose recipients are kept between two joins or leaves (customers' rooms are many)."""


class DirectEmitManager(socketio.AsyncManager):  # type: ignore[misc]
    """The in-process client manager with a broadcast that encodes once and writes directly.

    Each room's recipients are kept from one broadcast to the next, until a socket joins or
    leaves a room (or, for a socket that was not on a WebSocket, until it is): looking each
    one up again (its Engine.IO socket, its WebSocket) was a sixth of a broadcast to 1,000
    sockets. What can change between two broadcasts without a join or a leave (a socket
    closing, a client that stopped reading) is still looked at for every socket, every time.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frames = FrameBatch()
        self._recipients: dict[tuple[Any, ...], _Recipients] = {}

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: Any = None) -> None:
        try:
            super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        finally:
            self._recipients.clear()

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        try:
            super().basic_leave_room(sid, namespace, room)
        finally:
            self._recipients.clear()

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
        key = (namespace, room if isinstance(room, str | None) else tuple(room), tuple(skip))
        at_once = self.frames.at_once()
        held = None if at_once else self.frames.joining(key)
        if held is not None:  # the step's last broadcast went to these rooms: same sockets
            held.frames.append(frame)
            slow = held.slow
        elif at_once:
            _, slow = self._targets(key, write=frame)
        else:
            targets, slow = self._targets(key)
            self.frames.hold(key, targets, slow).frames.append(frame)
        if slow:
            pkt = eio_packet.Packet(eio_packet.MESSAGE, encoded)
            await asyncio.gather(*(self.server.eio.send_packet(s, pkt) for s in slow))

    def _looked_up(self, key: tuple[Any, ...]) -> _Recipients:
        """The recipients of a broadcast to ``key``'s rooms, kept or looked up now."""
        found = self._recipients.get(key)
        if found is not None:
            return found
        namespace, room, skip = key
        sockets = self.server.eio.sockets
        found = _Recipients([], [])
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid in skip:
                continue
            eio_socket = sockets.get(eio_sid)
            if eio_socket is None:
                continue
            websocket = websocket_of(eio_socket)
            if websocket is not None and eio_socket.upgraded:
                found.direct.append((eio_socket, *websocket))
            else:
                found.other.append(eio_sid)
        if len(self._recipients) >= MAX_RECIPIENT_LISTS:
            self._recipients.clear()
        self._recipients[key] = found
        return found

    def _targets(
        self, key: tuple[Any, ...], write: bytes | None = None
    ) -> tuple[list[Target], list[str]]:
        """The WebSockets to write to for a broadcast to ``key``'s rooms, and the Engine.IO
        sids of the sockets on the slow path. With ``write``, each WebSocket is written to
        as soon as it is found (the first client must not wait while the last is looked
        at) and none is returned."""
        recipients = self._looked_up(key)
        sockets = self.server.eio.sockets
        targets: list[Target] = []
        slow: list[str] = []
        for eio_socket, ws, transport in recipients.direct:
            if eio_socket.closed or eio_socket.closing or ws.closed:
                # Closing, not yet out of the room: python-socketio's own path decides, as
                # it did before the socket was kept here (if the server still has it).
                if sockets.get(eio_socket.sid) is eio_socket:
                    slow.append(eio_socket.sid)
            elif transport.is_closing() or transport.get_write_buffer_size() > MAX_UNSENT_BYTES:
                _gets_nothing(transport)  # going away, or dropped now (the rare case)
            elif write is not None:
                transport.write(write)
            else:
                targets.append((ws, transport))
        if recipients.other:
            upgraded = False
            for eio_sid in recipients.other:
                eio_socket = sockets.get(eio_sid)
                if eio_socket is None:
                    continue
                target = _direct(eio_socket)
                if target is False:
                    slow.append(eio_sid)
                elif target is True:
                    upgraded = True
                elif write is not None:
                    upgraded = True
                    target[1].write(write)
                else:
                    upgraded = True
                    targets.append(target)
            if upgraded:  # on a WebSocket now: looked up again next time, with it
                self._recipients.pop(key, None)
        return targets, slow
