"""Concurrency: one winner per version, one order per Idempotency-Key, seq = commit order."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.http import Api
from tests.support.server import ServerProcess


async def test_concurrent_moves_with_one_version_have_one_winner(any_server: ServerProcess) -> None:
    async with Api(any_server.url, any_server.tokens["kitchen"]) as api:
        order = await api.as_(any_server.tokens["admin"]).create()
        path = f"/api/orders/{order['id']}/status"
        replies = await asyncio.gather(
            *(api.patch(path, {"status": s, "version": 1}) for s in ["preparing", "cancelled"] * 6)
        )
        winners = [r for r in replies if r.status == 200]
        assert len(winners) == 1, [r.body for r in replies]
        assert all(r.status == 409 for r in replies if r.status != 200)
        final = (await api.get(f"/api/orders/{order['id']}")).body["order"]
        assert final["version"] == 2
        assert final["status"] == winners[0].body["newStatus"]
        history = await api.as_(any_server.tokens["admin"]).get(f"{path[:-7]}/events")
        assert len(history.body["events"]) == 2


async def test_concurrent_retries_with_one_key_create_one_order(any_server: ServerProcess) -> None:
    body = {"items": [{"name": "Burger"}], "table": "4"}
    headers = {"Idempotency-Key": "pos-7f3a-0001"}
    async with Api(any_server.url, any_server.tokens["pos"]) as pos:
        replies = await asyncio.gather(
            *(pos.post("/api/orders", body, headers=headers) for _ in range(20))
        )
        statuses = sorted({r.status for r in replies})
        assert set(statuses) <= {201, 409}, [r.body for r in replies]
        created = [r.body for r in replies if r.status == 201]
        assert created and all(c == created[0] for c in created)
        for r in replies:
            if r.status == 409:
                assert r.error["code"] == "retry_in_flight"
                assert r.headers["Retry-After"] == "1"
        again = await pos.post("/api/orders", body, headers=headers)
        assert again.status == 201 and again.body == created[0]
        assert again.headers.get("Idempotent-Replayed") == "true"
        other = await pos.post("/api/orders", {"items": [{"name": "Fries"}]}, headers=headers)
        assert other.status == 422 and other.error["code"] == "idempotency_key_reused"
        reordered = await pos.post(
            "/api/orders", {"table": "4", "items": [{"name": "Burger"}]}, headers=headers
        )
        assert reordered.body == created[0], "the same JSON with keys in another order"
        listing = await pos.as_(any_server.tokens["admin"]).get("/api/orders")
    assert listing.body["total"] == 1


async def test_idempotency_keys_belong_to_one_client(server: ServerProcess) -> None:
    headers = {"Idempotency-Key": "same-key"}
    async with Api(server.url, server.tokens["pos"]) as pos:
        first = await pos.post("/api/orders", {"items": [{"name": "A"}]}, headers=headers)
        second = await pos.as_(server.tokens["admin"]).post(
            "/api/orders", {"items": [{"name": "A"}]}, headers=headers
        )
    assert first.status == second.status == 201
    assert first.body["order"]["id"] != second.body["order"]["id"]


@pytest.mark.postgres
async def test_reader_following_events_misses_nothing_under_8_writers(
    server_factory, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from tests.support.services import postgres_database

    with postgres_database() as db_url:
        server = server_factory(db_url=db_url)
        done = asyncio.Event()
        seen: list[int] = []

        async def writer(api: Api, n: int) -> None:
            for i in range(25):
                order = await api.create(table=f"{n}-{i}")
                await api.patch(f"/api/orders/{order['id']}/status", {"status": "preparing"})

        async def reader(api: Api) -> None:
            last = 0
            while True:
                finished = done.is_set()
                page = (await api.get("/api/events", params={"after": last})).body
                for event in page["events"]:
                    assert event["seq"] == last + 1, f"seq {event['seq']} after {last}: a gap"
                    last = event["seq"]
                    seen.append(last)
                if finished and not page["events"]:
                    return

        async with Api(server.url, server.tokens["admin"]) as api:
            read = asyncio.create_task(reader(api))
            await asyncio.gather(*(writer(api, n) for n in range(8)))
            done.set()
            await read
            last_seq = (await api.get("/api/health")).body["seq"]
    assert seen == list(range(1, 8 * 25 * 2 + 1))
    assert last_seq == 400
