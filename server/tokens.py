"""API tokens: long random strings, shown once, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from kds_contract import Role
from kds_contract.local import local_tokens_path
from kds_contract.models import MAX_NAME
from kds_contract.text import CONTROL_CHARACTER
from server.datadir import write_private_json
from server.db import repo
from server.db.engine import Database
from server.domain import Actor

TOKEN_PREFIX = "kds_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's id, name, role and (for a customer) user id."""

    token_id: int
    name: str
    role: Role
    user_id: str | None = None

    @property
    def actor(self) -> Actor:
        """The principal as the event log records who made a change."""
        return Actor.token(self.token_id, self.name, str(self.role))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


async def create_token(
    db: Database, role: Role, name: str | None = None, user_id: str | None = None
) -> tuple[str, int]:
    """Make a token; returns (the token, shown only now, and its id)."""
    if role is Role.CUSTOMER and not user_id:
        raise ValueError("a customer token needs --user-id (the customer account it belongs to)")
    for flag, value in (("--name", name), ("--user-id", user_id)):
        if value is not None:
            _check_text(flag, value)
    token = new_token()
    async with db.writing() as conn:
        token_id = await repo.insert_token(
            conn,
            name=name or f"{role}-{secrets.token_hex(3)}",
            role=str(role),
            user_id=user_id,
            token_hash=hash_token(token),
            prefix=token[: len(TOKEN_PREFIX) + 6],
            created_at=datetime.now(UTC),
        )
    return token, token_id


async def token_rows(db: Database) -> list[Any]:
    """Every token (revoked ones too), oldest first."""
    async with db.reading() as conn:
        return await repo.list_tokens(conn)


async def token_row(db: Database, token_id: int) -> Any:
    """One token's row, or None."""
    async with db.reading() as conn:
        return await repo.get_token(conn, token_id)


async def revoke(db: Database, token_id: int) -> Any:
    """Revoke a token (a revoked one stays as it was); its row after, or None if unknown."""
    async with db.writing() as conn:
        row = await repo.get_token(conn, token_id)
        if row is not None and row.revoked_at is None:
            await repo.revoke_token(conn, token_id, datetime.now(UTC))
            row = await repo.get_token(conn, token_id)
    return row


class TokenCache:
    """The valid tokens a server on SQLite has looked up, by hash, kept for as long as
    nothing may have changed the tokens table.

    A token was read from the database on every request (~0.1-0.3 ms of an order's way to
    the kitchen, docs/PERFORMANCE.md). A revocation takes effect at once all the same:
    every use of the cache first reads ``Database.tokens_version``, which changes with
    every commit of another connection to the file (``kds-server token revoke``, SQL on
    the file) and every write of this process to the tokens table, and the cache is
    emptied when it has. While that cannot be read at once (a commit in a thread, a write
    transaction open), the token is looked up as before and not kept. Tokens found unknown
    or revoked are never kept: a new token works at once too.
    """

    MAX = 1024

    def __init__(self) -> None:
        self.version: tuple[int, int] | None = None
        self.known: dict[str, Principal] = {}

    def usable(self, db: Database) -> bool:
        """Whether the cache may be used now (emptied first if the tokens may have changed
        since it was filled)."""
        version = db.tokens_version()
        if version is None:
            return False
        if version != self.version:
            self.known.clear()
            self.version = version
        return True

    def keep(self, digest: str, principal: Principal) -> None:
        if len(self.known) >= self.MAX:
            self.known.clear()
        self.known[digest] = principal


_CACHES: WeakKeyDictionary[Database, TokenCache] = WeakKeyDictionary()


async def authenticate(db: Database, token: str | None) -> Principal | None:
    """The principal of a valid, unrevoked token, or None."""
    if not token or len(token) > 512:
        return None
    digest = hash_token(token)
    cache = _CACHES.get(db)
    if cache is None:
        cache = _CACHES[db] = TokenCache()
    # Read before the lookup: a change committed after it changes the version the next
    # request reads, so what this lookup finds is kept only until then.
    usable = cache.usable(db)
    if usable:
        known = cache.known.get(digest)
        if known is not None:
            return known
    async with db.looking_up() as conn:
        row = await repo.find_token(conn, digest)
    # The lookup is by hash; comparing again in constant time costs nothing and keeps
    # the check timing-safe even if the index lookup is not.
    if row is None or not hmac.compare_digest(row.token_hash, digest) or row.revoked_at:
        return None
    principal = Principal(row.id, row.name, Role(row.role), row.user_id)
    if usable:
        cache.keep(digest, principal)
    return principal


async def ensure_local_tokens(db: Database, data_dir: Path, url: str) -> Path:
    """On first start, write an admin and a kitchen token to a file only this user can read."""
    path = local_tokens_path(data_dir)
    if path.exists():
        try:
            existing = json.loads(path.read_text())
        except (OSError, ValueError):
            existing = {}
        valid = [
            isinstance(existing.get(role), str)
            and await authenticate(db, existing[role]) is not None
            for role in ("admin", "kitchen")
        ]
        if all(valid):
            if existing.get("url") != url:
                existing["url"] = url
                write_private_json(path, existing)
            return path
    admin, _ = await create_token(db, Role.ADMIN, "local-admin")
    kitchen, _ = await create_token(db, Role.KITCHEN, "local-kitchen")
    write_private_json(path, {"admin": admin, "kitchen": kitchen, "url": url})
    return path


def _check_text(flag: str, value: str) -> None:
    # A name is printed by `token list` and in logs: a control character would be a command
    # to the operator's terminal.
    if not value.strip() or len(value) > MAX_NAME:
        raise ValueError(f"{flag}: give 1 to {MAX_NAME} characters")
    found = CONTROL_CHARACTER.search(value)
    if found is not None:
        raise ValueError(
            f"{flag}: control character U+{ord(found.group()):04X} at position {found.start()} "
            "is not allowed; use plain text"
        )
