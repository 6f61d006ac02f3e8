"""Tracking codes: every order has one, the public sees its order by it and nothing more,
and guessing codes is slow (SPEC: Telling customers and other systems, Screens in a browser)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import socketio
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from kds_contract.tracking import PublicOrder
from server.db.engine import Database
from server.db.migrate import MIGRATIONS, migrate
from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.server import REPO, ServerProcess

CODE = re.compile(r"[A-Za-z0-9_-]{22,}")
PUBLIC_KEYS = {
    "id",
    "status",
    "order_type",
    "customer_name",
    "items",
    "created_at",
    "due_at",
    "ready_at",
}
PRIVATE_ORDER = {
    "items": [
        {"name": "Burger", "quantity": 2, "modifiers": ["no onion"], "notes": "nut allergy"},
        {"name": "Fries", "station": "fry"},
    ],
    "customer_name": "Ada",
    "table": "12",
    "notes": "call 555-0100 when ready",
    "total_cents": 1850,
    "user_id": "ada-account",
}


class PublicListener:
    """A python-socketio client on ``/public`` without a token, recording what it hears."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.client.on("*", self._record, namespace="/public")

    async def _record(self, event: str, data: dict[str, Any]) -> None:
        self.events.append((event, data))

    async def __aenter__(self) -> PublicListener:
        await self.client.connect(self.server.url, namespaces=["/public"], transports=["websocket"])
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.disconnect()

    async def call(self, event: str, data: Any = None) -> Any:
        return await self.client.call(event, data, namespace="/public", timeout=5)


async def test_every_order_gets_its_own_code_shown_to_pos_kitchen_and_admin(
    any_server: ServerProcess,
) -> None:
    async with Api(any_server.url, any_server.tokens["pos"]) as pos:
        made = [await pos.create() for _ in range(3)]
        kitchen = pos.as_(any_server.tokens["kitchen"])
        admin = pos.as_(any_server.tokens["admin"])
        seen_by_kitchen = (await kitchen.get(f"/api/orders/{made[0]['id']}")).body["order"]
        listed_by_admin = (await admin.get("/api/orders")).body["orders"]
        events = (await admin.get("/api/events")).body["events"]
    codes = [order["tracking_code"] for order in made]
    assert all(CODE.fullmatch(code) for code in codes), codes
    assert len(set(codes)) == 3
    assert seen_by_kitchen["tracking_code"] == codes[0]
    assert {o["tracking_code"] for o in listed_by_admin} == set(codes)
    assert events[0]["data"]["order"]["tracking_code"] == codes[0]


async def test_the_public_sees_its_order_by_code_and_nothing_private(server: ServerProcess) -> None:
    async with Api(server.url, server.tokens["pos"]) as pos:
        order = (await pos.post("/api/orders", PRIVATE_ORDER)).body["order"]
        public = pos.as_(None)
        found = await public.get(f"/api/track/{order['tracking_code']}")
        await pos.as_(server.tokens["admin"]).patch(
            f"/api/orders/{order['id']}/status", {"status": "preparing"}
        )
        await pos.as_(server.tokens["admin"]).patch(
            f"/api/orders/{order['id']}/status", {"status": "ready"}
        )
        ready = await public.get(f"/api/track/{order['tracking_code']}")
    assert found.status == 200, found.body
    assert set(found.body) == {"order", "seq", "epoch"}
    shown = found.body["order"]
    assert set(shown) == PUBLIC_KEYS
    PublicOrder.model_validate(shown)
    assert shown == {
        "id": order["id"],
        "status": "pending",
        "order_type": "dine_in",
        "customer_name": "Ada",
        "items": [{"name": "Burger", "quantity": 2}, {"name": "Fries", "quantity": 1}],
        "created_at": order["created_at"],
        "due_at": None,
        "ready_at": None,
    }
    for secret in ("555-0100", "nut allergy", "1850", "ada-account", "no onion", "fry"):
        assert secret not in str(found.body)
    assert ready.body["order"]["status"] == "ready"
    assert ready.body["order"]["ready_at"] is not None


@pytest.mark.parametrize(
    "code", ["A" * 22, "short", "has space in it........", "%2e%2e", "x" * 300, "ü" * 22]
)
async def test_an_unknown_or_malformed_code_is_a_404(
    shared_server: ServerProcess, code: str
) -> None:
    async with Api(shared_server.url) as public:
        reply = await public.get(f"/api/track/{code}")
    assert reply.status == 404, reply.body
    assert reply.error["code"] == "not_found"


async def test_the_server_owns_the_code(server: ServerProcess) -> None:
    async with Api(server.url, server.tokens["admin"]) as admin:
        made = await admin.post(
            "/api/orders", {"items": [{"name": "Tea"}], "tracking_code": "A" * 22}
        )
        order = await admin.create()
        edited = await admin.patch(f"/api/orders/{order['id']}", {"tracking_code": "A" * 22})
    assert made.status == 422 and "tracking_code" in made.error["message"]
    assert edited.status == 422 and "tracking_code" in edited.error["message"]


async def test_guessing_codes_is_refused_for_a_while_even_a_right_one(
    server_factory: Callable[..., ServerProcess],
) -> None:
    server = server_factory(env={"KDS_TRACK_MISSES_PER_MINUTE": "2"})  # bursts of 4
    async with Api(server.url, server.tokens["pos"]) as pos:
        order = await pos.create()
        public = pos.as_(None)
        right = f"/api/track/{order['tracking_code']}"
        misses = [await public.get(f"/api/track/{'B' * 21}{n}") for n in range(4)]
        refused = await public.get(f"/api/track/{'C' * 22}")
        refused_right = await public.get(right)
        async with PublicListener(server) as listener:
            refused_join = await listener.call("join:track", {"code": order["tracking_code"]})
    assert [m.status for m in misses] == [404] * 4
    assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused_right.status == 429, "a guesser must not learn which code is right"
    assert not refused_join["ok"] and "too many" in refused_join["error"]


async def test_public_namespace_hears_only_its_order_in_public_fields(
    any_server: ServerProcess,
) -> None:
    async with (
        Api(any_server.url, any_server.tokens["admin"]) as admin,
        PublicListener(any_server) as listener,
    ):
        mine = (await admin.post("/api/orders", PRIVATE_ORDER)).body["order"]
        other = await admin.create()
        joined = await listener.call("join:track", {"code": mine["tracking_code"]})
        for oid in (other["id"], mine["id"]):
            await admin.patch(f"/api/orders/{oid}/status", {"status": "preparing"})
        await admin.patch(f"/api/orders/{mine['id']}", {"notes": "now private too"})
        await wait_for(lambda: len(listener.events) >= 2, message="2 events for the order")
        await admin.delete(f"/api/orders/{mine['id']}")
        await wait_for(lambda: len(listener.events) >= 3, message="the deletion")
    assert joined["ok"] and set(joined["order"]) == PUBLIC_KEYS
    assert joined["order"]["id"] == mine["id"]
    kinds = [kind for kind, _ in listener.events]
    assert kinds == ["order:statusUpdated", "order:updated", "order:deleted"]
    moved = listener.events[0][1]
    assert set(moved) == {"order", "oldStatus", "newStatus", "seq", "epoch"}
    assert set(moved["order"]) == PUBLIC_KEYS
    assert moved["order"]["id"] == mine["id"] and moved["newStatus"] == "preparing"
    assert "now private too" not in str(listener.events) and "555" not in str(listener.events)
    assert listener.events[2][1]["orderId"] == mine["id"]


async def test_public_namespace_takes_only_track_and_pickup_joins(server: ServerProcess) -> None:
    async with PublicListener(server) as listener:
        kitchen = await listener.call("join:kitchen")
        admin = await listener.call("join:admin")
        bad = await listener.call("join:track", "not an object")
        unknown = await listener.call("join:track", {"code": "D" * 22})
    assert not kitchen["ok"] and not admin["ok"]
    assert not bad["ok"] and "code" in bad["error"]
    assert not unknown["ok"] and "not_found" in unknown["error"]


async def test_the_default_namespace_still_refuses_a_connection_without_a_token(
    server: ServerProcess,
) -> None:
    client = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(server.url, transports=["websocket"])
    await client.disconnect()


@pytest.mark.parametrize("names", [False, True])
async def test_pickup_board_hears_numbers_and_names_only_when_allowed(
    server_factory: Callable[..., ServerProcess], names: bool
) -> None:
    server = server_factory(extra_args=("--pickup-names",) if names else ())
    async with (
        Api(server.url, server.tokens["admin"]) as admin,
        PublicListener(server) as listener,
    ):
        joined = await listener.call("join:pickup")
        order = (await admin.post("/api/orders", PRIVATE_ORDER)).body["order"]
        await admin.patch(f"/api/orders/{order['id']}/status", {"status": "preparing"})
        await wait_for(lambda: len(listener.events) >= 2, message="created and moved")
        board = await admin.as_(None).get("/api/pickup")
    assert joined == {"ok": True, "room": "pickup", "names": names}
    assert [kind for kind, _ in listener.events] == ["order:created", "order:statusUpdated"]
    for _, payload in listener.events:
        assert set(payload["order"]) == PUBLIC_KEYS
        assert payload["order"]["customer_name"] == ("Ada" if names else None)
    assert board.status == 200
    assert [o["id"] for o in board.body["orders"]] == [order["id"]]
    assert board.body["orders"][0]["customer_name"] == ("Ada" if names else None)
    assert board.body["names"] is names


async def test_health_tells_the_base_of_customers_links(
    server_factory: Callable[..., ServerProcess],
) -> None:
    plain = server_factory()
    public = server_factory(extra_args=("--public-url", "https://orders.example.com/kds/"))
    async with Api(plain.url) as api:
        local = (await api.get("/api/health")).body
    async with Api(public.url) as api:
        configured = (await api.get("/api/health")).body
    assert local["public_url"] == plain.url
    assert configured["public_url"] == "https://orders.example.com/kds"


@pytest.mark.parametrize(
    "bad", ["ftp://example.com", "example.com", "https://u:p@example.com", "https://x/?a=1"]
)
def test_a_public_url_that_is_not_a_plain_http_base_is_refused_at_start(
    tmp_path: Path, bad: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server", "--data-dir", str(tmp_path), "--public-url", bad],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "--public-url" in result.stderr and bad in result.stderr


async def test_an_upgrade_gives_every_existing_order_a_code(tmp_path: Path) -> None:
    path = tmp_path / "kds.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        for order_id in (1, 2, 3):
            connection.execute(
                text(
                    "INSERT INTO orders (id, status, order_type, priority, items, version, "
                    "created_at, updated_at, search_text, stations) VALUES (:id, 'pending', "
                    "'dine_in', 'normal', '[]', 1, '2026-11-26 10:00:00', "
                    "'2026-11-26 10:00:00', '', '')"
                ),
                {"id": order_id},
            )
    engine.dispose()
    db = Database(f"sqlite+aiosqlite:///{path}")
    await migrate(db)
    async with db.reading() as conn:
        codes = (await conn.execute(text("SELECT tracking_code FROM orders"))).scalars().all()
    await db.dispose()
    assert len(codes) == 3 and len(set(codes)) == 3
    assert all(CODE.fullmatch(code) for code in codes)
