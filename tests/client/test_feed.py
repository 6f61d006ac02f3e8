"""The live feed keeps its store equal to the server's state, order by order, through
busy periods, network cuts, a SIGKILLed server and a failover to another process."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from kds_client import ConnectionState, FeedStatus, KdsRest, LiveFeed, Offline, OrderStore
from kds_client.store import RESET, Change
from kds_contract import OPEN_STATUSES
from tests.support.client import (
    TcpProxy,
    converged,
    make_changes,
    wait_for,
)
from tests.support.server import ServerProcess
from tests.support.services import postgres_database, redis_url

FAST = {
    "check_interval": 1.0,
    "backoff_base": 0.2,
    "backoff_max": 1.0,
    "connect_timeout": 2.0,
    "snapshot_statuses": None,  # every order, so the whole store can be compared
}


def feed_for(urls: list[str] | str, token: str, **options: object) -> LiveFeed:
    return LiveFeed(urls, token, **{**FAST, **options})  # type: ignore[arg-type]


def record_states(feed: LiveFeed) -> list[ConnectionState]:
    states: list[ConnectionState] = []

    def on_status(status: FeedStatus) -> None:
        if not states or states[-1] is not status.state:
            states.append(status.state)

    feed.on_status(on_status)
    return states


async def test_store_follows_200_changes_while_connected(shared_server, shared_admin):
    server, admin = shared_server, shared_admin
    await make_changes(admin, 10, random.Random(1))
    feed = feed_for(server.url, server.tokens["kitchen"], check_interval=60.0)
    changes: list[int] = []
    feed.on_change(lambda change: changes.append(change.seq))
    await feed.start()
    try:
        await wait_for(lambda: feed.live)
        accepted = await make_changes(admin, 200, random.Random(2), concurrency=8)

        await converged(feed, admin)
        assert accepted > 150
        assert feed.store.last_seq == (await admin.health())["seq"]
        live_seqs = changes[1:]  # after the snapshot's reset
        assert live_seqs == sorted(set(live_seqs)), "each change applied once, in seq order"
    finally:
        await feed.stop()


async def test_store_catches_up_after_a_network_cut(shared_server, shared_admin):
    server, admin = shared_server, shared_admin
    proxy = await TcpProxy(server.port).start()
    feed = feed_for(proxy.url, server.tokens["kitchen"])
    states = record_states(feed)
    await feed.start()
    try:
        await wait_for(lambda: feed.live)
        await make_changes(admin, 20, random.Random(3))
        await converged(feed, admin)

        proxy.cut()
        await make_changes(admin, 30, random.Random(4))
        await wait_for(lambda: not feed.live, 8, message="the feed to notice the cut")
        with pytest.raises(Offline, match="offline"):
            feed.require_live()
        await make_changes(admin, 30, random.Random(5))
        proxy.heal()

        await converged(feed, admin)
        assert states[0] is ConnectionState.CONNECTING
        assert ConnectionState.RECONNECTING in states or ConnectionState.OFFLINE in states
        assert states[-1] is ConnectionState.LIVE
    finally:
        await feed.stop()
        await proxy.stop()


async def test_store_catches_up_after_the_server_is_killed_and_restarted(server, admin):
    feed = feed_for(server.url, server.tokens["kitchen"])
    states = record_states(feed)
    await feed.start()
    try:
        await wait_for(lambda: feed.live)
        await make_changes(admin, 30, random.Random(6))

        server.kill()
        await wait_for(lambda: not feed.live, 5, message="the feed to notice the kill")
        assert feed.status.error
        server.start()
        await make_changes(admin, 30, random.Random(7))

        await converged(feed, admin)
        assert states.count(ConnectionState.LIVE) >= 2
    finally:
        await feed.stop()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres+redis", marks=[pytest.mark.postgres, pytest.mark.redis]),
    ]
)
def two_servers(request, server_factory) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two server processes on one database: a SQLite file, or PostgreSQL shared through Redis."""
    if request.param == "sqlite":
        first = server_factory()
        yield first, server_factory(db_url=first.db_url)
        return
    with postgres_database() as db_url:
        scale_out = ("--redis", redis_url())
        pair = (
            server_factory(db_url=db_url, extra_args=scale_out),
            server_factory(db_url=db_url, extra_args=scale_out),
        )
        yield pair
        for proc in pair:  # before the database is dropped under them
            proc.kill()


async def test_feed_fails_over_to_a_second_server_on_the_same_database(two_servers):
    first, second = two_servers
    async with (
        KdsRest(first.url, first.tokens["admin"]) as via_first,
        KdsRest(second.url, first.tokens["admin"]) as via_second,
    ):
        feed = feed_for([first.url, second.url], first.tokens["kitchen"])
        await feed.start()
        try:
            await wait_for(lambda: feed.live)
            assert feed.status.url == first.url
            await make_changes(via_first, 30, random.Random(8))
            await make_changes(via_second, 10, random.Random(18))
            await converged(feed, via_first)

            first.kill()
            await make_changes(via_second, 30, random.Random(9))

            await converged(feed, via_second)
            assert feed.status.url == second.url
            await make_changes(via_second, 10, random.Random(10))
            await converged(feed, via_second)
        finally:
            await feed.stop()


async def test_a_first_connection_that_fails_is_retried(server_factory):
    later = server_factory()
    later.stop()
    feed = feed_for(later.url, later.tokens["kitchen"])
    states = record_states(feed)
    await feed.start()
    try:
        await wait_for(lambda: feed.status.next_attempt_at is not None)
        assert feed.status.state is ConnectionState.OFFLINE
        assert "connection refused" in (feed.status.error or "")

        later.start()
        async with KdsRest(later.url, later.tokens["admin"]) as admin:
            await admin.create_order({"items": [{"name": "Soup"}]})
            await converged(feed, admin)
        assert states[-1] is ConnectionState.LIVE
    finally:
        await feed.stop()


async def test_a_refused_token_is_reported_in_words(shared_server):
    server = shared_server
    feed = feed_for(server.url, "wrong-token")
    await feed.start()
    try:
        await wait_for(lambda: feed.status.error is not None)
        assert "unauthorized" in (feed.status.error or "")
        assert not feed.live
    finally:
        await feed.stop()


async def test_a_refused_room_is_reported_in_words(shared_server):
    server = shared_server
    feed = feed_for(server.url, server.tokens["kitchen"], rooms=["admin"])
    await feed.start()
    try:
        await wait_for(lambda: feed.status.error is not None)
        error = feed.status.error or ""
        assert "refused to join room 'admin'" in error and "forbidden" in error
    finally:
        await feed.stop()


async def test_the_default_snapshot_holds_the_open_orders(shared_server, shared_admin):
    server, admin = shared_server, shared_admin
    done = await admin.create_order({"items": [{"name": "Tea"}]})
    for status in ("preparing", "ready", "completed"):
        await admin.move(done.id, status)
    waiting = await admin.create_order({"items": [{"name": "Cake"}]})
    feed = LiveFeed(server.url, server.tokens["kitchen"])
    await feed.start()
    try:
        await wait_for(lambda: feed.live)
        assert waiting.id in [o.id for o in feed.store.open_orders()]
        assert done.id not in feed.store.orders
        assert all(o.status in OPEN_STATUSES for o in feed.store.orders.values())
    finally:
        await feed.stop()


async def test_a_failing_listener_does_not_stop_the_feed(shared_server, shared_admin):
    server, admin = shared_server, shared_admin
    feed = feed_for(server.url, server.tokens["kitchen"])
    seen: list[int] = []

    def broken(change: Change) -> None:
        raise RuntimeError(f"a bug in a listener, at seq {change.seq}")

    feed.on_change(broken)
    feed.on_change(lambda change: seen.append(change.seq))
    await feed.start()
    try:
        await wait_for(lambda: feed.live)
        order = await admin.create_order({"items": [{"name": "Pie"}]})
        await wait_for(lambda: order.id in feed.store.orders)
        assert seen[-1] == feed.store.last_seq
    finally:
        await feed.stop()


async def test_changes_another_process_never_announced_still_arrive(server_factory):
    # Two processes on one database without Redis: the watched one never announces what
    # the other commits, as if those broadcasts were lost. The periodic check fetches them;
    # and without it, the next change announced shows the gap, which is filled at once.
    watched = server_factory()
    other = server_factory(db_url=watched.db_url)
    checking = feed_for(watched.url, watched.tokens["kitchen"], check_interval=0.5)
    not_checking = feed_for(watched.url, watched.tokens["kitchen"], check_interval=60.0)
    async with (
        KdsRest(watched.url, watched.tokens["admin"]) as via_watched,
        KdsRest(other.url, watched.tokens["admin"]) as via_other,
    ):
        for feed in (checking, not_checking):
            await feed.start()
        try:
            await wait_for(lambda: checking.live and not_checking.live)
            await make_changes(via_other, 20, random.Random(11))
            await converged(checking, via_other)

            unannounced = await via_other.create_order({"items": [{"name": "Lost"}]})
            announced = await via_watched.create_order({"items": [{"name": "Seen"}]})
            await wait_for(lambda: announced.id in not_checking.store.orders, 5)
            await wait_for(lambda: unannounced.id in not_checking.store.orders, 5)
            assert not not_checking.store.has_gap
            await converged(not_checking, via_watched, within=5)
        finally:
            for feed in (checking, not_checking):
                await feed.stop()


@pytest.mark.parametrize(
    ("store_seq", "why"), [(0, "too far behind"), (10_000, "the server's history is shorter")]
)
async def test_a_store_too_far_from_the_server_reloads_a_snapshot(
    shared_server, shared_admin, store_seq, why
):
    server, admin = shared_server, shared_admin
    await make_changes(admin, 20, random.Random(12))
    store = OrderStore()
    store.reset([], store_seq)  # as if this client had been away (or the database replaced)
    feed = feed_for(server.url, server.tokens["kitchen"], store=store, max_catch_up=5)
    kinds: list[str] = []
    feed.on_change(lambda change: kinds.append(change.type))
    await feed.start()
    try:
        await converged(feed, admin)

        assert kinds[0] == RESET, why
        assert feed.store.last_seq == (await admin.health())["seq"]
    finally:
        await feed.stop()
