"""Network cuts between a live client and the server (a TCP proxy that goes silent), while
changes go on: the store equals the server's state within 2 s of reconnecting, with no
change missed and none applied twice. 5 s in CI; 60 s with KDS_LONG=1."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from kds_client import ConnectionState, FeedStatus, KdsRest, LiveFeed
from kds_client.store import RESET
from tests.reliability.common import long_only, report
from tests.reliability.load import FAST_FEED
from tests.support.client import converged, make_changes, wait_for
from tests.support.proxy import TcpProxy
from tests.support.server import ServerProcess

RECONNECTED_TO_EQUAL_S = 2.0


async def steady_changes(rest: KdsRest, seconds: float, rng: random.Random) -> int:
    """About ten changes a second for ``seconds``; how many the server accepted."""
    accepted = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        accepted += await make_changes(rest, 2, rng, concurrency=2)
        await asyncio.sleep(0.2)  # pacing the load, not waiting for a condition
    return accepted


@pytest.mark.timeout(300)
@pytest.mark.parametrize("cut_s", [5, pytest.param(60, marks=long_only)])
async def test_store_equals_the_server_within_2_s_of_reconnecting(
    server: ServerProcess, cut_s: int
) -> None:
    rng = random.Random(cut_s)
    async with (
        TcpProxy(server.port) as proxy,
        KdsRest(server.url, server.tokens["admin"]) as admin,
    ):
        feed = LiveFeed(proxy.url, server.tokens["kitchen"], **FAST_FEED)
        applied: list[tuple[str, int]] = []
        feed.on_change(lambda c: applied.append((c.type, c.seq)))
        live_at: list[float] = []

        def on_status(status: FeedStatus) -> None:
            if status.state is ConnectionState.LIVE:
                live_at.append(time.monotonic())

        feed.on_status(on_status)
        await feed.start()
        try:
            await wait_for(lambda: feed.live, 10, message="the feed to connect")
            await make_changes(admin, 20, rng)
            await converged(feed, admin)

            proxy.cut()
            during = await steady_changes(admin, cut_s, rng)
            await wait_for(lambda: not feed.live, 3, message="the feed to notice the cut")
            proxy.heal()
            healed = time.monotonic()

            await wait_for(lambda: live_at[-1] > healed, 15, message="the feed to reconnect")
            reconnected = live_at[-1]
            await converged(feed, admin, within=RECONNECTED_TO_EQUAL_S + 1)
            equal = time.monotonic()
            assert equal - reconnected <= RECONNECTED_TO_EQUAL_S

            after = await make_changes(admin, 20, rng)
            await converged(feed, admin, within=RECONNECTED_TO_EQUAL_S)
            last_seq = (await admin.health())["seq"]
        finally:
            await feed.stop()

    kinds, seqs = zip(*applied, strict=True)
    assert kinds[0] == RESET and RESET not in kinds[1:], "one snapshot, then events only"
    assert list(seqs[1:]) == list(range(seqs[0] + 1, last_seq + 1)), "each change once, in order"
    report(
        f"network cut {cut_s} s",
        changes_during_cut=during,
        changes_after=after,
        heal_to_live_s=round(reconnected - healed, 2),
        live_to_equal_s=round(equal - reconnected, 3),
        applied=len(seqs) - 1,
        missed=0,
        applied_twice=0,
    )
