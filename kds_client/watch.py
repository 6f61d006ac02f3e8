"""``kds-order watch``: the live feed as JSON lines, one per change, in seq order."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

from kds_client.errors import Offline
from kds_client.feed import ConnectionState, FeedStatus, LiveFeed
from kds_client.rest import KdsRest
from kds_client.store import Change, OrderStore


async def watch(
    rest: KdsRest,
    *,
    after: int | None = None,
    room: str = "kitchen",
    count: int | None = None,
    say: Callable[[str], None] = print,
    stop_event: asyncio.Event | None = None,
) -> int:
    """Print every change from now on (or after seq ``after``) until ``count`` or ``stop_event``.

    Each line is an event as ``GET /api/events`` lists it: ``{seq, type, order_id, at, data}``.
    Connection changes go to ``say`` (stderr), once each. Returns the exit code.
    """
    store = OrderStore()
    if after is not None:
        store.reset([], after)
    else:
        try:
            store.reset([], int((await rest.health()).get("seq") or 0))
        except Offline as exc:
            say(f"{exc}; retrying")  # the feed will snapshot once a server answers
    feed = LiveFeed(rest.urls, rest.token, rooms=[room], store=store, rest=rest)
    done = stop_event or asyncio.Event()
    printed = 0

    def on_change(change: Change) -> None:
        nonlocal printed
        if change.event is None or done.is_set():
            return
        print(json.dumps(change.event.wire(), separators=(",", ":")), flush=True)
        printed += 1
        if count is not None and printed >= count:
            done.set()

    said: list[tuple[ConnectionState, str | None]] = []

    def on_status(status: FeedStatus) -> None:
        news: tuple[ConnectionState, str | None]
        if status.state is ConnectionState.LIVE:
            news = (status.state, status.url)
            line = f"live on {status.url} at seq {status.last_seq}"
        elif status.next_attempt_at is not None:  # reconnecting, or offline and retrying
            news = (status.state, status.error)
            wait = max(0.0, status.next_attempt_at - time.time())
            line = f"{status.state}: {status.error}; trying again (next in {wait:.1f} s)"
        else:
            return
        if not said or said[-1] != news:  # not once per attempt while the server is away
            said.append(news)
            say(line)

    feed.on_change(on_change)
    feed.on_status(on_status)
    await feed.start()
    try:
        await done.wait()
    finally:
        await feed.stop()
    return 0
