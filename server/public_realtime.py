"""The Socket.IO namespace ``/public``: the tracking page and the pickup board, no token.

A client there may only ``join:track`` with ``{"code"}`` (that order's updates) or
``join:pickup`` (the pickup board's), and it hears only public fields
(``kds_contract.tracking.public_order``). The default namespace keeps refusing any
connection without a valid token (server.realtime).
"""

from __future__ import annotations

import logging
from typing import Any

import socketio

from kds_contract import ORDER_CREATED, ORDER_DELETED
from kds_contract.screens import ScreenKind
from kds_contract.tracking import (
    JOIN_PICKUP,
    JOIN_TRACK,
    PUBLIC_NAMESPACE,
    ROOM_PICKUP,
    is_tracking_code,
    public_order,
    track_room,
)
from server.broadcast import EncodedJson
from server.db import repo
from server.db.engine import Database
from server.db.repo import StoredEvent, dumps
from server.public import GuessLimiter, public_payload
from server.screens import Screens

log = logging.getLogger(__name__)

MAX_TRACKED_PER_SOCKET = 10
"""Orders one public socket may follow (a family's orders, not a crawl of them all)."""


def client_address(environ: dict[str, Any]) -> str:
    """The peer's address, as the guess limiter counts it."""
    request = environ.get("aiohttp.request")
    remote = getattr(request, "remote", None) or environ.get("REMOTE_ADDR")
    return str(remote or "?")


class PublicChannel:
    """The ``/public`` namespace's join rules and its share of every broadcast."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        db: Database,
        guesses: GuessLimiter,
        *,
        names: bool,
        screens: Screens | None = None,
    ) -> None:
        self.sio = sio
        self.screens = screens
        """Where a pickup board that says what it is (``pickup_board`` only) is listed."""
        self.db = db
        self.guesses = guesses
        self.names = names
        """Whether the pickup board hears customers' names (``--pickup-names``)."""
        self._addresses: dict[str, str] = {}
        self._codes: dict[int, str] = {}
        """The tracking code of each order someone on this process follows, by order id
        (a deletion names only the id)."""
        self._register()

    def _register(self) -> None:
        sio, ns = self.sio, PUBLIC_NAMESPACE

        @sio.on("connect", namespace=ns)
        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
            self._addresses[sid] = client_address(environ)

        @sio.on("disconnect", namespace=ns)
        async def disconnect(sid: str, reason: Any = None) -> None:
            self._addresses.pop(sid, None)
            if self.screens is not None:
                self.screens.left(sid)
            for room in sio.rooms(sid, namespace=ns):
                if room.startswith("track:") and self._members(room) <= 1:
                    code = room.removeprefix("track:")
                    for order_id in [k for k, v in self._codes.items() if v == code]:
                        del self._codes[order_id]

        @sio.on("*", namespace=ns)
        async def unknown(event: str, sid: str, *_: Any) -> dict[str, Any]:
            return {
                "ok": False,
                "error": f"unknown event {event[:80]!r}: this namespace takes "
                f"{JOIN_TRACK} {{code}} and {JOIN_PICKUP}",
            }

        @sio.on(JOIN_TRACK, namespace=ns)
        async def join_track(sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
            return await self._join_track(sid, data)

        @sio.on(JOIN_PICKUP, namespace=ns)
        async def join_pickup(sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
            await sio.enter_room(sid, ROOM_PICKUP, namespace=ns)
            ack = {"ok": True, "room": ROOM_PICKUP, "names": self.names}
            if self.screens is None:
                return ack
            return self.screens.identify(sid, data, ack, only=ScreenKind.PICKUP_BOARD)

    async def _join_track(self, sid: str, data: Any) -> dict[str, Any]:
        address = self._addresses.get(sid, "?")
        wait = self.guesses.retry_after(address)
        if wait:
            return {
                "ok": False,
                "error": f"too many unknown tracking codes; try again in {int(wait) + 1} s",
                "retry_after_s": int(wait) + 1,
            }
        code = data.get("code") if isinstance(data, dict) else None
        if not isinstance(code, str):
            return {"ok": False, "error": 'send {"code": "<tracking code>"} with join:track'}
        order, seq, epoch = None, 0, None
        if is_tracking_code(code):
            async with self.db.reading() as conn:
                seq, epoch = await repo.log_position(conn)
                order = await repo.get_order_by_tracking_code(conn, code)
        if order is None:
            self.guesses.miss(address)
            return {"ok": False, "error": "not_found: no order has this tracking code"}
        ns = PUBLIC_NAMESPACE
        tracked = [r for r in self.sio.rooms(sid, namespace=ns) if r.startswith("track:")]
        if len(tracked) >= MAX_TRACKED_PER_SOCKET and track_room(code) not in tracked:
            return {
                "ok": False,
                "error": f"a connection may follow at most {MAX_TRACKED_PER_SOCKET} orders",
            }
        await self.sio.enter_room(sid, track_room(code), namespace=ns)
        self._codes[order.id] = code
        public = public_order(order.wire())
        return {"ok": True, "room": "track", "order": public, "seq": seq, "epoch": epoch}

    def _members(self, room: str) -> int:
        return len(self.sio.manager.rooms.get(PUBLIC_NAMESPACE, {}).get(room, ()))

    def _listened(self, room: str) -> bool:
        # Each process delivers every change to its own sockets (server.delivery).
        return self._members(room) > 0

    async def publish(self, event: StoredEvent, payload: dict[str, Any]) -> None:
        """Tell the public pages of a committed change, in public fields only."""
        ns = PUBLIC_NAMESPACE
        if event.type == ORDER_DELETED:
            deleted = {"orderId": event.order_id, "seq": payload["seq"]}
            data = EncodedJson(dumps({**deleted, "epoch": payload.get("epoch")}))
            code = self._codes.pop(event.order_id, None)
            if code is not None:
                await self.sio.emit(event.type, data, to=track_room(code), namespace=ns)
            if self._listened(ROOM_PICKUP):
                await self.sio.emit(event.type, data, to=ROOM_PICKUP, namespace=ns)
            return
        wire = payload["order"]
        code = wire.get("tracking_code")
        if code and event.type != ORDER_CREATED and self._listened(track_room(code)):
            data = EncodedJson(dumps(public_payload(payload, public_order(wire))))
            await self.sio.emit(event.type, data, to=track_room(code), namespace=ns)
        if self._listened(ROOM_PICKUP):
            data = EncodedJson(dumps(public_payload(payload, public_order(wire, names=self.names))))
            await self.sio.emit(event.type, data, to=ROOM_PICKUP, namespace=ns)
