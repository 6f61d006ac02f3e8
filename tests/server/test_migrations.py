"""Upgrading a database made by an older release keeps its data and fixes what it got wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, create_engine, text

from kds_contract.period import Period
from server.db import reports_repo
from server.db.engine import Database
from server.db.migrate import MIGRATIONS, migrate
from server.stats import Sold


def _at_revision(url: str, revision: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


async def test_an_upgraded_sqlite_file_never_hands_out_a_deleted_orders_id(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kds.db"
    _at_revision(f"sqlite:///{path}", "0001")
    old = create_engine(f"sqlite:///{path}")
    with old.begin() as conn:
        for order_id in (1, 2, 3):
            conn.execute(
                text(
                    "INSERT INTO orders (id, status, order_type, priority, items, version, "
                    "created_at, updated_at, search_text, stations) VALUES (:id, 'pending', "
                    "'dine-in', 'normal', '[]', 1, '2026-11-26 10:00:00', "
                    "'2026-11-26 10:00:00', '', '')"
                ),
                {"id": order_id},
            )
            conn.execute(
                text(
                    "INSERT INTO events (seq, type, order_id, at, data) "
                    "VALUES (:id, 'order:created', :id, '2026-11-26 10:00:00', '{}')"
                ),
                {"id": order_id},
            )
        # Order 3, the newest, was deleted under the old release: only its events remain.
        conn.execute(text("DELETE FROM orders WHERE id = 3"))
    old.dispose()

    db = Database(f"sqlite+aiosqlite:///{path}")
    await migrate(db)
    async with db.writing() as conn:
        kept = (await conn.execute(text("SELECT id FROM orders ORDER BY id"))).scalars().all()
        await conn.execute(
            text(
                "INSERT INTO orders (status, order_type, priority, items, version, created_at, "
                "updated_at, search_text, stations) VALUES ('pending', 'dine-in', 'normal', "
                "'[]', 1, '2026-11-26 11:00:00', '2026-11-26 11:00:00', '', '')"
            )
        )
        new_id = (await conn.execute(text("SELECT max(id) FROM orders"))).scalar_one()
        indexes = {row[1] for row in (await conn.execute(text("PRAGMA index_list(orders)"))).all()}
    await db.dispose()
    assert kept == [1, 2]
    assert new_id == 4, "id 3 belonged to a deleted order (its events are still stored)"
    assert {"ix_orders_status", "ix_orders_created_at", "ix_orders_updated_at"} <= indexes


async def test_orders_made_before_notes_were_searched_are_found_by_their_notes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kds.db"
    _at_revision(f"sqlite:///{path}", "event_log_epoch")
    items = '[{"id": 1, "name": "Burger", "modifiers": ["No Bun"], "notes": "well done"}]'
    old = create_engine(f"sqlite:///{path}")
    with old.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO orders (id, status, order_type, priority, items, version, notes, "
                "customer_name, created_at, updated_at, search_text, stations) VALUES (1, "
                "'pending', 'dine_in', 'normal', :items, 1, 'Nut ALLERGY', 'Ann', "
                "'2026-11-26 10:00:00', '2026-11-26 10:00:00', 'ann\nburger', '')"
            ),
            {"items": items},
        )
    old.dispose()

    db = Database(f"sqlite+aiosqlite:///{path}")
    await migrate(db)
    async with db.reading() as conn:
        words = (await conn.execute(text("SELECT search_text FROM orders"))).scalar_one()
    await db.dispose()
    assert words.split("\n") == ["ann", "burger", "no bun", "well done", "nut allergy"]


async def _at_revision_on(db: Database, revision: str) -> None:
    """``db`` (SQLite or PostgreSQL) at schema ``revision``."""

    def upgrade(connection: Connection) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with db.writing() as conn:
        await conn.run_sync(upgrade)


async def test_orders_made_before_item_rows_get_theirs_and_are_in_the_report(
    backend_db: str,
) -> None:
    db = Database(backend_db)
    await _at_revision_on(db, "outbox_per_change")
    made = "'2026-11-26 10:00:00'"
    old_items = {
        1: [
            {"id": 1, "name": "Burger", "quantity": 2, "station": "grill"},
            {"id": 2, "name": "Burger", "quantity": 1, "station": "grill"},
            {"id": 3, "name": "burger", "quantity": 1, "station": "Grill"},
            {"id": 4, "name": "Fries", "quantity": 1},
            {"id": 5, "name": "Soup", "quantity": 3, "station": None},
        ],
        2: [],
        3: [{"id": 1, "name": "Crème brûlée", "station": "pastry"}],
        # More orders than the migration reads at a time.
        **{n: [{"id": 1, "name": "Cola", "quantity": 1, "station": "bar"}] for n in range(4, 604)},
    }
    async with db.writing() as conn:
        await conn.execute(
            text(
                "INSERT INTO orders (id, status, order_type, priority, items, version, "
                f"created_at, updated_at, search_text, stations) VALUES (:id, 'pending', "
                f"'dine_in', 'normal', :items, 1, {made}, {made}, '', '')"
            ),
            [{"id": n, "items": json.dumps(items)} for n, items in old_items.items()],
        )
    await migrate(db)
    async with db.reading() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT order_id, position, name, station, quantity, first_of_name, "
                    "first_of_station FROM order_items ORDER BY order_id, position"
                )
            )
        ).all()
        period = Period(datetime(2026, 11, 26, tzinfo=UTC), datetime(2026, 11, 27, tzinfo=UTC))
        found = await reports_repo.ticket_times(conn, period, None)
    await db.dispose()
    assert [tuple(r) for r in rows[:6]] == [
        (1, 0, "Burger", "grill", 2, True, True),
        (1, 1, "Burger", "grill", 1, False, False),
        (1, 2, "burger", "Grill", 1, True, True),
        (1, 3, "Fries", "", 1, True, True),
        (1, 4, "Soup", "", 3, True, False),
        (3, 0, "Crème brûlée", "pastry", 1, True, True),
    ], "a missing quantity is 1, as the order reads it"
    assert len(rows) == 6 + 600 and {r.order_id for r in rows[6:]} == set(range(4, 604))
    assert found.product_mix[0] == Sold("Cola", 600, 600)
    assert {(s.name, s.quantity, s.orders) for s in found.product_mix[1:]} == {
        ("Burger", 3, 1),
        ("Soup", 3, 1),
        ("Crème brûlée", 1, 1),
        ("Fries", 1, 1),
        ("burger", 1, 1),
    }
