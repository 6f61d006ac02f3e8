"""The write statements run on SQLite's driver (server.db.prepared) store and read exactly
what the same statements store and read through SQLAlchemy."""

from __future__ import annotations

import asyncio
import json
import math
import sys
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import bindparam, select, text

from kds_contract import OrderCreate, Role, Status
from server import domain
from server.db import repo
from server.db.engine import Database
from server.db.inline import INLINE_COMMIT_MAX_S, InlineConnection, SqliteWriter
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
    twin = order.model_copy(update={"tracking_code": "twin-code"})  # tracking codes are unique
    async with db.reader.begin() as conn:  # aiosqlite through SQLAlchemy
        second = await repo.insert_order(conn, twin)
    stored = await _stored_orders(db)
    assert [row.pop("id") for row in stored] == [first, second]
    assert [row.pop("tracking_code") for row in stored] == [order.tracking_code, "twin-code"]
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
        actor = '{"kind":"token","token_id":7,"name":"tïll","role":"pos"}'
        event = repo.StoredEvent(seqs[-1], "order:created", 1, NOW, '{"order":{"id":1}}', actor)
        await repo.insert_event(conn, event)
        await repo.put_idempotent(conn, "7", "key-1", "hash", '{"x":"é"}', NOW)
        inline_key = await repo.get_idempotent(conn, "7", "key-1")
        missing = await repo.get_idempotent(conn, "7", "key-2")
    async with db.reading() as conn:
        assert await repo.current_seq(conn) == seqs[-1] == seqs[0] + 2
        assert await repo.order_events(conn, 1) == [event]
        assert await repo.events_after(conn, 0, 10) == [replace(event, actor=None)]
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
        await repo.revoke_token(conn, token_id, NOW)
    assert await authenticate(db, token) is None


HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
"""


async def _hold_lock(path: Path) -> asyncio.subprocess.Process:
    """Another process (``kds-server token create``, say) holding SQLite's write lock on
    ``path`` until a line is written to its stdin."""
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLD_LOCK,
        str(path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdout is not None
    assert (await holder.stdout.readline()).strip() == b"locked"
    return holder


async def _write_order(db: Database, table: str) -> int:
    """One order written in a transaction of its own; the seq it took."""
    async with db.writing() as conn:
        seq = await repo.next_seq(conn)
        await repo.insert_order(conn, _order(table))
    return seq


async def test_a_write_waits_for_another_process_lock_without_holding_up_the_loop(
    db: Database, tmp_path: Path
) -> None:
    token, _ = await create_token(db, Role.KITCHEN, "pass-1")
    holder = await _hold_lock(tmp_path / "kds.db")
    assert holder.stdin is not None

    pending = asyncio.create_task(_write_order(db, "T1"))
    done, _ = await asyncio.wait({pending}, timeout=0.5)
    assert not done, "the write went ahead while another process held the lock"
    # It waits in a thread: the loop still answers, a token lookup say.
    assert await authenticate(db, token) is not None
    holder.stdin.write(b"release\n")
    await holder.stdin.drain()
    assert await asyncio.wait_for(pending, 30) == 1
    assert await holder.wait() == 0
    assert [row["table_name"] for row in await _stored_orders(db)] == ["T1"]
    # And the next write, with the lock free, begins inline as usual.
    assert await _write_order(db, "T1") == 2


async def test_a_lone_write_cancelled_while_it_waits_for_another_process_lock_leaves_nothing(
    db: Database, tmp_path: Path
) -> None:
    """A lone write runs in its caller's task: a caller cancelled while its BEGIN waits in
    a thread for another process's lock (a request given up, a timeout) must not leave
    the writer's connection in a transaction begun once the lock comes free."""
    holder = await _hold_lock(tmp_path / "kds.db")
    assert holder.stdin is not None

    given_up = asyncio.create_task(_write_order(db, "T1"))
    done, _ = await asyncio.wait({given_up}, timeout=0.5)
    assert not done, "the write went ahead while another process held the lock"
    given_up.cancel()
    holder.stdin.write(b"release\n")
    await holder.stdin.drain()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(given_up, 30)
    assert await holder.wait() == 0
    # The next write begins as usual, and only it is stored.
    assert await asyncio.wait_for(_write_order(db, "T2"), 30) == 1
    assert [row["table_name"] for row in await _stored_orders(db)] == ["T2"]


class CountingExecutor(ThreadPoolExecutor):
    """The loop's default executor, counting the hand-offs to its threads."""

    handed_off = 0

    def submit(self, fn: Callable[..., object], /, *args: object, **kwargs: object) -> Future:  # type: ignore[type-arg]
        self.handed_off += 1
        return super().submit(fn, *args, **kwargs)


async def test_a_lone_write_commits_inline_on_a_fast_disk_and_in_a_thread_otherwise(
    db: Database,
) -> None:
    writer = db._group.writer
    assert isinstance(writer, SqliteWriter)
    executor = CountingExecutor(max_workers=2)
    asyncio.get_running_loop().set_default_executor(executor)

    async def write(table: str, inside: asyncio.Event | None = None) -> int:
        async with db.writing() as conn:
            seq = await repo.next_seq(conn)
            await repo.insert_order(conn, _order(table))
            if inside is not None:
                inside.set()
                await release.wait()
        return seq

    release = asyncio.Event()
    writer.last_commit_s = INLINE_COMMIT_MAX_S / 2  # the last fsync was quick
    assert await write("T1") == 1
    assert executor.handed_off == 0, "a lone write on a fast disk needs no thread"
    writer.last_commit_s = 0.050  # a slow card: the loop must not wait for it
    assert await write("T2") == 2
    assert executor.handed_off == 1
    assert writer.last_commit_s != 0.050  # measured again
    # Others waiting for the next transaction: the loop goes on with them while one commits,
    # however fast the disk (here any commit counts as fast, so that the measured time of
    # the threaded commit, slow or not on this machine, does not decide the next one).
    writer.inline_commit_max_s = math.inf
    inside = asyncio.Event()
    first = asyncio.create_task(write("T3", inside))
    await inside.wait()
    others = [asyncio.create_task(write(table)) for table in ("T4", "T5")]
    await asyncio.sleep(0)  # one loop step: both start and queue for the next transaction
    assert db._group._others_waiting()
    release.set()
    assert [await first, *[await task for task in others]] == [3, 4, 5]
    assert executor.handed_off == 2, "T3 committed in a thread, then T4 and T5 together inline"
    assert [row["table_name"] for row in await _stored_orders(db)] == [
        "T1",
        "T2",
        "T3",
        "T4",
        "T5",
    ]


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
