"""Client test fixtures: REST clients with the admin token, and a server shared by the
tests of one module that do not care what else is in it (a server start costs seconds)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from kds_client import KdsRest
from tests.support.server import ServerProcess


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for a whole module."""
    server = ServerProcess(tmp_path_factory.mktemp("shared-server")).start()
    yield server
    server.stop()


@pytest.fixture
async def admin(server: ServerProcess) -> AsyncIterator[KdsRest]:
    """An admin client of the test's own server."""
    async with KdsRest(server.url, server.tokens["admin"]) as rest:
        yield rest


@pytest.fixture
async def shared_admin(shared_server: ServerProcess) -> AsyncIterator[KdsRest]:
    """An admin client of the module's shared server."""
    async with KdsRest(shared_server.url, shared_server.tokens["admin"]) as rest:
        yield rest
