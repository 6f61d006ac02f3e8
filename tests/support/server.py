"""Run the real server as a child process on a free port, for tests.

Every test talks to ``python -m server`` over real sockets, with a real database: SQLite
in a temp folder or a PostgreSQL database made for the test.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(
    url: str,
    proc: subprocess.Popen[bytes] | None,
    log_tail: Callable[[], str],
    timeout: float = 30.0,
) -> None:
    """Wait until the server at ``url`` answers its health check; fail at once, with the end
    of its log, if its process ends first (the tests' servers and bench's)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} ({url}):\n{log_tail()}")
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=1) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} not healthy after {timeout}s:\n{log_tail()}")


class ServerProcess:
    """One ``kds-server`` process. ``tokens`` holds an admin, a kitchen and a pos token."""

    def __init__(
        self,
        data_dir: Path,
        *,
        db_url: str | None = None,
        port: int | None = None,
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.db_url = db_url or f"sqlite+aiosqlite:///{self.data_dir / 'kds.db'}"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_args = extra_args
        # Webhooks from test servers go to this machine only, whatever a test (or a fuzzer)
        # registers.
        self.env = {
            **os.environ,
            "KDS_RATE_LIMIT": "0",
            "KDS_WEBHOOK_HOSTS": "127.0.0.1,localhost",
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.tokens: dict[str, str] = {}

    @property
    def log_path(self) -> Path:
        return self.data_dir / f"server-{self.port}.log"

    def _args(self) -> list[str]:
        return ["--data-dir", str(self.data_dir), "--db", self.db_url]

    def start(self, timeout: float = 30.0) -> ServerProcess:
        # free_port() can race with another test process taking the same port between our
        # check and the server's bind: then try another port.
        for _attempt in range(3):
            try:
                return self._start(timeout)
            except RuntimeError:
                if "address already in use" not in self.log_tail(5).lower():
                    raise
                self.port = free_port()
                self.url = f"http://127.0.0.1:{self.port}"
        return self._start(timeout)

    def _start(self, timeout: float) -> ServerProcess:
        self.spawn()
        return self.ready(timeout)

    def spawn(self) -> None:
        """Start the process and return at once (``ready`` waits for it)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server",
                *self._args(),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                *self.extra_args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
            cwd=REPO,
        )
        log.close()

    def ready(self, timeout: float = 30.0) -> ServerProcess:
        """Wait until the spawned server answers, then read its tokens."""
        self.wait_healthy(timeout)
        if not self.tokens:
            local = json.loads((self.data_dir / "local-tokens.json").read_text())
            self.tokens = {"admin": local["admin"], "kitchen": local["kitchen"]}
            self.tokens["pos"] = self.token("pos", name="test-pos")
        return self

    def wait_healthy(self, timeout: float = 30.0) -> None:
        wait_healthy(self.url, self.proc, self.log_tail, timeout)

    def token(self, role: str, name: str | None = None, user_id: str | None = None) -> str:
        """Make a token: through ``POST /api/tokens`` while the server runs (a request, not
        a second Python process), else with the server's own command line."""
        over_api = self.env.get("KDS_RATE_LIMIT") == "0"  # a rate-limited server may say 429
        if (
            over_api
            and "admin" in self.tokens
            and self.proc is not None
            and self.proc.poll() is None
        ):
            body = {"role": role}
            if name:
                body["name"] = name
            if user_id:
                body["user_id"] = user_id
            request = urllib.request.Request(
                f"{self.url}/api/tokens",
                data=json.dumps(body).encode(),
                headers={
                    "Authorization": f"Bearer {self.tokens['admin']}",
                    "Content-Type": "application/json",
                },
            )
            with urllib.request.urlopen(request, timeout=30) as answer:
                return str(json.loads(answer.read())["secret"])
        args = [sys.executable, "-m", "server", "token", "create", *self._args(), "--role", role]
        if name:
            args += ["--name", name]
        if user_id:
            args += ["--user-id", user_id]
        out = subprocess.run(
            args, capture_output=True, text=True, env=self.env, cwd=REPO, check=True, timeout=60
        )
        return out.stdout.strip().splitlines()[-1]

    def cli(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        """Run ``kds-server`` with this server's data folder and database."""
        cmd = [sys.executable, "-m", "server", *args[:2], *self._args(), *args[2:]]
        return subprocess.run(
            cmd, capture_output=True, text=True, env=self.env, cwd=REPO, check=check, timeout=60
        )

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, and wait for a clean exit."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(5)

    def kill(self) -> None:
        """SIGKILL: no chance to clean up."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self) -> ServerProcess:
        self.stop()
        return self.start()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
