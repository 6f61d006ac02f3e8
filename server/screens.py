"""Screens online: the displays and consoles connected to this process, and their record in
the database that every process shares.

A screen's join (with its hello) and its leaving are written to the ``screens`` table by one
background task, off the socket's path, in the order they happened; while the database is
away they wait and are written when it is back. Every ``HEARTBEAT_S`` the task marks this
process's screens as seen, so a screen whose process died is shown as gone once its last
sighting is ``STALE_S`` old.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kds_contract.screens import (
    KITCHEN_KINDS,
    SEEN_WITHIN_HOURS,
    ScreenHello,
    ScreenInfo,
    ScreenKind,
    ScreensAnswer,
    StationCover,
    parse_hello,
)
from server.db import operating
from server.db.engine import Database

log = logging.getLogger(__name__)

HEARTBEAT_S = 15.0
STALE_S = 3 * HEARTBEAT_S
"""A screen marked connected but not seen for this long is gone (its process died)."""
FORGET_AFTER = timedelta(days=7)
RETRY_S = 2.0
MAX_UNTRUSTED = 50
"""Screens joining without a token (pickup boards in ``/public``) listed per process at most."""
CLOSE_S = 2.0
"""How long a stopping server tries to record its screens' leaving."""


def utcnow() -> datetime:
    return datetime.now(UTC)


Identity = tuple[str, str, str]


def identity(hello: ScreenHello) -> Identity:
    return (str(hello.kind), hello.station_key, hello.name)


@dataclass(frozen=True)
class _Change:
    hello: ScreenHello
    connected: bool
    at: datetime


class Screens:
    """This process's screens (by socket id) and the task that records them."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime] = utcnow,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        self.db = db
        self.process = uuid.uuid4().hex
        self._clock = clock
        self._heartbeat_s = heartbeat_s
        self._by_sid: dict[str, ScreenHello] = {}
        self._holders: Counter[Identity] = Counter()
        self._pending: dict[Identity, _Change] = {}
        self._wake = asyncio.Event()
        self._seen_kinds: set[tuple[str, str]] = set()

    # --- what the sockets tell ----------------------------------------------------------

    def joined(self, sid: str, hello: ScreenHello) -> None:
        """A socket said what screen it is (again, on each join: the last one counts)."""
        if self._by_sid.get(sid) == hello:
            return
        self.left(sid)
        self._by_sid[sid] = hello
        key = identity(hello)
        self._holders[key] += 1
        self._seen_kinds.add((str(hello.kind), hello.station_key))
        self._queue(_Change(hello, True, self._clock()))
        log.info(
            "screen joined: %s %s%s (version %s)",
            hello.kind,
            hello.name,
            f" at station {hello.station}" if hello.station else "",
            hello.version or "?",
            extra={"station": hello.station_key or None, "screen": hello.name},
        )

    def identify(
        self, sid: str, data: Any, ack: dict[str, Any], *, only: ScreenKind | None = None
    ) -> dict[str, Any]:
        """After a join (``ack`` its answer): note the screen the join's data says this socket
        is. A hello that cannot be read (or, with ``only``, of another kind) is ignored and
        the answer says why; the join stands."""
        if not ack.get("ok"):
            return ack
        hello, error = parse_hello(data)
        if hello is not None and only is not None:
            if hello.kind is not only:
                hello, error = None, f"screen.kind: only {only} screens join here"
            elif self._count_kind(only) >= MAX_UNTRUSTED:
                hello, error = None, f"screen: {MAX_UNTRUSTED} {only} screens are listed already"
        if hello is not None:
            self.joined(sid, hello)
        elif error is not None:
            log.info("socket sid=%s joined with a screen hello that is ignored: %s", sid, error)
            ack = {**ack, "screen_error": error}
        return ack

    def _count_kind(self, kind: ScreenKind) -> int:
        return sum(1 for hello in self._by_sid.values() if hello.kind is kind)

    def left(self, sid: str) -> None:
        """A socket went away."""
        hello = self._by_sid.pop(sid, None)
        if hello is None:
            return
        key = identity(hello)
        self._holders[key] -= 1
        if self._holders[key] > 0:
            return  # the same screen is still connected through another socket
        del self._holders[key]
        self._queue(_Change(hello, False, self._clock()))
        log.info(
            "screen left: %s %s",
            hello.kind,
            hello.name,
            extra={"station": hello.station_key or None, "screen": hello.name},
        )

    def station_of(self, sid: str) -> str:
        """The station a socket's screen shows ('' for none, or no hello)."""
        hello = self._by_sid.get(sid)
        return hello.station_key if hello is not None else ""

    def connected_counts(self) -> Counter[tuple[str, str]]:
        """Screens connected to this process by (kind, station); every pair seen since the
        process started is there, at 0 when none is connected."""
        counts: Counter[tuple[str, str]] = Counter(dict.fromkeys(self._seen_kinds, 0))
        for hello in self._by_sid.values():
            counts[(str(hello.kind), hello.station_key)] += 1
        return counts

    def _queue(self, change: _Change) -> None:
        self._pending[identity(change.hello)] = change
        self._wake.set()

    # --- recording them -----------------------------------------------------------------

    async def run(self) -> None:
        """Write joins and leavings as they come, and a heartbeat; for as long as the
        server runs."""
        loop = asyncio.get_running_loop()
        next_beat = loop.time() + self._heartbeat_s
        failing = False
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, next_beat - loop.time())):
                    await self._wake.wait()
            beat = loop.time() >= next_beat
            try:
                await self._write(beat)
            except Exception as exc:
                if not failing:
                    log.warning("screens: cannot record them (%s); trying again", exc)
                failing = True
                await asyncio.sleep(RETRY_S)
                if self._pending:
                    self._wake.set()  # what waits is written as soon as it can be
                continue
            if failing:
                log.warning("screens: recorded again")
                failing = False
            if beat:
                next_beat = loop.time() + self._heartbeat_s

    async def _write(self, beat: bool) -> None:
        self._wake.clear()
        changes = list(self._pending.values())
        if not changes and not beat:
            return
        now = self._clock()
        async with self.db.writing() as conn:
            for change in changes:
                if change.connected:
                    await operating.screen_joined(conn, change.hello, self.process, change.at)
                else:
                    await operating.screen_left(conn, change.hello, self.process, change.at)
            if beat:
                await operating.screens_seen(conn, self.process, now)
                await operating.forget_screens(conn, now - FORGET_AFTER)
        for change in changes:  # written; unless it changed again meanwhile
            key = identity(change.hello)
            if self._pending.get(key) is change:
                del self._pending[key]

    async def close(self) -> None:
        """Write what is waiting (the server stops; its screens have been disconnected)."""
        if not self._pending:
            return
        try:
            async with asyncio.timeout(CLOSE_S):
                await self._write(beat=False)
        except Exception as exc:
            log.warning("screens: %d changes not recorded at stop (%s)", len(self._pending), exc)

    # --- what the operators read --------------------------------------------------------

    async def listing(self) -> ScreensAnswer:
        """Screens connected now and those seen in the last 24 h, and the stations."""
        now = self._clock()
        async with self.db.reading() as conn:
            rows = await operating.list_screens(conn, now - timedelta(hours=SEEN_WITHIN_HOURS))
            tickets = await operating.open_tickets_by_station(conn)
        stale = now - timedelta(seconds=STALE_S)
        found = [
            ScreenInfo(
                kind=ScreenKind(row.kind),
                station=row.shown_station,
                name=row.name,
                version=row.version,
                connected=bool(row.connected) and row.last_seen_at >= stale,
                last_seen_at=row.last_seen_at,
                connected_at=row.connected_at,
            )
            for row in rows
        ]
        return ScreensAnswer(screens=found, stations=stations(found, tickets))


def stations(found: list[ScreenInfo], tickets: Counter[str | None]) -> list[StationCover]:
    """Each station with open tickets or a kitchen screen seen, and whether it is covered."""
    online: Counter[str | None] = Counter()
    known: set[str | None] = set(tickets)
    for info in found:
        if info.kind not in KITCHEN_KINDS:
            continue
        key = (info.station or "").strip().lower() or None
        known.add(key)
        if info.connected:
            online[key] += 1
    shows_all = online[None] > 0  # a kitchen screen with no station shows every ticket
    covers = [
        StationCover(
            station=station,
            open_tickets=tickets.get(station, 0),
            screens_online=online[station],
            seen=online[station] > 0 or shows_all,
        )
        for station in known
    ]
    return sorted(covers, key=lambda c: (c.station is not None, c.station or ""))
