"""A restore gives the event log a new epoch, and a client that saw the old history reloads
instead of trusting seqs that now name other changes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from kds_client import KdsRest, LiveFeed
from kds_client.store import OrderStore
from server.exits import Exit
from tests.support.client import all_orders, differences, wait_for
from tests.support.http import Api
from tests.support.server import ServerProcess

FAST = {"check_interval": 1.0, "backoff_base": 0.2, "backoff_max": 1.0}


async def test_a_restore_makes_a_feed_that_saw_later_seqs_reload(
    server: ServerProcess, tmp_path: Path
) -> None:
    """The integrator's sequence: a feed saw order 4 at seq 4; the server was restored from
    a backup at seq 3 and took new orders, which got ids 4-6 and seqs 4-6; the feed must not
    keep the old order 4 and fetch only seqs 5-6."""
    backup = tmp_path / "at-seq-3.db"
    async with KdsRest(server.url, server.tokens["admin"]) as rest:
        for table in ("1", "2", "3"):
            await rest.create_order({"items": [{"name": "Soup"}], "table": table})
        server.cli("backup", str(backup), check=True)
        before = (await rest.health())["epoch"]

        store = OrderStore()
        feed = LiveFeed(server.url, server.tokens["kitchen"], store=store, **FAST)
        await feed.start()
        ghost = await rest.create_order({"items": [{"name": "Ghost"}], "table": "gone"})
        await wait_for(lambda: store.last_seq == 4 and ghost.id in store.orders, timeout=20)
        await feed.stop()

        server.stop()
        restored = server.cli("restore", str(backup))
        assert restored.returncode == Exit.OK, restored.stderr
        assert "the event log is at seq 3 with a new epoch" in restored.stdout
        server.start()
        after = (await rest.health())["epoch"]
        assert after != before and after is not None
        made = [
            await rest.create_order({"items": [{"name": "Bread"}], "table": f"new {n}"})
            for n in range(3)
        ]
        assert [o.id for o in made] == [4, 5, 6] and (await rest.health())["seq"] == 6

        feed = LiveFeed(server.url, server.tokens["kitchen"], store=store, **FAST)
        await feed.start()
        try:
            truth = await all_orders(rest)
            await wait_for(
                lambda: store.orders == truth,
                timeout=20,
                message=lambda: differences(store.orders, truth),
            )
            assert store.orders[4].table == "new 0", "the ghost order is gone"
            assert store.epoch == after

            # A live event of the new history is applied as usual.
            moved = await rest.move(5, "preparing")
            await wait_for(lambda: store.orders[5] == moved, timeout=10)
        finally:
            await feed.stop()


async def test_every_seq_goes_with_the_epoch(server: ServerProcess) -> None:
    async with Api(server.url, server.tokens["admin"]) as api:
        created = await api.post("/api/orders", {"items": [{"name": "Tea"}]})
        epoch = created.body["epoch"]
        moved = await api.patch(
            f"/api/orders/{created.body['order']['id']}/status", {"status": "preparing"}
        )
        listing = await api.get("/api/orders")
        events = await api.get("/api/events")
        health = await api.get("/api/health")
    assert isinstance(epoch, str) and len(epoch) == 16
    assert moved.body["epoch"] == listing.body["epoch"] == events.body["epoch"] == epoch
    assert health.body["epoch"] == epoch
    assert [e["data"]["epoch"] for e in events.body["events"]] == [epoch, epoch]


def test_restore_refuses_while_a_server_runs(server: ServerProcess, tmp_path: Path) -> None:
    backup = tmp_path / "copy.db"
    server.cli("backup", str(backup), check=True)
    refused = server.cli("restore", str(backup))
    assert refused.returncode == Exit.IN_USE
    assert "is in use by kds-server pid" in refused.stderr
    missing = ServerProcess(tmp_path / "other").cli("restore", str(tmp_path / "nothing.db"))
    assert missing.returncode == Exit.NOT_FOUND and "no backup file at" in missing.stderr
    asyncio.run(_still_serving(server))


async def _still_serving(server: ServerProcess) -> None:
    async with Api(server.url, server.tokens["admin"]) as api:
        assert (await api.get("/api/orders")).status == 200
