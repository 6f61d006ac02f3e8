"""Alembic environment: run with the connection that server.db.migrate hands over."""

from __future__ import annotations

from alembic import context

from server.db.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `kds-server migrate` (server.db.migrate)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
