"""The operator's commands of ``kds-server``: migrate, token, backup, restore.

Each returns an exit code or raises CommandError with the one line to print.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from kds_contract import Role
from server.config import Settings, redact_url
from server.datadir import DataFolderLock, make_private
from server.db import repo
from server.db.engine import Database
from server.db.migrate import migrate
from server.exits import CommandError, Exit
from server.tokens import create_token

T = TypeVar("T")


def sqlite_path(settings: Settings) -> Path:
    """The SQLite database file of these settings."""
    return Path(settings.database_url.split(":///", 1)[1])


def create_private_file(path: Path) -> None:
    """Make ``path`` as an empty file only this user may read, if there is none: SQLite then
    opens it (an empty file is an empty database) and gives its journal files the same mode."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
    make_private(path)


async def with_db(
    settings: Settings, action: Callable[[Database], Awaitable[T]], *, create: bool = False
) -> T:
    """Run ``action`` on the migrated database. Without ``create``, a SQLite file that does
    not exist is refused: a token made in a fresh file would be known to no server."""
    if settings.is_sqlite:
        path = sqlite_path(settings)
        if not path.exists() and not create:
            raise CommandError(
                f"no database at {path}: start kds-server once with this --data-dir (it makes "
                "it), or give the --db (KDS_DB) the servers use",
                Exit.NOT_FOUND,
            )
        create_private_file(path)
    db = Database(settings.database_url)
    try:
        await migrate(db)
        return await action(db)
    finally:
        await db.dispose()


async def migrate_command(settings: Settings) -> int:
    async def nothing(_db: Database) -> None:
        return None

    await with_db(settings, nothing, create=True)
    print(f"schema is up to date: {redact_url(settings.database_url)}")
    return Exit.OK


async def token_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.token_command == "create":
        return await _create(args, settings)
    if args.token_command == "list":
        return await _list(settings)
    return await _revoke(args.ident, settings)


async def _create(args: argparse.Namespace, settings: Settings) -> int:
    role = Role(args.role)

    async def make(db: Database) -> str:
        token, token_id = await create_token(db, role, args.name, args.user_id)
        print(f"created {role} token {token_id}; it is shown only now:", file=sys.stderr)
        return token

    if role is Role.CUSTOMER and not args.user_id:
        raise ValueError("a customer token needs --user-id (the customer account it belongs to)")
    print(await with_db(settings, make))
    return Exit.OK


async def _list(settings: Settings) -> int:
    async def rows(db: Database) -> list[Any]:
        async with db.reading() as conn:
            return await repo.list_tokens(conn)

    found = await with_db(settings, rows)
    print(f"{'id':>4}  {'role':<8}  {'name':<24}  {'prefix':<12}  {'created':<20}  revoked")
    for row in found:
        print(_token_line(row))
    return Exit.OK


def _token_line(row: Any) -> str:
    revoked = row.revoked_at.strftime("%Y-%m-%d %H:%M") if row.revoked_at else "-"
    return (
        f"{row.id:>4}  {row.role:<8}  {row.name[:24]:<24}  {row.prefix:<12}  "
        f"{row.created_at:%Y-%m-%d %H:%M:%S}  {revoked}"
    )


async def _revoke(ident: str, settings: Settings) -> int:
    async def revoke(db: Database) -> list[Any]:
        async with db.writing() as conn:
            matches = await repo.active_tokens_matching(conn, ident)
            if len(matches) == 1:
                await repo.revoke_token(conn, matches[0].id, datetime.now(UTC))
            return matches

    matches = await with_db(settings, revoke)
    if not matches:
        raise CommandError(
            f"no active token matches '{ident}'; see `kds-server token list`", Exit.NOT_FOUND
        )
    if len(matches) > 1:
        listing = "\n".join(_token_line(row) for row in matches)
        raise CommandError(
            f"'{ident}' matches {len(matches)} active tokens; nothing was revoked. Revoke one "
            f"by its id:\n{listing}",
            Exit.USAGE,
        )
    row = matches[0]
    print(
        f"revoked {row.role} token {row.id} ({row.name}); its connections are dropped within "
        "seconds"
    )
    return Exit.OK


async def restore_command(settings: Settings, backup: Path | None) -> int:
    """Put a backup in place of the database (SQLite), or only renew the event log's epoch
    (PostgreSQL, after pg_restore), so that clients reload instead of trusting seqs that
    now name other changes."""
    if settings.is_sqlite:
        if backup is None:
            raise CommandError(
                "give the backup file to restore (one `kds-server backup` made)", Exit.USAGE
            )
        lock = DataFolderLock(settings.data_dir)
        with lock.held("restoring a backup"):
            _replace_sqlite(backup, sqlite_path(settings))
            seq, epoch = await with_db(settings, _renew_epoch)
        print(
            f"restored {backup} into {sqlite_path(settings)}: the event log is at seq {seq} "
            f"with a new epoch {epoch}; clients reload when they reconnect"
        )
        return Exit.OK
    if backup is not None:
        raise CommandError(
            "restore PostgreSQL with pg_restore (docs/DEPLOY.md), then run `kds-server "
            "restore` with the same --db and no file: it renews the event log's epoch",
            Exit.USAGE,
        )
    seq, epoch = await with_db(settings, _renew_epoch)
    print(
        f"{redact_url(settings.database_url)}: the event log is at seq {seq} with a new epoch "
        f"{epoch}; clients reload when they reconnect"
    )
    return Exit.OK


async def _renew_epoch(db: Database) -> tuple[int, str]:
    epoch = secrets.token_hex(8)
    async with db.writing() as conn:
        await repo.renew_epoch(conn, epoch)
        seq, _ = await repo.log_position(conn)
    return seq, epoch


def _replace_sqlite(backup: Path, target: Path) -> None:
    """Copy ``backup`` (checked first) over the database file, whole or not at all."""
    if not backup.is_file():
        raise CommandError(f"no backup file at {backup}", Exit.NOT_FOUND)
    staged = target.with_name(target.name + ".restoring")
    staged.unlink(missing_ok=True)
    try:
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.touch(mode=0o600)
        with closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as src:
            if src.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise CommandError(f"{backup} is damaged (PRAGMA quick_check)", Exit.FAILED)
            with closing(sqlite3.connect(staged)) as dst:
                src.backup(dst)
    except sqlite3.DatabaseError as exc:
        staged.unlink(missing_ok=True)
        raise CommandError(f"cannot restore {backup}: {exc}", Exit.FAILED) from exc
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    for journal in ("-wal", "-shm"):
        target.with_name(target.name + journal).unlink(missing_ok=True)
    os.replace(staged, target)


def backup_sqlite(settings: Settings, target: Path) -> int:
    """SQLite's online backup: a consistent copy, taken while the server keeps writing."""
    if not settings.is_sqlite:
        raise CommandError(
            "backup copies the SQLite database; for PostgreSQL use pg_dump (see docs/DEPLOY.md)",
            Exit.USAGE,
        )
    source = sqlite_path(settings)
    if not source.exists():
        raise CommandError(f"no database at {source}", Exit.NOT_FOUND)
    if target.exists():
        raise CommandError(f"{target} exists; choose a new file name", Exit.USAGE)
    if not target.parent.is_dir():
        raise CommandError(
            f"cannot write {target}: the folder {target.parent} does not exist", Exit.FAILED
        )
    try:
        target.touch(mode=0o600, exist_ok=False)  # the copy holds customers' data too
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
    except (OSError, sqlite3.Error) as exc:
        target.unlink(missing_ok=True)
        raise CommandError(f"cannot write {target}: {exc}", Exit.FAILED) from exc
    print(f"backed up {source} to {target}")
    return Exit.OK
