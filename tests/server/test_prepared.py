"""The write statements run on SQLite's driver (server.db.prepared) store and read exactly
what the same statements store and read through SQLAlchemy."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import bindparam, select, text

from kds_contract import OrderCreate, Role, Status
from server import domain
from server.db import repo
from server.db.engine import Database
from server.db.inline import InlineConnection
from server.db.migrate import migrate
from server.db.prepared import Prepared, PreparedStatements
from server.tokens import authenticate, create_token, hash_token
from tests.support.services import postgres_database

NOW = datetime(2026, 11, 26, 7, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'kds.db'}")
    await migrate(database)
    yield database
    await database.dispose()


def _order(table: str) -> domain.Order:
    data = OrderCreate.model_validate_json(
        json.dumps(
            {
                "table": table,
                "customer_name": "Ana Lúcia",
                "notes": "nut allergy",
                "priority": "rush",
                "items": [
                    {
                        "name": "Burger",
                        "quantity": 2,
                        "modifiers": ["no onion"],
                        "station": "Grill",
                    },
                    {"name": "Fries", "station": "fry"},
                ],
                "total_cents": 2450,
            }
        )
    )
    return domain.new_order(data, 0, NOW)


async def _stored_orders(db: Database) -> list[dict[str, object]]:
    async with db.reading() as conn:
        rows = await conn.execute(text("SELECT * FROM orders ORDER BY id"))
        return [dict(r._mapping) for r in rows]


async def test_an_order_written_both_ways_is_stored_the_same(db: Database) -> None:
    order = _order("T1")
    async with db.writing() as conn:  # the inline writer: prepared statements
        assert isinstance(conn, InlineConnection)
        first = await repo.insert_order(conn, order)
    async with db.reader.begin() as conn:  # aiosqlite through SQLAlchemy
        second = await repo.insert_order(conn, order)
    stored = await _stored_orders(db)
    assert [row.pop("id") for row in stored] == [first, second]
    assert stored[0] == stored[1]
    assert stored[0]["created_at"] == "2026-11-26 07:30:15.123456"
    assert stored[0]["stations"] == "|fry|grill|"


async def test_an_order_read_both_ways_is_the_same(db: Database) -> None:
    async with db.writing() as conn:
        order_id = await repo.insert_order(conn, _order("T2"))
        moved = (await repo.get_order(conn, order_id)).model_copy(  # type: ignore[union-attr]
            update={
                "id": order_id,
                "status": Status.PREPARING,
                "version": 2,
                "preparing_at": NOW + timedelta(seconds=90),
            }
        )
        await repo.update_order(conn, moved)
        inline = await repo.get_order(conn, order_id)
    async with db.reading() as conn:
        through_sqlalchemy = await repo.get_order(conn, order_id)
    assert inline == through_sqlalchemy == moved
    assert inline is not None and inline.preparing_at == NOW + timedelta(seconds=90)
    assert inline.created_at.tzinfo is not None


async def test_seq_events_and_idempotency_keys_both_ways(db: Database) -> None:
    async with db.writing() as conn:
        seqs = [await repo.next_seq(conn) for _ in range(3)]
        event = repo.StoredEvent(seqs[-1], "order:created", 1, NOW, '{"order":{"id":1}}')
        await repo.insert_event(conn, event)
        await repo.put_idempotent(conn, "7", "key-1", "hash", 201, '{"x":"é"}', NOW)
        inline_key = await repo.get_idempotent(conn, "7", "key-1")
        missing = await repo.get_idempotent(conn, "7", "key-2")
    async with db.reading() as conn:
        assert await repo.current_seq(conn) == seqs[-1] == seqs[0] + 2
        assert await repo.events_after(conn, 0, 10) == [event]
        key = await repo.get_idempotent(conn, "7", "key-1")
    assert missing is None
    assert tuple(inline_key) == tuple(key)
    assert inline_key.request_hash == "hash" and inline_key.response == '{"x":"é"}'
    assert inline_key.created_at == NOW


async def test_token_lookup_inline_matches_and_sees_a_revocation_at_once(db: Database) -> None:
    token, token_id = await create_token(db, Role.KITCHEN, "pass-1")
    principal = await authenticate(db, token)
    assert principal is not None and principal.token_id == token_id
    async with db.looking_up() as inline, db.reading() as conn:
        fast = await repo.find_token(inline, hash_token(token))
        row = await repo.find_token(conn, hash_token(token))
        assert await repo.find_token(inline, hash_token("kds_unknown")) is None
    assert tuple(fast) == tuple(row)
    assert fast.name == "pass-1" and fast.revoked_at is None
    assert fast.created_at.tzinfo is not None
    async with db.writing() as conn:
        assert await repo.revoke_token(conn, "pass-1", NOW) == 1
    assert await authenticate(db, token) is None


@pytest.fixture(params=["sqlite", "postgres"])
async def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'kds.db'}")
        await migrate(database)
        yield database
        await database.dispose()
        return
    with postgres_database() as url:
        database = Database(url)
        await migrate(database)
        yield database
        await database.dispose()


async def test_a_failed_write_in_a_group_is_rolled_back_alone(any_db: Database) -> None:
    async def write(table: str, fail: bool) -> int:
        async with any_db.writing() as conn:
            seq = await repo.next_seq(conn)
            await repo.insert_order(conn, _order(table))
            await asyncio.sleep(0)
            if fail:
                raise RuntimeError("stale version")
        return seq

    results = await asyncio.gather(
        *(write(f"T{n}", fail=n % 3 == 1) for n in range(9)), return_exceptions=True
    )
    assert [isinstance(r, RuntimeError) for r in results] == [n % 3 == 1 for n in range(9)]
    tables = [row["table_name"] for row in await _stored_orders(any_db)]
    assert tables == [f"T{n}" for n in range(9) if n % 3 != 1]
    # The failed writes' seqs were rolled back with them: no gap.
    assert [r for r in results if isinstance(r, int)] == [1, 2, 3, 4, 5, 6]


def test_statements_that_cannot_run_prepared_are_refused() -> None:
    expanding = select(repo.tokens.c.id).where(
        repo.tokens.c.id.in_(bindparam("ids", expanding=True))
    )
    with pytest.raises(ValueError, match="expanding"):
        Prepared(expanding, ["ids"])
    prepared = PreparedStatements([repo._FIND_TOKEN])
    assert prepared.get(repo._FIND_TOKEN, {"token_hash": "x"}) is not None
    assert prepared.get(select(repo.tokens), {}) is None


async def test_a_lookup_connection_refuses_other_statements(db: Database) -> None:
    async with db.looking_up() as conn:
        with pytest.raises(TypeError, match="not a prepared statement"):
            await conn.execute(select(repo.tokens))
