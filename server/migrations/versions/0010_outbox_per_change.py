"""The outbox: one row per change, expanded into deliveries by the outbox process.

Revision ID: outbox_per_change
Revises: scheduling
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from server.db.tables import UTCDateTime

revision = "outbox_per_change"
down_revision = "scheduling"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("webhooks", sa.Text(), nullable=True),
        sa.Column("email_kind", sa.String(8), nullable=True),
        sa.Column("email_to", sa.String(254), nullable=True),
        sa.Column("email_message_id", sa.String(200), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outbox")
