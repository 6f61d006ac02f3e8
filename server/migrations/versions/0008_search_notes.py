"""Text search finds notes too: the order's notes and its items' modifiers and notes.

New and changed orders get the longer search text when they are written; orders made before
this release get it here, so a search for "allergy" finds them as well.

Revision ID: search_notes
Revises: event_log_epoch
Create Date: 2026-12-06
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "search_notes"
down_revision = "event_log_epoch"
branch_labels = None
depends_on = None

BATCH = 500

orders = sa.table(
    "orders",
    sa.column("id"),
    sa.column("customer_name"),
    sa.column("table_name"),
    sa.column("items"),
    sa.column("notes"),
    sa.column("search_text"),
)


def _words(row: sa.Row) -> str:
    """As kds_contract.search.search_words when this was written."""
    words = [row.customer_name or "", row.table_name or ""]
    for item in json.loads(row.items or "[]"):
        words.append(item.get("name") or "")
        words.extend(item.get("modifiers") or [])
        words.append(item.get("notes") or "")
    words.append(row.notes or "")
    return "\n".join(w.lower() for w in words if w)


def _rewrite(words) -> None:
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(
            sa.select(orders).where(orders.c.id > last).order_by(orders.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            conn.execute(
                sa.update(orders).where(orders.c.id == row.id).values(search_text=words(row))
            )
        last = rows[-1].id


def upgrade() -> None:
    _rewrite(_words)


def downgrade() -> None:
    def names_only(row: sa.Row) -> str:
        items = [item.get("name") or "" for item in json.loads(row.items or "[]")]
        words = [row.customer_name or "", row.table_name or "", *items]
        return "\n".join(w.lower() for w in words if w)

    _rewrite(names_only)
