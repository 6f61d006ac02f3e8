"""Sharing changes between server processes through Redis.

Every process delivers a change to its own sockets at once, then publishes the change (its
event, once, not each room's broadcast) on Redis for the others, which deliver it to their
own sockets. Publishing never holds up the request that made the change: messages go out in
order from one background task. When Redis is away (stopped, or silent), what would have
been published is dropped, one warning says so, ``RedisHealth`` says so, and each process
delivers the changes it did not hear about from the event log instead
(``server.delivery``); when Redis is back, publishing and listening resume within
``RETRY_MAX_S``.

python-socketio's own manager published inside the request (a silent Redis made every write
request take 10 s: two attempts of redis-py's 5 s socket timeout), logged an error for every
message and every retry, and waited up to 60 s between attempts to listen again.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

from server.broadcast import DirectEmitManager, EncodedJson, decoded
from server.compat.socketio import RedisManager
from server.db.repo import StoredEvent
from server.redis_health import RedisHealth

log = logging.getLogger(__name__)

TIMEOUT_S = 2.0
"""How long one publish (or connect) may take before Redis counts as away."""
RETRY_MIN_S = 0.25
RETRY_MAX_S = 2.0
"""Redis away: publishing is tried again every this long, listening with backoff up to it."""
OUTBOX_MAX = 10_000
"""Messages waiting to be published at most; past it the oldest are dropped (the other
processes deliver them from the event log)."""
PING_EVERY_S = 2.0
"""How often an idle process checks that Redis answers."""
SHARED_EVENT = "kds:change"
SHARED_ROOM = "kds:processes"
"""A change crosses Redis as an emit of this event to this room, which no socket joins: an
older process that does not know the message delivers it to no one."""

Receiver = Callable[[StoredEvent], Awaitable[None]]


class RedisSharedManager(RedisManager, DirectEmitManager):  # type: ignore[misc]
    """The Redis manager: a broadcast of a stored change (``EncodedJson``) goes to this
    process's sockets only; ``share`` publishes the change itself to the other processes,
    whose ``receiver`` delivers it to their sockets. Other emits take python-socketio's
    path (here, then the others).

    The method order puts DirectEmitManager after the pub/sub manager, so the pub/sub
    manager's local delivery (``super().emit``) is the direct one. A change crosses Redis
    with its payload as the stored JSON text, so no process decodes it to pass it on.
    """

    def __init__(self, url: str) -> None:
        super().__init__(
            url,
            redis_options={"socket_timeout": TIMEOUT_S, "socket_connect_timeout": TIMEOUT_S},
        )
        self._outbox: collections.deque[dict[str, Any]] = collections.deque(maxlen=OUTBOX_MAX)
        self._queued = asyncio.Event()
        self._drained = asyncio.Event()
        self._publisher: asyncio.Task[None] | None = None
        self.published = 0
        self.dropped = 0
        """Messages not shared because Redis was away (or the outbox overflowed)."""
        self.health = RedisHealth()
        self.receiver: Receiver | None = None
        """Delivers a change another process made to this process's sockets."""

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
        kwargs.pop("ignore_queue", None)  # a stored change is always delivered here only
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
        await DirectEmitManager.emit(
            self, event, data, namespace or "/", room=to or room, skip_sid=skip_sid
        )

    async def share(self, event: StoredEvent) -> None:
        """Publish a committed change to the other processes."""
        await self.publish_to_others(
            {
                "method": "emit",
                "event": SHARED_EVENT,
                "namespace": "/",
                "room": SHARED_ROOM,
                "change": {
                    "seq": event.seq,
                    "type": event.type,
                    "order_id": event.order_id,
                    "at": event.at.isoformat(),
                    "data": event.data,
                },
                "host_id": self.host_id,
            }
        )

    async def deliver(self, message: dict[str, Any]) -> None:
        change = message.get("change")
        if isinstance(change, dict):
            if self.receiver is not None:
                await self.receiver(_stored(change))
            return
        if "encoded" not in message:
            await super().deliver(message)
            return
        # A broadcast as an older process publishes it (during a rolling upgrade).
        await DirectEmitManager.emit(
            self,
            message["event"],
            EncodedJson(message["encoded"]),
            message.get("namespace") or "/",
            room=message.get("room"),
            skip_sid=message.get("skip_sid"),
        )

    # --- publishing: in order, off the request's path ------------------------------------

    async def publish_to_others(self, data: dict[str, Any]) -> None:
        """Queue a message for the other processes (every pub/sub method comes here)."""
        if len(self._outbox) == OUTBOX_MAX:
            self.dropped += 1
        self._outbox.append(data)
        self._drained.clear()
        self._queued.set()
        if self._publisher is None or self._publisher.done():
            self._publisher = asyncio.create_task(self._publish_in_order(), name="redis-publish")

    async def _publish_in_order(self) -> None:
        away_since: float | None = None
        while True:
            if not self._outbox and away_since is not None:
                # Nothing waits, but the last publish failed: find out when publishing works
                # again without waiting for the next change, so that health says so.
                self._drained.set()
                try:
                    if self.redis is None:
                        self.connect_redis()
                    await asyncio.wait_for(self.redis.ping(), TIMEOUT_S)
                except Exception as exc:
                    self.health.failed("publish", _reason(exc))
                    self._queued.clear()
                    if not self._outbox:  # a new change is tried at once
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._queued.wait(), RETRY_MAX_S)
                    continue
                self.health.worked("publish")
                log.warning(
                    "redis: publishing again after %.1f s (%d messages were not shared)",
                    time.monotonic() - away_since,
                    self.dropped,
                )
                away_since = None
                continue
            if not self._outbox:
                self._queued.clear()
                self._drained.set()
                await self._queued.wait()
                continue
            try:
                if self.redis is None:
                    self.connect_redis()
                text = self.json.dumps(self._outbox[0])
                await asyncio.wait_for(self.redis.publish(self.channel, text), TIMEOUT_S)
            except Exception as exc:
                self.health.failed("publish", _reason(exc))
                if away_since is None:
                    away_since = time.monotonic()
                    log.warning(
                        "redis: cannot publish (%s); changes reach this process's clients at "
                        "once and the other processes' clients from the event log within "
                        "seconds; trying again every %s s",
                        _reason(exc),
                        RETRY_MAX_S,
                    )
                self.dropped += len(self._outbox)
                self._outbox.clear()
                self._drained.set()
                await asyncio.sleep(RETRY_MAX_S)
                continue
            self._outbox.popleft()
            self.published += 1
            self.health.worked("publish")
            if away_since is not None:
                log.warning(
                    "redis: publishing again after %.1f s (%d messages were not shared)",
                    time.monotonic() - away_since,
                    self.dropped,
                )
                away_since = None

    async def close(self) -> None:
        """Publish what is queued (for at most ``TIMEOUT_S``), then stop: the server stops."""
        if self._publisher is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drained.wait(), TIMEOUT_S)
        self._publisher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._publisher

    # --- listening: back within RETRY_MAX_S of Redis coming back -------------------------

    async def listen_to_others(self) -> AsyncIterator[Any]:
        delay = RETRY_MIN_S
        away_since: float | None = None
        while True:
            try:
                self.connect_redis()
                await self.pubsub.subscribe(self.channel)
                self.health.worked("receive")
                if away_since is not None:
                    log.warning(
                        "redis: receiving again after %.1f s", time.monotonic() - away_since
                    )
                    away_since = None
                delay = RETRY_MIN_S
                async for message in self.pubsub.listen():
                    yield message
            except Exception as exc:
                self.health.failed("receive", _reason(exc))
                if away_since is None:
                    away_since = time.monotonic()
                    log.warning(
                        "redis: cannot receive (%s); other processes' changes reach this "
                        "process's clients from the event log within seconds; trying again",
                        _reason(exc),
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_S)

    # --- checking: an idle process notices a silent Redis too ----------------------------

    async def watch_health(self) -> None:
        """Ping Redis every ``PING_EVERY_S`` for as long as the server runs."""
        client = None
        while True:
            try:
                if client is None:
                    client = self.new_redis_client()
                await asyncio.wait_for(client.ping(), TIMEOUT_S)
            except Exception as exc:
                self.health.failed("ping", _reason(exc))
                if client is not None:
                    with contextlib.suppress(Exception):
                        await client.aclose()
                client = None
            else:
                self.health.worked("ping")
            await asyncio.sleep(PING_EVERY_S)


def _stored(change: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        int(change["seq"]),
        str(change["type"]),
        int(change["order_id"]),
        datetime.fromisoformat(change["at"]),
        str(change["data"]),
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {TIMEOUT_S} s"
    return str(exc) or type(exc).__name__
