"""Screens online: each display and console that said what it is, and when it was seen.

Revision ID: screens_online
Revises: events_actor
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from server.db.tables import UTCDateTime

revision = "screens_online"
down_revision = "events_actor"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "screens",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("station", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("shown_station", sa.String(200), nullable=True),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("connected", sa.Boolean(), nullable=False),
        sa.Column("process", sa.String(64), nullable=False),
        sa.Column("connected_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("kind", "station", "name", name="uq_screens_identity"),
    )
    op.create_index("ix_screens_last_seen_at", "screens", ["last_seen_at"])


def downgrade() -> None:
    op.drop_index("ix_screens_last_seen_at", table_name="screens")
    op.drop_table("screens")
