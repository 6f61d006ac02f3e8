"""Start, stop, crash and the command line: what an operator does with the server."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys

from tests.support.http import Api
from tests.support.server import REPO, ServerProcess


async def test_acknowledged_orders_survive_kill_9(any_server: ServerProcess) -> None:
    async with Api(any_server.url, any_server.tokens["pos"]) as api:
        acked = await asyncio.gather(*(api.create(table=str(n)) for n in range(20)))
    any_server.kill()
    any_server.start()
    async with Api(any_server.url, any_server.tokens["admin"]) as api:
        listing = await api.get("/api/orders", params={"per_page": 200})
        events = await api.get("/api/events")
    assert sorted(o["id"] for o in listing.body["orders"]) == sorted(o["id"] for o in acked)
    assert [e["seq"] for e in events.body["events"]] == list(range(1, 21))


async def test_sigterm_stops_cleanly(server: ServerProcess) -> None:
    assert server.stop() == 0
    log = server.log_text()
    assert "stopped" in log and "Traceback" not in log
    assert "listening on http://127.0.0.1" in log and "database: sqlite" in log
    assert "local-tokens.json" in log


def test_local_token_file_is_private(server: ServerProcess) -> None:
    mode = stat.S_IMODE(os.stat(server.data_dir / "local-tokens.json").st_mode)
    assert mode == 0o600


def test_token_and_migrate_commands(server: ServerProcess) -> None:
    created = server.cli("token", "create", "--role", "pos", "--name", "till-1", check=True)
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("kds_") and len(token) > 40
    assert "shown only now" in created.stderr
    assert "alembic" not in created.stderr, "only the answer, no schema-check chatter"
    customer = server.cli("token", "create", "--role", "customer")
    assert customer.returncode == 2 and "--user-id" in customer.stderr
    listing = server.cli("token", "list", check=True).stdout
    assert "till-1" in listing and token not in listing
    migrated = server.cli("migrate", check=True)
    assert "up to date" in migrated.stdout


def test_help_and_settings_from_environment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = subprocess.run(
        [sys.executable, "-m", "server", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    for flag in ("--host", "--port", "--data-dir", "--db", "--redis", "--cors-origin"):
        assert flag in out.stdout
    proc = ServerProcess(tmp_path, env={"KDS_LOG_LEVEL": "WARNING"})
    proc.start()
    try:
        assert "listening on" not in proc.log_text(), "KDS_LOG_LEVEL=WARNING was honoured"
    finally:
        proc.stop()


async def test_online_backup_of_sqlite(server: ServerProcess, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with Api(server.url, server.tokens["pos"]) as api:
        order = await api.create(table="9")
    target = tmp_path / "copy.db"
    out = server.cli("backup", str(target), check=True)
    assert "backed up" in out.stdout
    assert server.cli("backup", str(target)).returncode == 2, "never overwrites"
    restored = ServerProcess(tmp_path / "restored", db_url=f"sqlite+aiosqlite:///{target}")
    restored.start()
    try:
        async with Api(restored.url, restored.tokens["admin"]) as api:
            copy = (await api.get(f"/api/orders/{order['id']}")).body["order"]
    finally:
        restored.stop()
    assert copy == order


def test_start_up_mistakes_get_a_clear_message(server: ServerProcess, tmp_path) -> None:  # type: ignore[no-untyped-def]
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "server", "--data-dir", str(tmp_path), *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
        )

    taken = run("--port", str(server.port))
    assert taken.returncode == 6 and "another kds-server" in taken.stderr
    no_db = run("--db", "postgresql://nobody@127.0.0.1:1/x", "--port", "0")
    assert no_db.returncode == 4
    assert "cannot open the database postgresql+asyncpg://nobody@127.0.0.1:1/x" in no_db.stderr
    assert "Traceback" not in no_db.stderr
    bad_url = run("--db", "mysql://root@localhost/kds")
    assert bad_url.returncode == 2 and "--db: cannot use" in bad_url.stderr
