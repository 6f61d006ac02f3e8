"""Scheduled orders through the real server: due times checked, the menu's defaults, and
each scheduled order fired exactly once by the server, also across a kill -9 and with two
processes on PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.server import ServerProcess
from tests.support.services import RedisProcess


def _in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def _fires(api: Api, order_id: int) -> list[dict[str, Any]]:
    """The order's moves out of scheduled, from its history."""
    history = (await api.get(f"/api/orders/{order_id}/events")).body["events"]
    return [e for e in history if e["data"].get("oldStatus") == "scheduled"]


async def _wait_all_fired(api: Api, ids: list[int], timeout: float = 30) -> None:
    async def fired() -> bool:
        page = await api.get("/api/orders", params={"status": "scheduled", "per_page": 1})
        return page.body["total"] == 0

    await wait_for(fired, timeout, interval=0.1, message=f"the {len(ids)} orders to fire")


async def test_due_times_are_checked_and_the_menu_fills_in_what_items_leave_out(
    server: ServerProcess,
) -> None:
    async with Api(server.url, server.tokens["admin"]) as admin:
        pos = admin.as_(server.tokens["pos"])
        for due, words in [
            ("2020-01-01T12:00:00Z", "not in the future"),
            (_in(8 * 86400), "more than 7 days ahead"),
            ("19:30", "ISO 8601"),
            ("2026-12-31T19:30:00", "offset"),
            (1767225600, "ISO 8601"),
        ]:
            reply = await pos.post("/api/orders", {"items": [{"name": "Tea"}], "due_at": due})
            assert reply.status == 422, (due, reply.body)
            assert reply.error["details"]["field"] == "due_at" and words in reply.error["message"]
        server_owned = {"items": [{"name": "Tea", "fire_at": _in(60)}]}
        reply = await pos.post("/api/orders", server_owned)
        assert reply.status == 422 and "set by the server" in reply.error["message"]

        menu = {"items": [{"name": "Steak", "station": "grill", "prep_seconds": 720}]}
        assert (await pos.call("PUT", "/api/menu", menu)).status == 403
        assert (await admin.call("PUT", "/api/menu", menu)).body == menu
        kitchen = admin.as_(server.tokens["kitchen"])
        assert (await kitchen.get("/api/menu")).body == menu
        order = await pos.create(items=[{"name": "steak "}, {"name": "Chips"}], due_at=_in(3600))
        assert order["status"] == "scheduled"
        assert [(i["station"], i["prep_seconds"]) for i in order["items"]] == [
            ("grill", 720),
            (None, None),
        ]
        assert _parse(order["fire_at"]) == _parse(order["due_at"]) - timedelta(minutes=12)

        # Fired early by hand: pending now; its due time cannot change any more.
        moved = await kitchen.patch(f"/api/orders/{order['id']}/status", {"status": "pending"})
        assert moved.body["oldStatus"] == "scheduled" and moved.body["newStatus"] == "pending"
        late = await admin.patch(f"/api/orders/{order['id']}", {"due_at": _in(7200)})
        assert late.status == 409 and late.error["code"] == "already_fired"
        assert late.error["details"]["field"] == "due_at"

        # How long it really took, beside the menu's 12 minutes: nothing changes by itself.
        for status in ("preparing", "ready"):
            await kitchen.patch(f"/api/orders/{order['id']}/status", {"status": status})
        learned = (await admin.get("/api/menu/suggestions", params={"days": "1"})).body
        steak = next(s for s in learned["items"] if s["name"] == "Steak")
        assert steak["menu_prep_seconds"] == 720 and steak["n"] == 1
        assert steak["median_s"] is not None and steak["median_s"] >= 0
        assert (await admin.get("/api/menu")).body == menu


async def test_an_item_is_not_marked_done_before_it_fires_whoever_asks(
    server: ServerProcess,
) -> None:
    async with Api(server.url, server.tokens["admin"]) as admin:
        kitchen = admin.as_(server.tokens["kitchen"])
        items = [
            {"name": "Steak", "station": "grill", "prep_seconds": 720},
            {"name": "Caesar salad", "station": "cold", "prep_seconds": 240},
        ]
        paced = await admin.create(items=items)  # fires now: the salad in 8 minutes
        steak, salad = (f"/api/orders/{paced['id']}/items/{i['id']}" for i in paced["items"])
        held = await kitchen.patch(salad, {"done": True})
        assert held.status == 409 and held.error["code"] == "item_held"
        assert "Caesar salad" in held.error["message"] and "held until" in held.error["message"]
        assert held.error["details"]["fire_at"] == paced["items"][1]["fire_at"]
        assert (await kitchen.patch(steak, {"done": True})).status == 200, "the steak fired"
        assert (await kitchen.patch(salad, {"done": False})).status == 200, "not done: fine"

        later = await admin.create(items=items, due_at=_in(3600))
        refused = await kitchen.patch(
            f"/api/orders/{later['id']}/items/{later['items'][0]['id']}", {"done": True}
        )
        assert refused.status == 409 and "scheduled" in refused.error["message"]
        now = (await kitchen.get(f"/api/orders/{paced['id']}")).body["order"]
        assert [i["done"] for i in now["items"]] == [True, False]


async def test_the_server_fires_a_scheduled_order_once_when_its_time_comes(
    server: ServerProcess,
) -> None:
    async with Api(server.url, server.tokens["admin"]) as admin:
        order = await admin.create(due_at=_in(1.5))
        assert order["status"] == "scheduled"
        await _wait_all_fired(admin, [order["id"]])
        (fire,) = await _fires(admin, order["id"])
        assert fire["type"] == "order:statusUpdated" and fire["data"]["newStatus"] == "pending"
        assert fire["actor"]["kind"] == "server"
        assert _parse(fire["at"]) >= _parse(order["fire_at"]), "never before its time"


async def test_orders_whose_time_passed_while_the_server_was_killed_fire_at_its_next_start(
    server_factory: Callable[..., ServerProcess], backend_db: str
) -> None:
    server = server_factory(db_url=backend_db)
    async with Api(server.url, server.tokens["admin"]) as admin:
        orders = [await admin.create(due_at=_in(1 + n * 0.2)) for n in range(10)]
        ids = [o["id"] for o in orders]
        fire_times = sorted(_parse(o["fire_at"]) for o in orders)

        async def some_fired() -> bool:
            return any([await _fires(admin, i) for i in ids[:4]])

        await wait_for(some_fired, 30, interval=0.05, message="the first orders to fire")
        await asyncio.to_thread(server.kill)
        await wait_for(
            lambda: datetime.now(UTC) > fire_times[-1], 30, message="the last fire time to pass"
        )
        await asyncio.to_thread(server.start)
        await _wait_all_fired(admin, ids)
        for order_id in ids:
            assert len(await _fires(admin, order_id)) == 1, f"order {order_id}"


def _fired_here(metrics: str) -> int:
    found = re.search(r"^kds_scheduled_fire_delay_seconds_count (\S+)$", metrics, re.M)
    return int(float(found.group(1))) if found else 0


@pytest.mark.postgres
@pytest.mark.redis
async def test_two_processes_fire_each_of_50_orders_exactly_once(
    server_factory: Callable[..., ServerProcess], pg_url: str, redis: RedisProcess
) -> None:
    one = server_factory(db_url=pg_url, extra_args=("--redis", redis.url))
    two = server_factory(db_url=pg_url, extra_args=("--redis", redis.url))
    async with Api(one.url, one.tokens["admin"]) as admin:
        other = admin.as_(one.tokens["admin"])
        other.url = two.url
        orders = [
            await (admin if n % 2 else other).create(due_at=_in(2 + (n % 10) * 0.2))
            for n in range(50)
        ]
        ids = [o["id"] for o in orders]
        assert {o["status"] for o in orders} == {"scheduled"}
        await _wait_all_fired(admin, ids)
        for order_id in ids:
            fires = await _fires(admin, order_id)
            assert len(fires) == 1, f"order {order_id} fired {len(fires)} times"
    counts = []
    async with aiohttp.ClientSession() as session:
        for server in (one, two):
            async with session.get(server.url + "/metrics") as answer:
                counts.append(_fired_here(await answer.text()))
    assert sum(counts) == 50, f"fired by each process: {counts}"
