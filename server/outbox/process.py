"""The outbox process: the worker, in a child process of the server.

Everything a delivery costs after its change commits (turning the change's outbox row into
deliveries, the claims, building and sending emails, signing and POSTing webhooks, the
results) runs here, not in the server's process: orders keep the server's core and event
loop while deliveries are made (docs/PERFORMANCE.md). It runs at a lower priority
(``NICENESS``), so on a busy machine it gives way to the orders; what it has not sent yet is
in the database, never lost.

The server starts it when there is something to send (an SMTP server is set, an endpoint or
a delivery exists, or a change records one), tells it of each change that recorded
something (a line on its stdin), and hears the result of each attempt (a line on its
stdout, for the metrics). It ends when its stdin closes: when the server stops, or dies (a
kill -9 closes the pipe too), so it never outlives the server. If it dies, the server
starts another; deliveries it held are tried again when their holds lapse.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from server.config import Settings
from server.db.engine import Database
from server.outbox.sending import Attempts
from server.outbox.worker import Worker, WorkerSettings

log = logging.getLogger(__name__)

NICENESS = 10
"""The outbox process's priority below the server's: when both want a CPU, the server gets
about nine tenths of it (Linux's weights: 1024 against 110)."""
RESTART_AFTER_S = (1.0, 30.0)
"""A process that died is started again after the first delay, doubled for each further
death within a minute of its start, up to the second."""
STOP_WAIT_S = 20.0
COUNT_EVERY_S = 0.2
"""Attempts' results are told to the server (its metrics) at most this often."""
ROOT = str(Path(__file__).resolve().parents[2])
"""Where the ``server`` package is, for the child's ``python -m``."""


def settings_json(settings: Settings) -> str:
    return json.dumps(dataclasses.asdict(settings), default=str)


def settings_of(text: str) -> Settings:
    values: dict[str, Any] = json.loads(text)
    for f in dataclasses.fields(Settings):
        if isinstance(values.get(f.name), list):
            values[f.name] = tuple(values[f.name])
    values["data_dir"] = Path(values["data_dir"])
    return Settings(**values)


class OutboxProcess:
    """The server's side of the outbox process."""

    def __init__(
        self,
        settings: Settings,
        *,
        version: str,
        count: Callable[[str, str, int], None] = lambda kind, result, n: None,
    ) -> None:
        self.settings = settings
        self.version = version
        self.count = count
        self._proc: asyncio.subprocess.Process | None = None
        self._watch: asyncio.Task[None] | None = None
        self._stopping = False
        self._poked = False
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def poke(self) -> None:
        """Something was recorded (a change committed, an endpoint added, a replay): tell
        the process, starting it if it is not running. Pokes made in one turn of the
        event loop are one line."""
        if self._stopping:
            return
        if self._watch is None:
            self._watch = asyncio.create_task(self._run(), name="outbox-process")
        if not self._poked:
            self._poked = True
            asyncio.get_running_loop().call_soon(self._tell)

    def _tell(self) -> None:
        self._poked = False
        proc = self._proc
        if proc is None or proc.stdin is None or proc.returncode is not None:
            return
        if proc.stdin.transport.get_write_buffer_size():
            return  # a line it has not read yet says the same (a frozen process: no pile-up)
        with contextlib.suppress(ConnectionError, RuntimeError):
            proc.stdin.write(b"\n")

    async def _run(self) -> None:
        delay = RESTART_AFTER_S[0]
        while not self._stopping:
            started = time.monotonic()
            try:
                code = await self._once()
            except Exception:
                log.exception("outbox: could not run the outbox process")
                code = None
            if self._stopping:
                return
            if time.monotonic() - started > 60:
                delay = RESTART_AFTER_S[0]
            log.warning(
                "outbox: the outbox process stopped (exit code %s); starting another in %g s",
                code,
                delay,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, RESTART_AFTER_S[1])

    async def _once(self) -> int:
        path = os.environ.get("PYTHONPATH")
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "server.outbox_main",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, path]))},
        )
        assert proc.stdin is not None and proc.stdout is not None
        self._proc = proc
        self.starts += 1
        proc.stdin.write(json.dumps([self.version, settings_json(self.settings)]).encode())
        proc.stdin.write(b"\n\n")  # and look at once: there may be something from before
        try:
            while line := await proc.stdout.readline():
                kind, result, n = line.decode().split()
                self.count(kind, result, int(n))
        finally:
            code = await proc.wait()
        return code

    async def stop(self) -> None:
        """Close the process's stdin (it writes what finished and ends) and wait for it."""
        self._stopping = True
        proc, watch = self._proc, self._watch
        if proc is not None and proc.returncode is None:
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                async with asyncio.timeout(STOP_WAIT_S):
                    await proc.wait()
            except TimeoutError:
                log.warning("outbox: the outbox process did not stop; killing it")
                proc.kill()
                await proc.wait()
        if watch is not None:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch


def make_worker(
    settings: Settings, db: Database, version: str, count: Callable[[str, str], None]
) -> Worker:
    return Worker(
        db,
        WorkerSettings(
            email_retry=settings.email_retry_seconds,
            webhook_retry=settings.webhook_retry_seconds,
            retention=timedelta(days=settings.delivery_retention_days),
            count=count,
        ),
        Attempts(settings, version),
        emails=bool(settings.smtp_url and settings.mail_from),
    )
