"""``kds-order watch``: the live feed as JSON lines, one per change, in seq order."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

from kds_client.errors import Offline
from kds_client.exit_codes import EXIT_AUTH, EXIT_OK
from kds_client.feed import ConnectionState, FeedStatus, LiveFeed
from kds_client.rest import KdsRest
from kds_client.store import RESET, Change, OrderStore


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
    Connection changes go to ``say`` (stderr), once each. A server that cannot be reached is
    tried again and again; one that refuses the token or the room ends the watch at once
    (retrying would not change its mind). Returns the exit code.
    """
    store = OrderStore()
    if after is not None:
        store.reset([], after)  # of the history (epoch) the server is at when first asked
    try:
        # Asked even with --after: a --url that is not a KDS server ends the watch here.
        health = await rest.health()
    except Offline as exc:
        say(f"{exc}; retrying")  # the feed will catch up once a server answers
    else:
        epoch = health.get("epoch") if isinstance(health.get("epoch"), str) else None
        seq = after if after is not None else int(health.get("seq") or 0)
        store.reset([], seq, epoch)
    feed = LiveFeed(rest.urls, rest.token, rooms=[room], store=store, rest=rest)
    done = stop_event or asyncio.Event()
    printed = 0

    def on_change(change: Change) -> None:
        nonlocal printed
        if change.type == RESET:
            say(
                f"the server's history is not the one watched (restored, or too far ahead): "
                f"changes before seq {change.seq} of its new history were not printed"
            )
            return
        if change.event is None or done.is_set():
            return
        print(json.dumps(change.event.wire(), separators=(",", ":")), flush=True)
        printed += 1
        if count is not None and printed >= count:
            done.set()

    said: list[tuple[ConnectionState, str | None]] = []
    refusal: str | None = None

    def on_status(status: FeedStatus) -> None:
        nonlocal refusal
        news: tuple[ConnectionState, str | None]
        if status.refused:
            refusal = refusal or status.error or "the server refused the token"
            done.set()
            return
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
    if refusal is not None:
        say(f"{refusal}; watch needs a kitchen or admin token (an admin token for --room admin)")
        return EXIT_AUTH
    return EXIT_OK
