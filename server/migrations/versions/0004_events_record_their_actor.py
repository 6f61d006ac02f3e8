"""Each event records who made the change: an API token (id, name, role) or the server.

A nullable JSON text column: events recorded before it have no actor.

Revision ID: events_actor
Revises: tracking_codes
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "events_actor"
down_revision = "tracking_codes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("events", sa.Column("actor", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("actor")
