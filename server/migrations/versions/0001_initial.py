"""The first schema: orders, events, the seq counter, idempotency keys, tokens.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from server.db.tables import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("order_type", sa.String(16), nullable=False),
        sa.Column("table_name", sa.String(200)),
        sa.Column("customer_name", sa.String(200)),
        sa.Column("user_id", sa.String(200)),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("notes", sa.Text),
        sa.Column("items", sa.Text, nullable=False),
        sa.Column("total_cents", sa.BigInteger),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("pending_at", UTCDateTime),
        sa.Column("preparing_at", UTCDateTime),
        sa.Column("ready_at", UTCDateTime),
        sa.Column("completed_at", UTCDateTime),
        sa.Column("cancelled_at", UTCDateTime),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("stations", sa.Text, nullable=False),
    )
    op.create_index("ix_orders_status", "orders", ["status"])
    op.create_index("ix_orders_user_id", "orders", ["user_id"])
    op.create_index("ix_orders_created_at", "orders", ["created_at"])
    op.create_index("ix_orders_updated_at", "orders", ["updated_at"])
    op.create_table(
        "events",
        sa.Column("seq", BigId, primary_key=True, autoincrement=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("order_id", sa.BigInteger, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_index("ix_events_order_id_seq", "events", ["order_id", "seq"])
    seq_counter = op.create_table(
        "seq_counter",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(seq_counter, [{"id": 1, "value": 0}])
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    op.create_table(
        "tokens",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(200)),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime),
    )


def downgrade() -> None:
    for table in ("tokens", "idempotency_keys", "seq_counter", "events", "orders"):
        op.drop_table(table)
