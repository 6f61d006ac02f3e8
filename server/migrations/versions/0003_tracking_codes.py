"""Every order gets a tracking code: the customer's link to its public page.

New orders get one when they are made; orders made before this release get one here, so
every order can be tracked.

Revision ID: tracking_codes
Revises: 0002
Create Date: 2026-12-06
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "tracking_codes"
down_revision = "0002"
branch_labels = None
depends_on = None

CODE_BYTES = 16  # as kds_contract.tracking.TRACKING_CODE_BYTES when this was written


def upgrade() -> None:
    op.add_column("orders", sa.Column("tracking_code", sa.String(64), nullable=True))
    conn = op.get_bind()
    orders = sa.table("orders", sa.column("id"), sa.column("tracking_code"))
    ids = conn.execute(sa.select(orders.c.id).where(orders.c.tracking_code.is_(None))).scalars()
    for order_id in list(ids):
        conn.execute(
            sa.update(orders)
            .where(orders.c.id == order_id)
            .values(tracking_code=secrets.token_urlsafe(CODE_BYTES))
        )
    op.create_index("ix_orders_tracking_code", "orders", ["tracking_code"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_orders_tracking_code", table_name="orders")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("tracking_code")
