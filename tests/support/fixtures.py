"""Fixtures that more than one module of tests uses (tests/conftest.py loads them): REST
clients with a role's token on the test's own server, a server shared by the tests of one
module that do not care what else is in it (a server start costs seconds), a migrated
database with no server, a fresh PostgreSQL database and a Redis server of the test's own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from kds_client import KdsRest
from server.db.engine import Database
from server.db.migrate import migrate
from tests.support.server import ServerProcess
from tests.support.services import RedisProcess, postgres_database


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for a whole module."""
    server = ServerProcess(tmp_path_factory.mktemp("shared-server")).start()
    yield server
    server.stop()


@pytest.fixture
async def admin(server: ServerProcess) -> AsyncIterator[KdsRest]:
    """A manager of the test's own server: edits, cancels, checks what the server holds."""
    async with KdsRest(server.url, server.tokens["admin"]) as rest:
        yield rest


@pytest.fixture
async def pos(server: ServerProcess) -> AsyncIterator[KdsRest]:
    """A till of the test's own server: makes orders."""
    async with KdsRest(server.url, server.tokens["pos"]) as rest:
        yield rest


@pytest.fixture
async def shared_admin(shared_server: ServerProcess) -> AsyncIterator[KdsRest]:
    """A manager of the module's shared server."""
    async with KdsRest(shared_server.url, shared_server.tokens["admin"]) as rest:
        yield rest


@pytest.fixture
async def db(backend_db: str) -> AsyncIterator[Database]:
    """A migrated database on each backend in turn (SQLite, PostgreSQL), no server."""
    database = Database(backend_db)
    await migrate(database)
    yield database
    await database.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database's URL (dropped after the test)."""
    with postgres_database() as url:
        yield url


@pytest.fixture
def redis() -> Iterator[RedisProcess]:
    """A Redis server of the test's own."""
    proc = RedisProcess().start()
    yield proc
    proc.stop()
