"""python-socketio's internals, in one place. Written against python-socketio 5.18.1.

- ``SocketServer`` replaces ``AsyncServer._engineio_server_class`` (to run our
  ``EngineServer``) and ``AsyncServer._handle_eio_message`` (to look at each message
  before python-socketio does; it reads ``_binary_packet`` so that a binary packet's
  attachments are left alone).
- ``RedisManager`` gives ``AsyncRedisManager``'s hooks ``_publish``, ``_handle_emit`` and
  ``_redis_listen_with_retries`` our names: ``publish_to_others``, ``deliver`` and
  ``listen_to_others``. It connects to Redis itself, with redis-py's public API.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio
import socketio

from server.compat import fail, require
from server.compat.engineio import EngineServer

TESTED = "5.18.1"


class SocketServer(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server on our Engine.IO server, with ``refuse_message``."""

    def _engineio_server_class(self) -> type[EngineServer]:
        return EngineServer

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        if eio_sid not in self._binary_packet and await self.refuse_message(eio_sid, data):
            return
        await super()._handle_eio_message(eio_sid, data)

    async def refuse_message(self, eio_sid: str, data: Any) -> bool:
        """Whether to drop a Socket.IO message (the caller has closed its connection)
        before python-socketio reads it. A binary packet's attachments never come here."""
        return False


class RedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    """python-socketio's Redis manager with its private hooks under public names."""

    async def _publish(self, data: dict[str, Any]) -> None:
        await self.publish_to_others(data)

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        await self.deliver(message)

    def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        return self.listen_to_others()

    async def publish_to_others(self, data: dict[str, Any]) -> None:
        """Send a message to the other processes (every pub/sub method comes here)."""
        await super()._publish(data)

    async def deliver(self, message: dict[str, Any]) -> None:
        """Deliver an emit (ours, or one another process published) to this process's
        sockets."""
        await super()._handle_emit(message)

    def listen_to_others(self) -> AsyncIterator[Any]:
        """The messages the other processes publish, for as long as the server runs."""
        listen: AsyncIterator[Any] = super()._redis_listen_with_retries()
        return listen

    def new_redis_client(self) -> redis.asyncio.Redis:
        """A Redis client of its own, with the manager's URL and options."""
        return redis.asyncio.Redis.from_url(self.redis_url, **self.redis_options)

    def connect_redis(self) -> None:
        """A new Redis client (``self.redis``) and subscriber (``self.pubsub``)."""
        self.redis = self.new_redis_client()
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self.connected = True


def check() -> None:
    """Fail, naming this module, if python-socketio's internals used here have changed."""
    here = "server/compat/socketio.py"
    lib = "python-socketio"
    require(here, lib, TESTED, socketio.AsyncServer, "_engineio_server_class")
    require(here, lib, TESTED, socketio.AsyncServer, "_handle_eio_message")
    server = socketio.AsyncServer(async_mode="aiohttp")
    if not isinstance(getattr(server, "_binary_packet", None), dict):
        fail(here, lib, TESTED, "keeps no AsyncServer._binary_packet dict")
    require(here, lib, TESTED, socketio.AsyncRedisManager, "_publish", "_handle_emit")
    require(here, lib, TESTED, socketio.AsyncRedisManager, "_redis_listen_with_retries")
    if not inspect.isasyncgenfunction(socketio.AsyncRedisManager._redis_listen_with_retries):
        fail(here, lib, TESTED, "AsyncRedisManager._redis_listen_with_retries is no generator")
    manager = socketio.AsyncRedisManager("redis://127.0.0.1:1/0")
    require(here, lib, TESTED, manager, "redis_url", "redis_options", "channel")
