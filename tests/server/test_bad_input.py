"""Bad input gets a 4xx that names the field and the rule, never a 500, and stores nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.http import Api
from tests.support.server import ServerProcess

ITEM = {"name": "Burger"}

BAD_BODIES: list[tuple[Any, str]] = [
    ({}, "items"),
    ({"items": []}, "items"),
    ({"items": "burger"}, "items"),
    ({"items": [{}]}, "items.0.name"),
    ({"items": [{"name": ""}]}, "items.0.name"),
    ({"items": [{"name": "   "}]}, "items.0.name"),
    ({"items": [{"name": 5}]}, "items.0.name"),
    ({"items": [{"name": "x" * 201}]}, "items.0.name"),
    ({"items": [{"name": "B", "quantity": 0}]}, "items.0.quantity"),
    ({"items": [{"name": "B", "quantity": 100}]}, "items.0.quantity"),
    ({"items": [{"name": "B", "quantity": "2"}]}, "items.0.quantity"),
    ({"items": [{"name": "B", "quantity": 1.5}]}, "items.0.quantity"),
    ({"items": [{"name": "B", "quantity": 10**30}]}, "items.0.quantity"),
    ({"items": [{"name": "B", "modifiers": ["m"] * 21}]}, "items.0.modifiers"),
    ({"items": [{"name": "B", "modifiers": "no onion"}]}, "items.0.modifiers"),
    ({"items": [{"name": "B", "notes": "n" * 1001}]}, "items.0.notes"),
    ({"items": [{"name": "B", "station": "s" * 201}]}, "items.0.station"),
    ({"items": [{"name": "B", "done": True}]}, "items.0.done"),
    ({"items": [{"name": "B", "id": 4}]}, "items.0.id"),
    ({"items": [{"name": "B", "colour": "red"}]}, "items.0.colour"),
    ({"items": [ITEM] * 101}, "items"),
    ({"items": [ITEM], "order_type": "drive_thru"}, "order_type"),
    ({"items": [ITEM], "priority": "urgent"}, "priority"),
    ({"items": [ITEM], "total_cents": -1}, "total_cents"),
    ({"items": [ITEM], "total_cents": "12.50"}, "total_cents"),
    ({"items": [ITEM], "notes": "n" * 1001}, "notes"),
    ({"items": [ITEM], "table": "t" * 201}, "table"),
    ({"items": [ITEM], "customer_name": ["a"]}, "customer_name"),
    ({"items": [ITEM], "id": 7}, "id"),
    ({"items": [ITEM], "status": "ready"}, "status"),
    ({"items": [ITEM], "version": 3}, "version"),
    ({"items": [ITEM], "created_at": "2020-01-01T00:00:00Z"}, "created_at"),
    ({"items": [ITEM], "ready_at": None}, "ready_at"),
    ({"items": [ITEM], "unknown": 1}, "unknown"),
    # Control characters would reach the kitchen's and managers' terminals as commands.
    ({"items": [{"name": "Burger\x1b]0;pwned\x07"}]}, "items.0.name"),
    ({"items": [{"name": "B", "modifiers": ["no\x1b[2J onion"]}]}, "items.0.modifiers.0"),
    ({"items": [{"name": "B", "station": "grill\x00"}]}, "items.0.station"),
    ({"items": [{"name": "B", "notes": "ring\x07"}]}, "items.0.notes"),
    ({"items": [ITEM], "table": "4\n5"}, "table"),
    ({"items": [ITEM], "customer_name": "Ann\x9b31m"}, "customer_name"),
    ({"items": [ITEM], "notes": "\x1b[5mblink"}, "notes"),
    ({"items": [{"name": "Tofu \u202eyggE"}]}, "items.0.name"),  # shown as "Egg" reversed
    ([{"items": [ITEM]}], "body"),
    ("burger", "body"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES, ids=[f for _, f in BAD_BODIES])
async def test_invalid_order_is_refused_naming_the_field(
    shared_server: ServerProcess, body: Any, field: str
) -> None:
    server = shared_server  # every body here is refused: the server stays empty
    async with Api(server.url, server.tokens["pos"]) as api:
        reply = await api.post("/api/orders", body)
        assert reply.status == 422, reply.body
        assert reply.error["code"] == "invalid"
        assert reply.error["details"]["field"] == field
        assert field.split(".")[-1] in reply.error["message"] or field == "body"
        listing = await api.as_(server.tokens["admin"]).get("/api/orders")
    assert listing.body["total"] == 0 and listing.body["seq"] == 0, "nothing was stored"


async def test_malformed_bodies_and_headers(server: ServerProcess) -> None:
    async with Api(server.url, server.tokens["admin"]) as api:
        json_type = {"Content-Type": "application/json"}
        cases = [
            (b'{"items": [', json_type, 400, "bad_json"),
            (b"", json_type, 400, "bad_json"),
            (b"\xff\xfe", json_type, 400, "bad_json"),
            (b"[" * 100_000 + b"]" * 100_000, json_type, 400, "bad_json"),
            (b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", json_type, 400, "bad_json"),
            (
                b'{"items": [{"name": "B"}]}',
                {"Content-Type": "text/plain"},
                415,
                "unsupported_media_type",
            ),
            (b"x" * (1024 * 1024 + 10), json_type, 413, "too_large"),
            # Thousands of digits: over Python's int limit, refused naming the field.
            (
                b'{"items": [{"name": "B"}], "total_cents": ' + b"9" * 5000 + b"}",
                json_type,
                422,
                "invalid",
            ),
        ]
        for data, headers, status, code in cases:
            reply = await api.post("/api/orders", data=data, headers=headers)
            assert (reply.status, reply.error["code"]) == (status, code), reply.body
            assert reply.error["message"]
        huge = {"items": [{"name": "B", "notes": "n" * 1000}] * 100, "notes": "x" * 1_100_000}
        assert (await api.post("/api/orders", huge)).status == 413
        bad_key = await api.post(
            "/api/orders", {"items": [ITEM]}, headers={"Idempotency-Key": "k" * 300}
        )
        assert bad_key.status == 400 and "Idempotency-Key" in bad_key.error["message"]
        for path in (
            "/api/orders/abc",
            "/api/orders/99999999999999999999999",
            "/api/orders/" + "9" * 5000,
            "/api/orders/\uff11",  # a full-width 1: not order 1
            "/api/orders/0",
            "/api/nothing",
        ):
            assert (await api.get(path)).status == 404, path
        history = await api.get("/api/orders/1/events", params={"foo": "1"})
        assert history.status == 422 and history.error["details"]["field"] == "foo"
        assert "takes no query parameters" in history.error["message"]
        huge = (await api.get("/api/orders/99999999999999999999999")).error
        assert huge["message"] == "order 99999999999999999999999 does not exist"
        assert (await api.call("PUT", "/api/orders/1")).status == 405
        moves = [
            ({"status": "eaten"}, "status"),
            ({"status": "ready", "version": 0}, "version"),
            ({"status": "ready", "version": "2"}, "version"),
            ({}, "status"),
            ({"status": "ready", "extra": 1}, "extra"),
        ]
        order = await api.create()
        for body, field in moves:
            reply = await api.patch(f"/api/orders/{order['id']}/status", body)
            assert reply.status == 422 and reply.error["details"]["field"] == field, reply.body
        listing = await api.get("/api/orders")
    assert listing.body["total"] == 1 and listing.body["seq"] == 1, "only the valid order"
    assert "Traceback" not in server.log_text()


async def test_notes_keep_line_breaks_and_an_edit_with_a_control_character_is_refused(
    server: ServerProcess,
) -> None:
    async with Api(server.url, server.tokens["admin"]) as api:
        notes = "Nut allergy!\r\nNo sesame\tat all"
        order = await api.create(notes=notes, items=[{"name": "Pad Thai", "notes": "mild\nplease"}])
        assert (order["notes"], order["items"][0]["notes"]) == (notes, "mild\nplease")
        reply = await api.patch(
            f"/api/orders/{order['id']}", {"items": [{"name": "Pad Thai\x1b[8m"}]}
        )
        assert reply.status == 422, reply.body
        assert reply.error["details"]["field"] == "items.0.name"
        assert "U+001B" in reply.error["message"] and "plain text" in reply.error["message"]
        again = (await api.get(f"/api/orders/{order['id']}")).body["order"]
    assert again == order, "the refused edit changed nothing"
