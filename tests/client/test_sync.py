"""A store brought up to date over REST (``StoreSync``): a snapshot in pages read at once,
and one read before the socket joined, caught up from its own seq."""

from __future__ import annotations

import asyncio

from kds_client import KdsRest, OrderStore
from kds_client.store import RESET, Change
from kds_client.sync import SNAPSHOT_PAGE, StoreSync
from kds_contract import ORDER_CREATED, ORDER_STATUS_UPDATED
from tests.support.client import all_orders, wait_for
from tests.support.proxy import TcpProxy
from tests.support.server import ServerProcess


async def test_a_snapshot_of_several_pages_holds_every_order(server: ServerProcess) -> None:
    async with KdsRest(server.url, server.tokens["admin"]) as admin:
        gate = asyncio.Semaphore(16)

        async def create(n: int) -> None:
            async with gate:
                await admin.create_order({"table": f"T{n}", "items": [{"name": f"Dish {n}"}]})

        await asyncio.gather(*(create(n) for n in range(2 * SNAPSHOT_PAGE + 50)))
        store = OrderStore()
        told: list[list[Change]] = []
        async with KdsRest(server.url, server.tokens["kitchen"]) as rest:
            await StoreSync(store, rest, told.append, statuses=None).sync(server.url)

        assert store.orders == await all_orders(admin)
        assert len(store.orders) == 2 * SNAPSHOT_PAGE + 50
        assert store.last_seq == (await admin.health())["seq"]
        assert told[0][0].type == RESET


async def test_a_snapshot_read_before_the_join_is_caught_up_from_its_own_seq(
    server: ServerProcess,
) -> None:
    # The live feed reads the snapshot while its socket connects and joins: a change made
    # after the read, before the join, is announced to nobody it reaches; only a catch-up
    # from the snapshot's seq brings it.
    async with KdsRest(server.url, server.tokens["admin"]) as admin:
        before = await admin.create_order({"items": [{"name": "Soup"}]})
        store = OrderStore()
        told: list[list[Change]] = []
        async with KdsRest(server.url, server.tokens["kitchen"]) as rest:
            sync = StoreSync(store, rest, told.append, statuses=None)
            snapshot = asyncio.ensure_future(sync.read_snapshot(server.url))
            read = await asyncio.shield(snapshot)
            assert [o.id for o in read.orders] == [before.id]
            after = await admin.create_order({"items": [{"name": "Bread"}]})
            moved = await admin.move(before.id, "preparing", version=before.version)

            await sync.sync(server.url, snapshot)

        assert store.orders == await all_orders(admin)
        assert store.orders[after.id] == after and store.orders[moved.id] == moved
        assert store.last_seq == (await admin.health())["seq"] == read.seq + 2
        # Told at once: the snapshot and the changes after it, in seq order.
        assert len(told) == 1
        assert [c.type for c in told[0]] == [RESET, ORDER_CREATED, ORDER_STATUS_UPDATED]
        assert [c.seq for c in told[0]] == [read.seq, read.seq + 1, read.seq + 2]


async def test_a_snapshot_is_told_alone_when_the_changes_after_it_are_slow_to_come(
    server: ServerProcess,
) -> None:
    # Told with the changes after it as a rule; but a board must not wait blank on a server
    # that stopped answering: what the snapshot holds is told within a moment all the same.
    async with KdsRest(server.url, server.tokens["admin"]) as admin:
        order = await admin.create_order({"items": [{"name": "Soup"}]})
    store = OrderStore()
    told: list[list[Change]] = []
    async with (
        TcpProxy(server.port) as proxy,
        KdsRest(proxy.url, server.tokens["kitchen"]) as rest,
    ):
        sync = StoreSync(store, rest, told.append, statuses=None)
        snapshot = asyncio.ensure_future(sync.read_snapshot(proxy.url))
        await asyncio.shield(snapshot)
        proxy.cut()
        syncing = asyncio.create_task(sync.sync(proxy.url, snapshot))
        try:
            await wait_for(lambda: bool(told), 5)
            assert [[c.type for c in changes] for changes in told] == [[RESET]]
            assert list(store.orders) == [order.id]
            assert not syncing.done(), "still waiting for the changes after the snapshot"
        finally:
            syncing.cancel()
            await asyncio.gather(syncing, return_exceptions=True)
