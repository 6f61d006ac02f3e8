"""Apply the Alembic migrations to the head revision (at start and by `kds-server migrate`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from server.config import redact_url
from server.db.engine import Database
from server.exits import CommandError, Exit

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
PG_MIGRATION_LOCK = 7_405_001


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def schema_head() -> str:
    """The newest schema revision this kds-server knows."""
    return str(ScriptDirectory.from_config(_config()).get_current_head())


def _upgrade(connection: Connection) -> None:
    config = _config(connection)
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    current = MigrationContext.configure(connection).get_current_heads()
    unknown = [revision for revision in current if revision not in known]
    if unknown:
        raise CommandError(
            f"this database is newer than this kds-server (schema {', '.join(unknown)}; this "
            f"kds-server knows up to {schema_head()}); upgrade kds-server to the version that "
            "wrote it",
            Exit.DATABASE_NEWER,
        )
    command.upgrade(config, "head")


async def migrate(db: Database) -> None:
    """Bring the schema to the newest revision; safe when several processes start at once.

    Raises CommandError when the database cannot be opened or is newer than this code.
    """
    try:
        async with db.writing() as conn:
            if not db.is_sqlite:
                # Several servers starting together: one migrates, the others wait for it.
                await conn.execute(text(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK})"))
            await conn.run_sync(_upgrade)
    except (OSError, SQLAlchemyError) as exc:
        raise database_error(exc, db.url) from exc


def database_error(exc: BaseException, url: str) -> CommandError:
    """The one line for a database that cannot be opened or reached."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return CommandError(
        f"cannot open the database {redact_url(url)}: {reason}; check --db (or KDS_DB), that "
        "the database server is running and that the database exists",
        Exit.DATABASE_UNREACHABLE,
    )
