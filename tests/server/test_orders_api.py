"""Every endpoint's success and error paths, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

from tests.support.http import Api
from tests.support.server import ServerProcess


async def test_minimal_order_gets_the_defaults(any_server: ServerProcess) -> None:
    async with Api(any_server.url, any_server.tokens["pos"]) as api:
        reply = await api.post("/api/orders", {"items": [{"name": "Burger"}]})
    assert reply.status == 201
    order = reply.body["order"]
    assert order["status"] == "pending"
    assert order["order_type"] == "dine_in"
    assert order["priority"] == "normal"
    assert order["version"] == 1
    assert order["items"] == [
        {
            "id": 1,
            "name": "Burger",
            "quantity": 1,
            "modifiers": [],
            "notes": None,
            "station": None,
            "done": False,
            "prep_seconds": None,
            "fire_at": order["created_at"],
        }
    ]
    assert order["created_at"].endswith("Z") and order["pending_at"] == order["created_at"]
    assert order["due_at"] is None and order["fire_at"] == order["created_at"]
    assert reply.body["seq"] == 1


async def test_full_order_round_trips(any_server: ServerProcess) -> None:
    sent = {
        "order_type": "delivery",
        "table": None,
        "customer_name": "Ada",
        "user_id": "u-1",
        "priority": "rush",
        "notes": "peanut allergy",
        "total_cents": 2599,
        "items": [
            {
                "name": "Burger",
                "quantity": 2,
                "modifiers": ["no onion"],
                "notes": "medium",
                "station": "grill",
            },
            {"name": "Fries", "station": "fry"},
        ],
    }
    async with Api(any_server.url, any_server.tokens["admin"]) as api:
        created = (await api.post("/api/orders", sent)).body["order"]
        fetched = await api.get(f"/api/orders/{created['id']}")
    assert fetched.status == 200
    assert fetched.body["order"] == created
    for key in ("order_type", "customer_name", "user_id", "priority", "notes", "total_cents"):
        assert created[key] == sent[key]
    assert [i["name"] for i in created["items"]] == ["Burger", "Fries"]
    assert created["items"][0]["modifiers"] == ["no onion"]


async def test_status_moves_follow_the_table(any_server: ServerProcess) -> None:
    async with Api(any_server.url, any_server.tokens["kitchen"]) as kitchen:
        admin = kitchen.as_(any_server.tokens["admin"])
        order = await admin.create()
        path = f"/api/orders/{order['id']}/status"
        refused = await kitchen.patch(path, {"status": "ready"})
        assert refused.status == 409
        assert refused.error["code"] == "invalid_transition"
        assert "from pending it may go to cancelled, preparing" in refused.error["message"]
        versions = []
        for target, old in [
            ("preparing", "pending"),
            ("ready", "preparing"),
            ("completed", "ready"),
            ("ready", "completed"),
            ("preparing", "ready"),
            ("pending", "preparing"),
            ("cancelled", "pending"),
        ]:
            reply = await kitchen.patch(path, {"status": target})
            assert reply.status == 200, reply.body
            assert reply.body["oldStatus"] == old and reply.body["newStatus"] == target
            assert reply.body["order"][f"{target}_at"] is not None
            versions.append(reply.body["order"]["version"])
        assert versions == list(range(2, 9))
        final = await kitchen.patch(path, {"status": "pending"})
        assert final.status == 409
        assert "cancelled order cannot change status" in final.error["message"]


async def test_stale_version_is_a_conflict(any_server: ServerProcess) -> None:
    async with Api(any_server.url, any_server.tokens["admin"]) as api:
        order = await api.create()
        path = f"/api/orders/{order['id']}/status"
        ok = await api.patch(path, {"status": "preparing", "version": 1})
        assert ok.status == 200
        stale = await api.patch(path, {"status": "ready", "version": 1})
        assert stale.status == 409
        assert stale.error["code"] == "stale_version"
        assert stale.error["details"]["current_version"] == 2
        still = await api.get(f"/api/orders/{order['id']}")
        assert still.body["order"]["status"] == "preparing"


async def test_items_marked_done_one_by_one(any_server: ServerProcess) -> None:
    async with Api(any_server.url, any_server.tokens["kitchen"]) as kitchen:
        admin = kitchen.as_(any_server.tokens["admin"])
        order = await admin.create(items=[{"name": "A"}, {"name": "B"}])
        base = f"/api/orders/{order['id']}/items"
        reply = await kitchen.patch(f"{base}/2", {"done": True})
        assert reply.status == 200
        assert [i["done"] for i in reply.body["order"]["items"]] == [False, True]
        assert reply.body["order"]["version"] == 2
        again = await kitchen.patch(f"{base}/2", {"done": True})
        assert again.body["order"]["version"] == 2, "marking it as it is changes nothing"
        undone = await kitchen.patch(f"{base}/2", {"done": False})
        assert [i["done"] for i in undone.body["order"]["items"]] == [False, False]
        missing = await kitchen.patch(f"{base}/9", {"done": True})
        assert missing.status == 404 and "no item 9" in missing.error["message"]
        bad = await kitchen.patch(f"{base}/1", {"done": "yes"})
        assert bad.status == 422 and bad.error["details"]["field"] == "done"


async def test_edit_keeps_item_identity_and_done_marks(any_server: ServerProcess) -> None:
    async with Api(any_server.url, any_server.tokens["admin"]) as api:
        order = await api.create(items=[{"name": "A"}, {"name": "B"}])
        oid = order["id"]
        await api.patch(f"/api/orders/{oid}/items/1", {"done": True})
        reply = await api.patch(
            f"/api/orders/{oid}",
            {
                "notes": "no nuts",
                "priority": "rush",
                "table": "7",
                "customer_name": "Bo",
                "items": [{"id": 1, "name": "A", "quantity": 3}, {"name": "C"}],
            },
        )
        assert reply.status == 200, reply.body
        edited = reply.body["order"]
        assert (edited["notes"], edited["priority"], edited["table"]) == ("no nuts", "rush", "7")
        assert [(i["id"], i["name"], i["quantity"], i["done"]) for i in edited["items"]] == [
            (1, "A", 3, True),
            (3, "C", 1, False),
        ]
        cleared = await api.patch(f"/api/orders/{oid}", {"notes": None})
        assert cleared.body["order"]["notes"] is None
        empty = await api.patch(f"/api/orders/{oid}", {})
        assert empty.status == 422 and "at least one" in empty.error["message"]
        unknown_item = await api.patch(
            f"/api/orders/{oid}", {"items": [{"id": 1, "name": "A"}, {"id": 99, "name": "X"}]}
        )
        assert unknown_item.status == 422 and unknown_item.error["code"] == "invalid"
        assert unknown_item.error["details"]["field"] == "items.1.id"
        assert "no item 99" in unknown_item.error["message"]
        twice = await api.patch(
            f"/api/orders/{oid}", {"items": [{"id": 1, "name": "A"}, {"id": 1, "name": "B"}]}
        )
        assert twice.status == 422 and twice.error["details"]["field"] == "items.1.id"
        unchanged = await api.get(f"/api/orders/{oid}")
        assert unchanged.body["order"]["version"] == edited["version"] + 1, "only notes cleared"
        stale = await api.patch(f"/api/orders/{oid}", {"notes": "x", "version": 1})
        assert stale.status == 409 and stale.error["code"] == "stale_version"
        # An edit that changes nothing (a till sending the same notes twice): no new version,
        # no event, nothing for the kitchen to ring about.
        events_before = (await api.get(f"/api/orders/{oid}/events")).body["events"]
        same = await api.patch(
            f"/api/orders/{oid}",
            {
                "table": "7",
                "items": [{"id": 1, "name": "A", "quantity": 3}, {"id": 3, "name": "C"}],
            },
        )
        assert same.status == 200 and same.body["order"] == unchanged.body["order"]
        events_after = (await api.get(f"/api/orders/{oid}/events")).body["events"]
        assert events_after == events_before


async def test_delete_and_history(any_server: ServerProcess) -> None:
    async with Api(any_server.url, any_server.tokens["admin"]) as api:
        order = await api.create()
        oid = order["id"]
        await api.patch(f"/api/orders/{oid}/status", {"status": "preparing"})
        gone = await api.delete(f"/api/orders/{oid}")
        assert gone.status == 200 and gone.body["orderId"] == oid
        assert (await api.get(f"/api/orders/{oid}")).status == 404
        assert (await api.delete(f"/api/orders/{oid}")).status == 404
        history = await api.get(f"/api/orders/{oid}/events")
        types = [e["type"] for e in history.body["events"]]
        assert types == ["order:created", "order:statusUpdated", "order:deleted"]
        status_event = history.body["events"][1]
        assert status_event["data"]["oldStatus"] == "pending"
        assert status_event["data"]["newStatus"] == "preparing"
        assert status_event["data"]["seq"] == status_event["seq"]
        # Who did each: the admin token, beside the payload (never inside it).
        actors = [e["actor"] for e in history.body["events"]]
        assert {(a["kind"], a["role"]) for a in actors} == {("token", "admin")}
        assert len({a["token_id"] for a in actors}) == 1 and all(a["name"] for a in actors)
        assert all("actor" not in e["data"] for e in history.body["events"])
        assert (await api.get("/api/orders/999999/events")).status == 404
        # The deleted order was the newest: its id is never handed out again (SQLite's
        # rowid would be), so the next order's history is its own.
        after = await api.create()
        assert after["id"] > oid
        history = await api.get(f"/api/orders/{after['id']}/events")
        assert [e["type"] for e in history.body["events"]] == ["order:created"]


async def _seed(api: Api) -> list[dict[str, Any]]:
    orders = [
        await api.create(customer_name="Alice", items=[{"name": "Burger", "station": "grill"}]),
        await api.create(table="12", items=[{"name": "Salad", "station": "cold"}]),
        await api.create(
            customer_name="Bob",
            items=[{"name": "Fries", "station": "Fry"}, {"name": "Burger", "station": "grill"}],
        ),
        await api.create(customer_name="100%_sure", items=[{"name": "Soup"}]),
    ]
    await api.patch(f"/api/orders/{orders[1]['id']}/status", {"status": "preparing"})
    return orders


async def test_list_filters_search_paging_sort(any_server: ServerProcess) -> None:
    async with Api(any_server.url, any_server.tokens["admin"]) as api:
        orders = await _seed(api)
        ids = [o["id"] for o in orders]
        everything = await api.get("/api/orders")
        assert everything.body["total"] == 4
        assert [o["id"] for o in everything.body["orders"]] == ids[::-1], "newest first"
        assert everything.body["seq"] == 5

        async def ids_for(**params: Any) -> list[int]:
            reply = await api.get("/api/orders", params=params)
            assert reply.status == 200, reply.body
            return [o["id"] for o in reply.body["orders"]]

        assert await ids_for(status="preparing") == [ids[1]]
        assert await ids_for(status="pending,preparing", sort="id") == ids
        assert await ids_for(station="grill", sort="id") == [ids[0], ids[2]]
        assert await ids_for(station="fry") == [ids[2]], "stations match without case"
        assert await ids_for(q="burger", sort="id") == [ids[0], ids[2]]
        assert await ids_for(q="ALI") == [ids[0]]
        assert await ids_for(q="12") == [ids[1]]
        assert await ids_for(q="100%") == [ids[3]], "% is matched literally"
        assert await ids_for(q="_") == [ids[3]], "_ is matched literally"
        page2 = await api.get("/api/orders", params={"per_page": 3, "page": 2, "sort": "id"})
        assert [o["id"] for o in page2.body["orders"]] == [ids[3]]
        assert (page2.body["total"], page2.body["page"], page2.body["per_page"]) == (4, 2, 3)
        assert (await ids_for(sort="-updated_at"))[0] == ids[1]
        assert await ids_for(until="2000-01-01T00:00:00Z") == []
        assert len(await ids_for(since="2000-01-01T00:00:00Z")) == 4
        for bad in (
            {"per_page": 201},
            {"page": 0},
            {"sort": "name"},
            {"status": "eaten"},
            {"since": "yesterday"},
            {"colour": "red"},
        ):
            reply = await api.get("/api/orders", params=bad)
            assert reply.status == 422, (bad, reply.body)
            assert reply.error["details"]["field"].split(".")[0] == next(iter(bad))


async def test_a_table_or_number_is_found_exactly_and_words_in_notes_too(
    server: ServerProcess,
) -> None:
    async with Api(server.url, server.tokens["admin"]) as api:
        five = await api.create(table="5")
        others = [await api.create(table=t) for t in ("35", "15", "T5", "t 25")]
        curl = await api.create(customer_name="Curl5")
        noted = await api.create(notes="Nut ALLERGY", items=[{"name": "Pie", "notes": "no salt"}])
        modified = await api.create(items=[{"name": "Tea", "modifiers": ["oat milk"]}])

        async def ids_for(q: str, **params: Any) -> list[int]:
            reply = await api.get("/api/orders", params={"q": q, "sort": "id", **params})
            assert reply.status == 200, reply.body
            return [o["id"] for o in reply.body["orders"]]

        assert await ids_for("T5") == [five["id"], others[2]["id"]], "table 5, as 5 or T5"
        assert await ids_for("t 25") == [others[3]["id"]]
        assert await ids_for(f"#{curl['id']}") == [curl["id"]], "an order by its number"
        bare = str(five["id"])  # order 1, and no table 1
        assert await ids_for(bare) == [five["id"]]
        assert await ids_for("5") == sorted({five["id"], others[2]["id"], 5}), "order or table 5"
        assert await ids_for("allergy") == [noted["id"]], "the order's notes"
        assert await ids_for("no salt") == [noted["id"]], "an item's notes"
        assert await ids_for("oat") == [modified["id"]], "a modifier"
        assert await ids_for("url5") == [curl["id"]], "words are found inside names"

        # A list as of its first page: a newer order does not shift the pages.
        first = await api.get("/api/orders", params={"per_page": 3})
        anchor = max(o["id"] for o in first.body["orders"])
        await api.create(table="99")
        second = await api.get("/api/orders", params={"per_page": 3, "page": 2, "max_id": anchor})
        assert [o["id"] for o in second.body["orders"]] == [anchor - 3, anchor - 4, anchor - 5]
        assert second.body["total"] == first.body["total"]
        backwards = await api.get(
            "/api/orders", params={"since": "2026-01-02T00:00:00Z", "until": "2026-01-01"}
        )
        assert backwards.status == 422 and backwards.error["details"]["field"] == "until"


async def test_event_feed_pages_in_seq_order(any_server: ServerProcess) -> None:
    async with Api(any_server.url, any_server.tokens["admin"]) as api:
        await _seed(api)
        reply = await api.get("/api/events", params={"after": 0})
        seqs = [e["seq"] for e in reply.body["events"]]
        assert seqs == [1, 2, 3, 4, 5] and reply.body["last_seq"] == 5
        first = reply.body["events"][0]
        assert first["type"] == "order:created" and first["data"]["order"]["id"] == 1
        assert first["at"].endswith("Z")
        page = await api.get("/api/events", params={"after": 2, "limit": 2})
        assert [e["seq"] for e in page.body["events"]] == [3, 4]
        assert (await api.get("/api/events", params={"after": -1})).status == 422
        assert (await api.get("/api/events", params={"limit": 5001})).status == 422


async def test_stats_and_health(any_server: ServerProcess) -> None:
    async with Api(any_server.url, any_server.tokens["admin"]) as api:
        orders = await _seed(api)
        oid = orders[0]["id"]
        for status in ("preparing", "ready", "completed"):
            await api.patch(f"/api/orders/{oid}/status", {"status": status})
        stats = await api.get("/api/stats")
        assert stats.status == 200
        assert stats.body["total"] == 4
        assert stats.body["counts"] == {
            "scheduled": 0,
            "pending": 2,
            "preparing": 1,
            "ready": 0,
            "completed": 1,
            "cancelled": 0,
        }
        assert stats.body["time_to_ready"]["n"] == 1
        assert stats.body["time_to_complete"]["median_s"] >= 0
        assert sum(h["count"] for h in stats.body["per_hour"]) == 4
        assert [o["id"] for o in stats.body["slowest_open"]] == [o["id"] for o in orders[1:]]
        bad = await api.get("/api/stats", params={"since": "2026-01-02", "until": "2026-01-01"})
        assert bad.status == 422
        health = await api.as_(None).get("/api/health")
        assert health.body["status"] == "ok" and health.body["seq"] == 8


async def test_openapi_document_lists_every_endpoint(server: ServerProcess) -> None:
    async with Api(server.url) as api:
        doc = (await api.get("/api/openapi.json")).body
    assert doc["openapi"].startswith("3.")
    operations = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert operations >= {
        ("GET", "/api/health"),
        ("POST", "/api/orders"),
        ("GET", "/api/orders"),
        ("GET", "/api/orders/{id}"),
        ("PATCH", "/api/orders/{id}/status"),
        ("PATCH", "/api/orders/{id}/items/{item_id}"),
        ("PATCH", "/api/orders/{id}"),
        ("DELETE", "/api/orders/{id}"),
        ("GET", "/api/orders/{id}/events"),
        ("GET", "/api/events"),
        ("GET", "/api/stats"),
        ("GET", "/api/openapi.json"),
    }
    create = doc["paths"]["/api/orders"]["post"]
    assert "201" in create["responses"] and "422" in create["responses"]
