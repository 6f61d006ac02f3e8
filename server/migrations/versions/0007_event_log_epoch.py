"""The event log's epoch: an identity that changes whenever its history may have diverged.

A random value made here (so at a database's creation) and renewed by `kds-server restore`.
Every seq is sent with it; a client that sees another epoch reloads a snapshot instead of
trusting seqs from another history.

Revision ID: event_log_epoch
Revises: outbox
Create Date: 2026-12-06
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "event_log_epoch"
down_revision = "outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("seq_counter") as batch:
        batch.add_column(sa.Column("epoch", sa.String(32)))
    op.execute(
        sa.text("UPDATE seq_counter SET epoch = :epoch").bindparams(epoch=secrets.token_hex(8))
    )


def downgrade() -> None:
    with op.batch_alter_table("seq_counter") as batch:
        batch.drop_column("epoch")
