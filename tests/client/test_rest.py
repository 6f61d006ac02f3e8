"""The REST client against the real server: typed answers, typed errors in the server's
words, and failover to the next URL when a server cannot be reached."""

from __future__ import annotations

import json
import sqlite3
import uuid
from unittest.mock import ANY

import pytest

from kds_client import (
    Conflict,
    Forbidden,
    Invalid,
    KdsRest,
    LiveFeed,
    NotFound,
    Offline,
    Unauthorized,
)
from kds_client.demo import random_order, run_demo
from kds_contract import ORDER_CREATED, ORDER_STATUS_UPDATED, Order, OrderCreate, Status
from tests.support.client import wait_for
from tests.support.server import free_port


async def test_an_order_goes_through_the_kitchen(shared_admin):
    admin = shared_admin
    created = await admin.create_order(
        OrderCreate.model_validate({"items": [{"name": "Burger", "station": "grill"}]})
    )
    moved = await admin.move(created.id, Status.PREPARING, version=created.version)
    marked = await admin.mark_item(created.id, created.items[0].id, True)
    edited = await admin.edit_order(created.id, {"notes": "Nut allergy!"})
    history = await admin.order_events(created.id)

    assert created.status is Status.PENDING and created.version == 1
    assert moved.status is Status.PREPARING
    assert marked.items[0].done
    assert edited.notes == "Nut allergy!" and edited.version == 4
    assert [e.type for e in history][:2] == [ORDER_CREATED, ORDER_STATUS_UPDATED]
    assert await admin.get_order(created.id) == edited


async def test_lists_filter_page_and_carry_the_seq(shared_admin):
    admin, tag = shared_admin, uuid.uuid4().hex[:8]  # this test's orders, on a shared server
    ids = [
        (await admin.create_order({"items": [{"name": f"Dish {n} {tag}", "station": tag}]})).id
        for n in range(5)
    ]
    await admin.move(ids[0], "preparing")

    pending = await admin.list_orders(status=["pending"], station=tag, per_page=2, sort="id")
    preparing = await admin.list_orders(status="preparing,ready", station=tag)
    found = await admin.list_orders(q=f"Dish 3 {tag}")

    assert pending.total == 4 and pending.pages == 2
    assert [o.id for o in pending.orders] == ids[1:3]
    assert [o.id for o in preparing.orders] == [ids[0]]
    assert [o.id for o in found.orders] == [ids[3]]
    assert pending.seq == (await admin.health())["seq"]


async def test_events_after_a_seq_are_the_changes_in_order(shared_admin):
    admin = shared_admin
    start = (await admin.health())["seq"]
    order = await admin.create_order({"items": [{"name": "Tea"}]})
    await admin.move(order.id, "preparing")
    await admin.delete_order(order.id)

    page = await admin.event_page(after=start + 1)

    assert [e.seq for e in await admin.events(after=start)] == [start + 1, start + 2, start + 3]
    assert (page.events[0].seq, page.events[0].type) == (start + 2, ORDER_STATUS_UPDATED)
    assert page.events[-1].data == {"orderId": order.id, "seq": start + 3, "epoch": ANY}
    assert page.last_seq == start + 3


async def test_stats_count_orders_by_status(shared_admin):
    before = (await shared_admin.stats())["counts"]["pending"]
    await shared_admin.create_order({"items": [{"name": "Tea"}]})

    stats = await shared_admin.stats()

    assert stats["counts"]["pending"] == before + 1


async def test_refusals_are_typed_and_in_the_servers_words(shared_server, shared_admin):
    server, admin = shared_server, shared_admin
    order = await admin.create_order({"items": [{"name": "Soup"}]})
    async with (
        KdsRest(server.url, server.tokens["kitchen"]) as kitchen,
        KdsRest(server.url, "not-a-token") as stranger,
    ):
        with pytest.raises(NotFound) as missing:
            await admin.get_order(999_999)
        with pytest.raises(Conflict, match="cannot move an order from pending to completed"):
            await admin.move(order.id, "completed")
        with pytest.raises(Conflict) as stale:
            await admin.move(order.id, "preparing", version=7)
        with pytest.raises(Invalid) as invalid:
            await admin.create_order({"items": [{"name": "Fries", "quantity": 0}]})
        with pytest.raises(Forbidden):
            await kitchen.delete_order(order.id)
        with pytest.raises(Unauthorized):
            await stranger.list_orders()

    assert missing.value.status == 404 and missing.value.code == "not_found"
    assert stale.value.code == "stale_version"
    assert invalid.value.field == "items.0.quantity"
    assert invalid.value.status == 422 and "items.0.quantity" in str(invalid.value)


async def test_an_unreachable_server_is_skipped_for_the_next(shared_server):
    server = shared_server
    dead = f"http://127.0.0.1:{free_port()}"
    async with KdsRest([dead, server.url], server.tokens["admin"]) as rest:
        order = await rest.create_order({"items": [{"name": "Cake"}]})

        assert rest.url == server.url
        assert (await rest.get_order(order.id)).id == order.id


async def test_no_server_reachable_is_offline_in_words():
    dead = [f"http://127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]
    async with KdsRest(dead, "token") as rest:
        with pytest.raises(Offline, match=r"offline: cannot reach the server .*connection refused"):
            await rest.health()


async def test_a_retried_create_with_the_same_key_makes_one_order(shared_admin):
    body = {"items": [{"name": "Pizza al taglio"}]}
    first = await shared_admin.create_order(body, idempotency_key="till-7-ticket-42")
    again = await shared_admin.create_order(body, idempotency_key="till-7-ticket-42")

    assert again.id == first.id
    assert (await shared_admin.list_orders(q="Pizza al taglio")).total == 1


async def test_demo_orders_are_valid_and_arrive_at_the_rate_asked(shared_admin):
    orders = [random_order() for _ in range(200)]
    seen: list[Order] = []
    made = await run_demo(shared_admin, rate=6000, count=5, advance=True, on_order=seen.append)

    assert all(1 <= len(o.items) <= 5 for o in orders)
    assert any(o.notes for o in orders) and any(o.priority == "rush" for o in orders)
    assert made == 5 == len(seen)
    assert [(await shared_admin.get_order(o.id)).id for o in seen] == [o.id for o in seen]


async def test_control_characters_an_older_server_stored_never_reach_the_apps(server, admin):
    order = await admin.create_order({"items": [{"name": "Burger"}], "customer_name": "Ann"})
    # What a server before the control-character rule may have stored.
    legacy = sqlite3.connect(server.data_dir / "kds.db")
    with legacy:
        legacy.execute(
            "UPDATE orders SET customer_name = ?, notes = ?, items = ? WHERE id = ?",
            (
                "Ann\x1b]0;pwned\x07",
                "line 1\nline 2\x1b[2J",
                json.dumps([{"id": 1, "name": "Burger\x9b", "modifiers": ["\x1b[5mno onion"]}]),
                order.id,
            ),
        )
    legacy.close()
    feed = LiveFeed(server.url, server.tokens["kitchen"], snapshot_statuses=None)
    await feed.start()
    try:
        await feed.wait_live()
        await admin.move(order.id, Status.PREPARING)  # the event carries the stored text
        await wait_for(
            lambda: feed.store.orders[order.id].status is Status.PREPARING, 10, message="event"
        )
        for shown in (await admin.get_order(order.id), feed.store.orders[order.id]):
            assert shown.customer_name == "Ann]0;pwned"
            assert shown.notes == "line 1\nline 2[2J"
            assert (shown.items[0].name, shown.items[0].modifiers) == ("Burger", ["[5mno onion"])
        assert (await admin.list_orders()).orders[0].customer_name == "Ann]0;pwned"
    finally:
        await feed.stop()
