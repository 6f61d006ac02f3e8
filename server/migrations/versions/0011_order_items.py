"""The orders' items as rows of their own, for the reports.

The reports group and add up items (ticket times by station and by item, the product mix);
reading them out of every order's JSON was most of a report's time. New and changed orders
write their item rows with the order (``server.db.repo``); the orders made before this
release get theirs here.

Revision ID: order_items
Revises: outbox_per_change
Create Date: 2026-12-06
"""

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "order_items"
down_revision = "outbox_per_change"
branch_labels = None
depends_on = None

BATCH = 500

orders = sa.table("orders", sa.column("id"), sa.column("items"))


def _rows(order_id: int, items_json: str | None) -> list[dict[str, Any]]:
    """As server.db.repo.item_rows when this was written."""
    names: set[str] = set()
    stations: set[str] = set()
    rows = []
    for position, item in enumerate(json.loads(items_json or "[]")):
        name = item.get("name") or ""
        station = item.get("station") or ""
        quantity = item.get("quantity")
        rows.append(
            {
                "order_id": order_id,
                "position": position,
                "name": name,
                "station": station,
                "quantity": 1 if quantity is None else int(quantity),
                "first_of_name": name not in names,
                "first_of_station": station not in stations,
            }
        )
        names.add(name)
        stations.add(station)
    return rows


def upgrade() -> None:
    order_items = op.create_table(
        "order_items",
        sa.Column("order_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("position", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("station", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("first_of_name", sa.Boolean(), nullable=False),
        sa.Column("first_of_station", sa.Boolean(), nullable=False),
    )
    assert order_items is not None
    conn = op.get_bind()
    last = 0
    while True:
        found = conn.execute(
            sa.select(orders.c.id, orders.c["items"])
            .where(orders.c.id > last)
            .order_by(orders.c.id)
            .limit(BATCH)
        ).all()
        if not found:
            return
        rows = [row for order_id, items in found for row in _rows(order_id, items)]
        if rows:
            conn.execute(sa.insert(order_items), rows)
        last = found[-1].id


def downgrade() -> None:
    op.drop_table("order_items")
