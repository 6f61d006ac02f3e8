"""Order ids are never handed out twice on SQLite (AUTOINCREMENT).

SQLite gives a new row the highest id plus one, so after the newest order was deleted the
next order took its id, and its history showed the deleted order's events. PostgreSQL's
identity sequence never reuses an id; nothing changes there.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "orders", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ):
        pass
    # The highest id ever used: a deleted order's id is still in the event log.
    op.execute("DELETE FROM sqlite_sequence WHERE name = 'orders'")
    op.execute(
        "INSERT INTO sqlite_sequence (name, seq) SELECT 'orders', max("
        "(SELECT coalesce(max(id), 0) FROM orders), "
        "(SELECT coalesce(max(order_id), 0) FROM events))"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "orders", recreate="always", table_kwargs={"sqlite_autoincrement": False}
    ):
        pass
