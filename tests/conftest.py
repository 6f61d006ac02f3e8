"""Fixtures shared by every test: the real server, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.server import ServerProcess
from tests.support.services import postgres_database

pytest_plugins = ["tests.support.fixtures"]

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Make (and at the end stop) server processes: ``server_factory(db_url=..., ...)``."""
    made: list[ServerProcess] = []

    def make(**kwargs: object) -> ServerProcess:
        data_dir = kwargs.pop("data_dir", None) or tmp_path / f"server{len(made)}"
        proc = ServerProcess(Path(str(data_dir)), **kwargs)  # type: ignore[arg-type]
        made.append(proc)
        return proc.start()

    yield make
    for proc in made:
        proc.kill()


@pytest.fixture
def server(server_factory: Callable[..., ServerProcess]) -> ServerProcess:
    """A server on SQLite in a temp folder."""
    return server_factory()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server on SQLite for a module's tests that change nothing on it (requests it
    refuses, reads): a server start is most of such a test's time. A test that stores
    anything takes ``server`` instead."""
    proc = ServerProcess(tmp_path_factory.mktemp("shared-server")).start()
    yield proc
    proc.kill()


@pytest.fixture(params=BACKENDS)
def backend_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL: SQLite in a temp folder, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'kds.db'}"
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture
def any_server(server_factory: Callable[..., ServerProcess], backend_db: str) -> ServerProcess:
    """A server on each backend in turn (SQLite, PostgreSQL)."""
    return server_factory(db_url=backend_db)
