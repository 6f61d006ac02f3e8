"""The operator's command line: one line and a documented exit code for every mistake, one
server per data folder, tokens that cannot be mixed up, files only the server's user reads."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from server import __version__
from server.db.migrate import schema_head
from server.exits import Exit
from tests.support.http import Api
from tests.support.server import REPO, ServerProcess, free_port
from tests.support.services import postgres_database


def kds_server(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command's message: exactly one line on stderr, no traceback."""
    lines = [line for line in result.stderr.splitlines() if " INFO " not in line]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("kds-server: "), lines
    return lines[0]


def test_mistakes_are_one_line_with_the_documented_exit_code(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    no_folder = kds_server(*data, "backup", "/nonexistent/dir/x.db")
    assert no_folder.returncode == Exit.NOT_FOUND, "nothing to back up yet"
    assert "no database at" in one_line(no_folder)

    assert kds_server(*data, "migrate").returncode == Exit.OK
    backup = kds_server(*data, "backup", "/nonexistent/dir/x.db")
    assert backup.returncode == Exit.FAILED
    assert "the folder /nonexistent/dir does not exist" in one_line(backup)

    level = kds_server(*data, "--log-level", "bogus", "migrate")
    assert level.returncode == Exit.USAGE
    assert "--log-level: 'bogus' is not one of DEBUG" in one_line(level)

    version = kds_server("--version")
    assert version.returncode == 0
    assert version.stdout == f"kds-server {__version__} (database schema {schema_head()})\n"


@pytest.mark.postgres
def test_a_missing_postgresql_database_is_one_line(tmp_path: Path) -> None:
    with postgres_database() as url:
        missing = url.rsplit("/", 1)[0] + "/kds_no_such_database"
    for args in (("migrate",), ("--port", "0")):
        result = kds_server("--data-dir", str(tmp_path), "--db", missing, *args)
        assert result.returncode == Exit.DATABASE_UNREACHABLE, result.stderr
        line = one_line(result)
        assert 'database "kds_no_such_database" does not exist' in line
        assert "check --db" in line


def test_a_database_newer_than_the_code_says_upgrade(tmp_path: Path) -> None:
    assert kds_server("--data-dir", str(tmp_path), "migrate").returncode == 0
    with closing(sqlite3.connect(tmp_path / "kds.db")) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999_from_the_future'")
        conn.commit()
    for args in (("migrate",), ("--port", "0"), ("token", "list")):
        result = kds_server("--data-dir", str(tmp_path), *args)
        assert result.returncode == Exit.DATABASE_NEWER, result.stderr
        line = one_line(result)
        assert "this database is newer than this kds-server" in line
        assert "0999_from_the_future" in line and "upgrade kds-server" in line


def test_options_before_the_command_are_kept(tmp_path: Path) -> None:
    """``kds-server --data-dir X token list`` uses X, as ``token list --data-dir X`` does."""
    before = kds_server("--data-dir", str(tmp_path), "token", "list")
    after = kds_server("token", "list", "--data-dir", str(tmp_path))
    for result in (before, after):
        assert result.returncode == Exit.NOT_FOUND
        assert f"no database at {tmp_path / 'kds.db'}" in one_line(result)


def test_token_commands_refuse_to_make_a_fresh_database(tmp_path: Path) -> None:
    created = kds_server("--data-dir", str(tmp_path), "token", "create", "--role", "pos")
    assert created.returncode == Exit.NOT_FOUND
    assert "start kds-server once" in one_line(created) and "--db" in created.stderr
    assert not (tmp_path / "kds.db").exists(), "no database that no server knows"


def test_a_second_server_on_one_data_folder_says_who_holds_it(server: ServerProcess) -> None:
    second = kds_server("--data-dir", str(server.data_dir), "--port", str(free_port()))
    assert second.returncode == Exit.IN_USE
    line = one_line(second)
    assert f"in use by kds-server pid {server.proc.pid}" in line  # type: ignore[union-attr]
    assert server.url in line
    local = json.loads((server.data_dir / "local-tokens.json").read_text())
    assert local["admin"] == server.tokens["admin"], "the running server's tokens are kept"


def test_two_servers_starting_together_leave_one_working_token_pair(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "server", "--data-dir", str(tmp_path), "--port", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={**os.environ, "KDS_LOG_LEVEL": "WARNING"},
        )
        for _ in range(2)
    ]
    try:
        # One of them is refused and exits; the other keeps serving.
        refused = _first_to_exit(procs)
        assert refused.returncode == Exit.IN_USE
        assert "is in use by kds-server pid" in (refused.stderr.read() if refused.stderr else "")
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(10)
    listing = kds_server("--data-dir", str(tmp_path), "token", "list").stdout
    assert listing.count("local-admin") == 1 and listing.count("local-kitchen") == 1


def _first_to_exit(procs: list[subprocess.Popen[str]]) -> subprocess.Popen[str]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                return proc
        time.sleep(0.05)
    raise AssertionError("neither server exited: both hold the data folder")


@pytest.mark.postgres
async def test_servers_on_postgresql_share_a_data_folder_and_one_token_pair(
    tmp_path: Path,
) -> None:
    with postgres_database() as url:
        servers = [ServerProcess(tmp_path, db_url=url) for _ in range(2)]
        try:
            for proc in servers:  # started together
                proc.spawn()
            for proc in servers:
                proc.wait_healthy()
            local = json.loads((tmp_path / "local-tokens.json").read_text())
            for proc in servers:
                async with Api(proc.url, local["admin"]) as api:
                    assert (await api.get("/api/orders")).status == 200
            listing = servers[0].cli("token", "list").stdout
        finally:
            for proc in servers:
                proc.kill()
    assert listing.count("local-admin") == 1, listing


def test_revoke_refuses_a_name_two_tokens_share(server: ServerProcess) -> None:
    kitchen = server.token("kitchen", name="tablet")
    admin = server.token("admin", name="tablet")
    ambiguous = server.cli("token", "revoke", "tablet")
    assert ambiguous.returncode == Exit.USAGE
    assert "'tablet' matches 2 active tokens; nothing was revoked" in ambiguous.stderr
    assert ambiguous.stderr.count("tablet") == 3, "both are listed, with their ids"
    listing = server.cli("token", "list").stdout
    ids = [line.split()[0] for line in listing.splitlines() if " tablet " in line]
    assert len(ids) == 2 and all(line.rstrip().endswith("-") for line in listing.splitlines()[1:])

    revoked = server.cli("token", "revoke", ids[0], check=True)
    assert f"revoked kitchen token {ids[0]} (tablet)" in revoked.stdout

    async def statuses() -> tuple[int, int]:
        async with Api(server.url, kitchen) as api:
            gone = (await api.get("/api/orders")).status
        async with Api(server.url, admin) as api:
            kept = (await api.get("/api/orders")).status
        return gone, kept

    assert asyncio.run(statuses()) == (401, 200)
    # Only one active token is named so now: the name is enough.
    assert server.cli("token", "revoke", "tablet").returncode == Exit.OK


def test_a_token_name_with_a_control_character_is_refused(server: ServerProcess) -> None:
    result = server.cli("token", "create", "--role", "pos", "--name", "till\x1b]0;pwned\x07")
    assert result.returncode == Exit.USAGE
    assert "--name: control character U+001B at position 4" in result.stderr
    assert "pwned" not in server.cli("token", "list").stdout


def test_database_backups_and_token_file_are_private(server: ServerProcess, tmp_path: Path) -> None:
    def mode(path: Path) -> int:
        return stat.S_IMODE(os.stat(path).st_mode)

    target = tmp_path / "copy.db"
    server.cli("backup", str(target), check=True)
    assert mode(server.data_dir / "kds.db") == 0o600
    assert mode(server.data_dir / "kds.db-wal") == 0o600
    assert mode(server.data_dir / "local-tokens.json") == 0o600
    assert mode(target) == 0o600
    leftovers = [p.name for p in server.data_dir.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
