"""Socket.IO on the server's port: authenticated connections, rooms by role, and the
broadcast of each committed change."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import time
from collections.abc import Coroutine
from typing import Any

import socketio
from aiohttp import web
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from kds_contract import (
    ORDER_STATUS_UPDATED,
    ROOM_ADMIN,
    ROOM_KITCHEN,
    Role,
    user_room,
)
from kds_contract.events import JOIN_ADMIN, JOIN_KITCHEN, JOIN_USER
from server.broadcast import DirectEmitManager, EncodedJson
from server.compat.engineio import WebSocket, use_websocket_class, websocket_of
from server.compat.socketio import SocketServer
from server.db import repo
from server.db.engine import Database
from server.db.repo import StoredEvent
from server.delivery import LocalDelivery
from server.public import GuessLimiter
from server.public_realtime import PublicChannel
from server.redis_health import RedisHealth
from server.screens import Screens
from server.shared_events import RedisSharedManager
from server.tokens import Principal, authenticate

log = logging.getLogger(__name__)

ROOM_ROLES: dict[str, frozenset[Role]] = {
    ROOM_KITCHEN: frozenset({Role.KITCHEN, Role.ADMIN}),
    ROOM_ADMIN: frozenset({Role.ADMIN}),
}
"""Which roles may join which shared room. Customers join only their own user room."""

MAX_SOCKET_MESSAGE = 64 * 1024
SHUTDOWN_GRACE_SECONDS = 1.0
"""How long a stopping server waits for its clients to close their WebSockets themselves."""


_SIO_PACKETS = frozenset(
    {
        sio_packet.CONNECT,
        sio_packet.DISCONNECT,
        sio_packet.EVENT,
        sio_packet.ACK,
        sio_packet.BINARY_EVENT,
        sio_packet.BINARY_ACK,
    }
)


def _well_formed(packet_class: type[sio_packet.Packet], data: Any) -> bool:
    """Whether python-socketio can handle this packet without raising."""
    try:
        pkt = packet_class(encoded_packet=data)
    except (ValueError, TypeError, IndexError, KeyError):
        return False
    if pkt.packet_type in (sio_packet.EVENT, sio_packet.BINARY_EVENT):
        return isinstance(pkt.data, list) and bool(pkt.data) and isinstance(pkt.data[0], str)
    if pkt.packet_type in (sio_packet.ACK, sio_packet.BINARY_ACK):
        return isinstance(pkt.data, list)
    return pkt.packet_type in _SIO_PACKETS


async def _close_malformed(websocket: web.WebSocketResponse | None) -> None:
    if websocket is not None and not websocket.closed:
        await websocket.close(code=1002, message=b"malformed packet")


class _CheckedWebSocket(WebSocket):
    """Closes the connection on a malformed Engine.IO packet, as the stock Socket.IO server
    does; engineio would raise on it (and answer HTTP 500 inside the WebSocket, leaving its
    socket registered) or log a traceback and read on."""

    async def wait(self) -> Any:
        data = await super().wait()
        try:
            kind = eio_packet.Packet(encoded_packet=data).packet_type
        except (ValueError, TypeError, IndexError):
            kind = None
        if kind not in range(len(eio_packet.packet_names)):
            log.info("closing a socket that sent a malformed Engine.IO packet: %.40r", data)
            await _close_malformed(self.response)
            return None  # engineio's "closed by the client": it cleans up as usual
        return data


class _SocketServer(SocketServer):
    """Closes a connection that sends a malformed Socket.IO packet (as the stock server
    does) instead of logging a traceback and reading on."""

    async def refuse_message(self, eio_sid: str, data: Any) -> bool:
        if _well_formed(self.packet_class, data):
            return False
        log.info("closing socket %s: it sent a malformed packet %.40r", eio_sid, data)
        found = websocket_of(self.eio.sockets.get(eio_sid))
        await self.eio.disconnect(eio_sid)
        await _close_malformed(found[0] if found else None)
        return True


def _library_logger(name: str) -> logging.Logger:
    """The library's logger at ERROR, through the server's own handlers and format (given
    ``False``, the library adds a handler of its own that prints its lines raw)."""
    logger = logging.getLogger(name)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.ERROR)
    return logger


def _token_from(environ: dict[str, Any], auth: Any) -> str | None:
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return str(auth["token"])
    header = environ.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("bearer "):
        return str(header[7:].strip())
    return None


class Realtime:
    """The Socket.IO server, its connect and join rules, and the broadcaster."""

    def __init__(
        self,
        db: Database,
        *,
        cors_origins: tuple[str, ...] = (),
        redis_url: str | None = None,
        revoke_check_seconds: float = 2.0,
        guesses: GuessLimiter | None = None,
        pickup_names: bool = False,
        screens: Screens | None = None,
    ) -> None:
        self.db = db
        self.screens = screens if screens is not None else Screens(db)
        manager = RedisSharedManager(redis_url) if redis_url else DirectEmitManager()
        self.shared = manager if isinstance(manager, RedisSharedManager) else None
        """The Redis manager, with --redis (None for a process on its own)."""
        self.delivery = LocalDelivery(db, self._deliver_logged) if self.shared else None
        """Which changes this process's sockets have had, with --redis (see server.delivery)."""
        if self.shared is not None and self.delivery is not None:
            self.shared.receiver = self.delivery.offer
        self.sio = _SocketServer(
            async_mode="aiohttp",
            client_manager=manager,
            cors_allowed_origins=list(cors_origins) if cors_origins else None,
            max_http_buffer_size=MAX_SOCKET_MESSAGE,
            logger=_library_logger("socketio.server"),
            engineio_logger=_library_logger("engineio.server"),
        )
        use_websocket_class(self.sio.eio, _CheckedWebSocket)
        self._principals: dict[str, Principal] = {}
        self._revoke_check_seconds = revoke_check_seconds
        self._register()
        self.public = PublicChannel(
            self.sio, db, guesses or GuessLimiter(10), names=pickup_names, screens=self.screens
        )

    def attach(self, app: web.Application) -> None:
        self.sio.attach(app, socketio_path="socket.io")

    def _register(self) -> None:
        sio = self.sio

        @sio.event
        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
            principal = await authenticate(self.db, _token_from(environ, auth))
            if principal is None:
                log.info("socket refused sid=%s: no valid token", sid)
                raise socketio.exceptions.ConnectionRefusedError(
                    "unauthorized: the token is missing, unknown or revoked; ask an admin for "
                    "one (kds-server token create) and connect with auth {token: '...'}"
                )
            self._principals[sid] = principal
            log.info("socket connect sid=%s role=%s name=%s", sid, principal.role, principal.name)

        @sio.event
        async def disconnect(sid: str, reason: Any = None) -> None:
            principal = self._principals.pop(sid, None)
            self.screens.left(sid)
            log.info(
                "socket disconnect sid=%s name=%s reason=%s",
                sid,
                principal.name if principal else "?",
                reason,
            )

        @sio.on("*")
        async def unknown(event: str, sid: str, *_: Any) -> dict[str, Any]:
            log.info("socket sid=%s sent an unknown event %.80r", sid, event)
            return {
                "ok": False,
                "error": f"unknown event {event[:80]!r}: this server takes "
                f"{JOIN_KITCHEN}, {JOIN_ADMIN} and {JOIN_USER}",
            }

        @sio.on(JOIN_KITCHEN)
        async def join_kitchen(sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
            return self.identify(sid, data, await self._join(sid, ROOM_KITCHEN))

        @sio.on(JOIN_ADMIN)
        async def join_admin(sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
            return self.identify(sid, data, await self._join(sid, ROOM_ADMIN))

        @sio.on(JOIN_USER)
        async def join_user(sid: str, *_: Any) -> dict[str, Any]:
            principal = self._principals.get(sid)
            if principal is None or principal.role is not Role.CUSTOMER or not principal.user_id:
                return {
                    "ok": False,
                    "error": "forbidden: only a customer token joins its user room",
                }
            room = user_room(principal.user_id)
            await sio.enter_room(sid, room)
            return {"ok": True, "room": room}

    async def _join(self, sid: str, room: str) -> dict[str, Any]:
        principal = self._principals.get(sid)
        if principal is None:
            return {"ok": False, "error": "unauthorized: not connected with a valid token"}
        if principal.role not in ROOM_ROLES[room]:
            return {
                "ok": False,
                "error": f"forbidden: a {principal.role} token cannot join the {room} room",
            }
        await self.sio.enter_room(sid, room)
        return {"ok": True, "room": room}

    @property
    def redis_health(self) -> RedisHealth | None:
        """Whether Redis is reachable, with --redis (None for a process on its own)."""
        return self.shared.health if self.shared is not None else None

    def background(self) -> list[Coroutine[Any, Any, None]]:
        """What runs for as long as the server does: revocation checks and, with --redis,
        Redis's health and the delivery of changes Redis did not bring."""
        tasks = [self.watch_revocations()]
        if self.shared is not None and self.delivery is not None:
            tasks += [self.shared.watch_health(), self.delivery.run()]
        return tasks

    def identify(self, sid: str, data: Any, ack: dict[str, Any]) -> dict[str, Any]:
        """After a join: note the screen its data says this socket is (``Screens.identify``)."""
        return self.screens.identify(sid, data, ack)

    def clients_by_room(self) -> collections.Counter[tuple[str, str]]:
        """Connected clients by (room, station of their screen); customers' rooms count as
        ``user`` and any ``prefix:key`` room as its prefix, so no key becomes a label."""
        counts: collections.Counter[tuple[str, str]] = collections.Counter()
        for by_room in self.sio.manager.rooms.values():
            for room, members in by_room.items():
                if room is None or room in members:  # every client's own room
                    continue
                name = room.partition(":")[0]
                for sid in members:
                    counts[(name, self.screens.station_of(sid))] += 1
        return counts

    async def publish(self, event: StoredEvent, payload: dict[str, Any]) -> None:
        """Deliver a change committed here to this process's sockets, and share it with the
        other processes (with --redis)."""
        if self.delivery is None or self.delivery.first_time(event.seq):
            await self.deliver(event, payload)
        if self.shared is not None:
            await self.shared.share(event)

    async def _deliver_logged(self, event: StoredEvent) -> None:
        await self.deliver(event, json.loads(event.data))

    async def deliver(self, event: StoredEvent, payload: dict[str, Any]) -> None:
        """Send a change to this process's kitchen and admin rooms, the customer's room and
        the public pages."""
        data = EncodedJson(event.data)  # the stored JSON text of ``payload``, sent as is
        await self.sio.emit(event.type, data, to=[ROOM_KITCHEN, ROOM_ADMIN])
        if event.type == ORDER_STATUS_UPDATED:
            user_id = payload["order"].get("user_id")
            if user_id:
                await self.sio.emit(event.type, data, to=user_room(user_id))
        await self.public.publish(event, payload)

    async def drop_revoked(self) -> None:
        """Disconnect the sockets whose token has been revoked since they connected."""
        by_token: dict[int, list[str]] = {}
        for sid, principal in list(self._principals.items()):
            by_token.setdefault(principal.token_id, []).append(sid)
        if not by_token:
            return
        async with self.db.reading() as conn:
            revoked = await repo.revoked_among(conn, by_token)
        for token_id in revoked:
            for sid in by_token[token_id]:
                log.info("socket dropped sid=%s: its token was revoked", sid)
                await self.sio.disconnect(sid)

    async def watch_revocations(self) -> None:
        """Run ``drop_revoked`` every few seconds, for as long as the server runs."""
        while True:
            await asyncio.sleep(self._revoke_check_seconds)
            try:
                await self.drop_revoked()
            except Exception:
                log.exception("checking for revoked tokens failed; will try again")

    async def close(self) -> None:
        """Disconnect every client, then end every WebSocket still open (the server stops)."""
        websockets = [websocket_of(s) for s in self.sio.eio.sockets.values()]
        for sid in list(self._principals):
            with contextlib.suppress(Exception):
                await self.sio.disconnect(sid)
        # Give clients a moment to read that and close; a WebSocket still open after it
        # would hold the stop up for good (engineio's handler swallows the cancellation
        # meant to end it), so its connection is closed under it.
        open_ = [found for found in websockets if found is not None]
        deadline = time.monotonic() + SHUTDOWN_GRACE_SECONDS
        # aiohttp has no event for a WebSocket its peer closed: look every 50 ms.
        while any(not ws.closed for ws, _ in open_) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        for websocket, transport in open_:
            if not websocket.closed:
                transport.close()
        if isinstance(self.sio.manager, RedisSharedManager):
            await self.sio.manager.close()
