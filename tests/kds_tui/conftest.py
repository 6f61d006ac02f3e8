"""Fixtures for the kitchen display's tests: a till and a manager on the test's server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from kds_client import KdsRest
from tests.support.server import ServerProcess


@pytest.fixture
async def pos(server: ServerProcess) -> AsyncIterator[KdsRest]:
    """A till: makes orders."""
    async with KdsRest(server.url, server.tokens["pos"]) as rest:
        yield rest


@pytest.fixture
async def admin(server: ServerProcess) -> AsyncIterator[KdsRest]:
    """A manager: edits, cancels and checks what the server holds."""
    async with KdsRest(server.url, server.tokens["admin"]) as rest:
        yield rest
