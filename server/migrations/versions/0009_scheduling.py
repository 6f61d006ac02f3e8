"""Scheduling and pacing: an order's due and fire times, the menu, and the menu's version.

Revision ID: scheduling
Revises: search_notes
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

from server.db.tables import UTCDateTime

revision = "scheduling"
down_revision = "search_notes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("due_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("fire_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("scheduled_at", UTCDateTime(), nullable=True))
    op.create_index("ix_orders_status_fire_at", "orders", ["status", "fire_at"])
    with op.batch_alter_table("seq_counter") as batch:
        batch.add_column(
            sa.Column("menu_version", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "menu_items",
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("station", sa.String(200), nullable=True),
        sa.Column("prep_seconds", sa.Integer(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("menu_items")
    with op.batch_alter_table("seq_counter") as batch:
        batch.drop_column("menu_version")
    op.drop_index("ix_orders_status_fire_at", table_name="orders")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("scheduled_at")
        batch.drop_column("fire_at")
        batch.drop_column("due_at")
