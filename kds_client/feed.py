"""The live feed: a Socket.IO connection that keeps an OrderStore equal to the server's state.

One background task owns the connection. Each attempt connects (WebSocket only, token in
``auth``), joins the rooms, then brings the store up to date by seq (a snapshot the first
time or after a long absence, else ``GET /api/events?after=<last_seq>``) and only then
reports itself LIVE. While live it applies events as they come (by seq, holding back any
that overtake a missing one) and every few seconds asks the server for anything it missed,
which also notices a connection that went silent. When the connection ends, it tries again
after an exponential backoff with full jitter, moving on to the next URL when one fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

import aiohttp
import socketio
import socketio.exceptions

from kds_client.errors import Forbidden, KdsError, Offline, Unauthorized
from kds_client.rest import KdsRest, normalize_urls
from kds_client.store import Change, Event, OrderStore
from kds_client.sync import Snapshot, StoreSync
from kds_contract import EVENT_TYPES, OPEN_STATUSES, Status
from kds_contract.screens import ScreenHello

log = logging.getLogger(__name__)


class ConnectionState(StrEnum):
    """Where the feed's connection is.

    CONNECTING: an attempt is under way (connect, join, catch up). LIVE: caught up and
    receiving events. RECONNECTING: the connection was lost or an attempt failed; the next
    attempt is at ``next_attempt_at``. OFFLINE: no server answered a whole round of attempts
    (still retrying at ``next_attempt_at``), or the feed is not running.
    """

    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"


@dataclass(frozen=True)
class FeedStatus:
    """A snapshot of the feed's health, for a status bar."""

    state: ConnectionState
    url: str | None = None
    """The server in use (or being tried)."""
    next_attempt_at: float | None = None
    """``time.time()`` of the next connection attempt, while waiting to retry."""
    last_event_at: float | None = None
    """``time.time()`` of the last event received or successful check with the server."""
    last_seq: int = 0
    error: str | None = None
    """Why the last attempt failed or the connection ended, in words."""
    refused: bool = False
    """The server refused the token or a room on the last attempt: trying again will not help
    until the token changes. The feed tries again all the same; a script may rather stop."""


class _AttemptFailed(Exception):
    """A connection attempt failed; the message says why in words.

    ``refused``: the server refused the token or a room (not a network failure).
    """

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


class LiveFeed:
    """Keeps ``store`` equal to the server's orders over a reconnecting Socket.IO connection.

    Args:
        urls: one server URL or several, tried in turn.
        token: the API token (kitchen or admin).
        rooms: rooms to join after every connect (``kitchen``, ``admin``).
        store: the store to keep; a new one by default. A store already loaded (for
            example ``store.reset([], seq)``) is caught up from its seq, without a snapshot.
        rest: the REST client for snapshots and catch-up; one on the same URLs by default.
        snapshot_statuses: which orders a snapshot loads; None for every order.
        check_interval: seconds between checks with the server while live.
        backoff_base, backoff_max: the reconnect delay is uniform in
            ``[0, min(backoff_max, backoff_base * 2**failures)]``. The 6 s cap keeps a
            screen well within 10 s of a server that came back (connecting included),
            while 50 screens still spread their reconnects over seconds.
        connect_timeout: seconds allowed for connecting and joining.
        max_catch_up: more missed events than this and the store reloads a snapshot instead.
        gap_grace: seconds to wait for a missing event before asking the server for it.
        screen: what this screen is (kind, station, device name, version), sent with each
            join so the server lists it among the screens online.
    """

    def __init__(
        self,
        urls: Sequence[str] | str,
        token: str,
        *,
        rooms: Sequence[str] = ("kitchen",),
        store: OrderStore | None = None,
        rest: KdsRest | None = None,
        snapshot_statuses: Sequence[Status | str] | None = OPEN_STATUSES,
        check_interval: float = 5.0,
        backoff_base: float = 0.5,
        backoff_max: float = 6.0,
        connect_timeout: float = 10.0,
        max_catch_up: int = 5000,
        page_size: int = 1000,
        gap_grace: float = 0.3,
        screen: ScreenHello | None = None,
    ) -> None:
        self.urls = normalize_urls(urls)
        self.token = token
        self.rooms = tuple(rooms)
        self.store = store if store is not None else OrderStore()
        self._own_rest = rest is None
        self.rest = rest if rest is not None else KdsRest(self.urls, token)
        self.check_interval = check_interval
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.connect_timeout = connect_timeout
        self.gap_grace = gap_grace
        self.screen = screen
        self.status = FeedStatus(ConnectionState.OFFLINE, last_seq=self.store.last_seq)
        self._change_callbacks: list[Callable[[Change], None]] = []
        self._status_callbacks: list[Callable[[FeedStatus], None]] = []
        self._runner: asyncio.Task[None] | None = None
        self._gap_task: asyncio.Task[None] | None = None
        self._sio: socketio.AsyncClient | None = None
        self._dropped = asyncio.Event()
        self._live = asyncio.Event()
        self._refusal: str | None = None
        self._refused_by_server = False
        self._http: aiohttp.ClientSession | None = None
        self._sync = StoreSync(
            self.store,
            self.rest,
            self._emit,
            statuses=snapshot_statuses,
            page_size=page_size,
            max_catch_up=max_catch_up,
        )

    # -- what the apps use ------------------------------------------------------------

    def on_change(self, callback: Callable[[Change], None]) -> None:
        """Call ``callback`` in the event loop after each change applied to the store."""
        self._change_callbacks.append(callback)

    def on_status(self, callback: Callable[[FeedStatus], None]) -> None:
        """Call ``callback`` with the new status on every change of state or error."""
        self._status_callbacks.append(callback)

    def server_now(self) -> datetime:
        """The server's time now (from its answers), in this machine's time zone: what fire
        times and due times are counted against, so that every screen counts alike."""
        return self.rest.server_clock.now()

    @property
    def live(self) -> bool:
        """True while connected and caught up."""
        return self.status.state is ConnectionState.LIVE

    def require_live(self) -> None:
        """Raise :class:`Offline` unless the feed is live; apps call it before an action."""
        if not self.live:
            reason = self.status.error or f"the connection is {self.status.state}"
            raise Offline(f"offline: not connected to the server ({reason})")

    async def start(self) -> None:
        """Start connecting in the background and return at once; retries until stopped."""
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run(), name="kds-live-feed")

    async def wait_live(self) -> None:
        """Wait until the feed is live (caught up). Wrap it in ``asyncio.timeout`` to bound it."""
        await self._live.wait()

    async def stop(self) -> None:
        """Disconnect and stop retrying. Closes the REST client if the feed made it."""
        for task in (self._gap_task, self._runner):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._runner = self._gap_task = None
        await self._close_socket()
        if self._own_rest:
            await self.rest.close()
        self._set_status(state=ConnectionState.OFFLINE, next_attempt_at=None)

    async def use_token(self, token: str) -> None:
        """Connect again at once with another token (the last one was refused or revoked)."""
        self.token = token
        await self.rest.use_token(token)
        if self._runner is not None and not self._runner.done():
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        self._runner = None
        await self._close_socket()
        await self.start()

    async def refresh(self) -> None:
        """Ask the server now for any change the store has not seen."""
        await self._sync.catch_up(self.status.url)
        self._set_status(last_event_at=time.time())

    # -- the connection loop ----------------------------------------------------------

    async def _run(self) -> None:
        failures = 0
        index = 0
        while True:
            url = self.urls[index]
            self._set_status(state=ConnectionState.CONNECTING, url=url, next_attempt_at=None)
            refused = False
            try:
                reason = await self._session(url)
            except _AttemptFailed as exc:
                failures += 1
                index = (index + 1) % len(self.urls)
                reason = str(exc)
                refused = exc.refused
                log.info("cannot connect to %s: %s", url, reason)
            except Exception as exc:
                # A bug must not end the feed for good: say so, and try again like any failure.
                log.exception("unexpected error in the live feed on %s", url)
                failures += 1
                index = (index + 1) % len(self.urls)
                reason = f"unexpected error: {exc!r}"
            else:
                failures = 0
                log.info("connection to %s ended: %s", url, reason)
            delay = random.uniform(
                0, min(self.backoff_max, self.backoff_base * 2 ** min(failures, 16))
            )
            retry_at = time.time() + delay
            offline = failures >= len(self.urls)
            # Not live any more from this moment, before the old socket is closed.
            self._set_status(
                state=ConnectionState.OFFLINE if offline else ConnectionState.RECONNECTING,
                url=self.urls[index],
                next_attempt_at=retry_at,
                error=reason,
                refused=refused,
            )
            await self._close_socket()
            await asyncio.sleep(max(0.0, retry_at - time.time()))

    async def _session(self, url: str) -> str:
        """Connect, join, catch up, then stay live; return why the connection ended.

        Raises _AttemptFailed when it never became live.
        """
        self._refusal = None
        self._refused_by_server = False
        self._dropped = asyncio.Event()
        # Held-back events of an earlier connection (perhaps another server, perhaps another
        # database) are not to be trusted here; the catch-up below gets them again if real.
        self.store.forget_held_back()
        sio = self._new_client()
        self._sio = sio
        snapshot: asyncio.Task[Snapshot] | None = None
        connected = False
        try:
            try:
                async with asyncio.timeout(self.connect_timeout):
                    # An HTTP request first: its failure says why in words ("connection
                    # refused").
                    await self.rest.health(url=url)
                    if not self.store.loaded:
                        # The snapshot is read while the socket connects and joins, and loaded
                        # once they have: the catch-up after the join starts from its seq, so
                        # a change made meanwhile is not missed.
                        snapshot = asyncio.create_task(
                            self._sync.read_snapshot(url), name="kds-feed-snapshot"
                        )
                    await sio.connect(
                        url,
                        auth={"token": self.token},
                        transports=["websocket"],
                        wait_timeout=self.connect_timeout,
                    )
                    for room in self.rooms:
                        await self._join(sio, room)
                connected = True
            except TimeoutError as exc:
                raise _AttemptFailed(f"no answer from {url} in {self.connect_timeout:g} s") from exc
            except KdsError as exc:
                raise _AttemptFailed(
                    exc.message.removeprefix("offline: "),
                    refused=isinstance(exc, Unauthorized | Forbidden),
                ) from exc
            except socketio.exceptions.ConnectionError as exc:
                raise _AttemptFailed(
                    self._refusal or f"cannot connect to {url} ({exc})",
                    refused=self._refused_by_server,
                ) from exc
            except (socketio.exceptions.SocketIOError, aiohttp.ClientError, OSError) as exc:
                raise _AttemptFailed(f"{url}: {exc or type(exc).__name__}") from exc
        finally:
            if snapshot is not None and not connected:
                snapshot.cancel()
                await asyncio.gather(snapshot, return_exceptions=True)
        try:
            await self._sync.sync(url, snapshot)
        except KdsError as exc:
            raise _AttemptFailed(
                f"cannot catch up from {url}: {exc}",
                refused=isinstance(exc, Unauthorized | Forbidden),
            ) from exc
        if self._dropped.is_set():
            raise _AttemptFailed(f"{url} closed the connection while catching up")
        self.rest.use(url)
        self._live.set()
        self._set_status(
            state=ConnectionState.LIVE,
            url=url,
            error=None,
            refused=False,
            last_event_at=time.time(),
        )
        try:
            return await self._stay_live(url)
        finally:
            self._live.clear()

    async def _stay_live(self, url: str) -> str:
        while True:
            try:
                async with asyncio.timeout(self.check_interval):
                    await self._dropped.wait()
                return self._refusal or f"{url} closed the connection"
            except TimeoutError:
                pass
            try:
                async with asyncio.timeout(max(self.check_interval, 2.0)):
                    await self._sync.catch_up(url)
                self._set_status(last_event_at=time.time())
            except (Offline, TimeoutError):
                return f"{url} stopped answering"
            except Unauthorized as exc:
                return f"{url} no longer accepts the token: {exc}"
            except KdsError as exc:
                log.warning("check with %s failed: %s", url, exc)
                self._set_status(error=f"check with the server failed: {exc}")

    def _new_client(self) -> socketio.AsyncClient:
        # Our own HTTP session, so that closing it ends a connection that hangs.
        self._http = aiohttp.ClientSession()
        sio = socketio.AsyncClient(
            reconnection=False, handle_sigint=False, logger=False, http_session=self._http
        )

        def on_event(event_type: str) -> Callable[[Any], None]:
            return lambda payload: self._on_event(sio, event_type, payload)

        for event_type in EVENT_TYPES:
            sio.on(event_type, on_event(event_type))

        def on_disconnect(*_reason: Any) -> None:
            if sio is self._sio:
                self._dropped.set()

        def on_connect_error(data: Any = None) -> None:
            # The server's own refusal (its connect handler) arrives as {"message": ...}; a
            # failure of the transport as a string.
            self._refused_by_server = isinstance(data, dict)
            message = data.get("message") if isinstance(data, dict) else data
            # The reason, not the server's advice to developers that follows it.
            reason = str(message or "no reason given").split(";")[0]
            self._refusal = f"the server refused the connection: {reason}"

        sio.on("disconnect", on_disconnect)
        sio.on("connect_error", on_connect_error)
        return sio

    async def _join(self, sio: socketio.AsyncClient, room: str) -> None:
        data = self.screen.payload() if self.screen is not None else None
        ack = await sio.call(f"join:{room}", data, timeout=self.connect_timeout)
        if isinstance(ack, dict) and ack.get("screen_error"):
            log.warning("the server ignored what this screen said it is: %s", ack["screen_error"])
        if isinstance(ack, dict) and ack.get("ok") is False:
            error = ack.get("error")
            if isinstance(error, dict):
                error = error.get("message") or error.get("code")
            raise _AttemptFailed(f"the server refused to join room {room!r}: {error}", refused=True)

    async def _close_socket(self) -> None:
        sio, self._sio = self._sio, None
        http, self._http = self._http, None
        try:
            if sio is not None:
                async with asyncio.timeout(2.0):
                    await sio.disconnect()
        except (TimeoutError, aiohttp.ClientError, OSError, socketio.exceptions.SocketIOError):
            log.debug("socket did not close cleanly", exc_info=True)
        finally:
            if http is not None:
                await http.close()

    # -- keeping the store up to date -------------------------------------------------

    def _on_event(self, sio: socketio.AsyncClient, event_type: str, payload: Any) -> None:
        if sio is not self._sio:
            return
        try:
            event = Event.from_socket(event_type, payload)
        except (KeyError, TypeError, ValueError):
            log.warning("ignoring a malformed %s event: %r", event_type, payload)
            return
        self._emit(self.store.offer(event))
        self._set_status(last_event_at=time.time())
        if self.store.has_gap or self.store.diverged:
            self._schedule_gap_fill()

    def _schedule_gap_fill(self) -> None:
        if self._gap_task is None or self._gap_task.done():
            self._gap_task = asyncio.create_task(self._fill_gap(), name="kds-feed-gap")

    async def _fill_gap(self) -> None:
        await asyncio.sleep(self.gap_grace)
        if not (self.store.has_gap or self.store.diverged) or not self.store.loaded:
            return
        try:
            await self._sync.catch_up(self.status.url)
        except KdsError as exc:
            log.warning("cannot fetch missing events: %s", exc)

    # -- telling the listeners ----------------------------------------------------------

    def _emit(self, changes: list[Change]) -> None:
        clock = getattr(self.rest, "server_clock", None)
        if clock is not None:
            # The server's clock had passed every time it wrote on what just came.
            at = clock.local()
            for change in changes:
                orders = self.store.open_orders() if change.type == "reset" else [change.order]
                for order in orders:
                    if order is not None:
                        clock.passed(order.updated_at.timestamp(), at)
        for change in changes:
            for callback in self._change_callbacks:
                try:
                    callback(change)
                except Exception:
                    log.exception("a change listener failed on %s %s", change.type, change.seq)

    def _set_status(self, **fields: Any) -> None:
        """Update the status (always with the store's seq) and tell the listeners if it changed."""
        fields.setdefault("last_seq", self.store.last_seq)
        new = replace(self.status, **fields)
        if new == self.status:
            return
        self.status = new
        for callback in self._status_callbacks:
            try:
                callback(new)
            except Exception:
                log.exception("a status listener failed")
