"""Apply the Alembic migrations to the head revision (at start and by `kds-server migrate`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from server.db.engine import Database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
PG_MIGRATION_LOCK = 7_405_001


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def migrate(db: Database) -> None:
    """Bring the schema to the newest revision; safe when several processes start at once."""
    async with db.writing() as conn:
        if not db.is_sqlite:
            # Several servers starting together: one migrates, the others wait for it.
            await conn.execute(text(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK})"))
        await conn.run_sync(_upgrade)
