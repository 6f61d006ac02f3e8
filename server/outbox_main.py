"""The outbox process's entry point: ``python -m server.outbox_main``, started by the server
(``server.outbox.process.OutboxProcess``), never by hand. It reads the server's settings from
its stdin, runs the outbox's worker, and ends when its stdin closes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections import Counter

from server import logs
from server.db.engine import Database
from server.outbox.process import COUNT_EVERY_S, NICENESS, make_worker, settings_of


async def _serve(stdin: asyncio.StreamReader, out: asyncio.WriteTransport) -> None:
    version, settings_text = json.loads(await stdin.readline())
    settings = settings_of(settings_text)
    logs.configure(settings.log_level, settings.log_format)

    counts: Counter[tuple[str, str]] = Counter()

    def flush() -> None:
        lines = "".join(f"{kind} {result} {n}\n" for (kind, result), n in counts.items())
        counts.clear()
        out.write(lines.encode())

    def count(kind: str, result: str) -> None:
        # Told in batches: a line per attempt cost the server's process more than the count.
        if not counts:
            asyncio.get_running_loop().call_later(COUNT_EVERY_S, flush)
        counts[(kind, result)] += 1

    db = Database(settings.database_url)
    worker = make_worker(settings, db, version, count)
    worker.start()
    try:
        while await stdin.readline():
            worker.recorded()
    finally:
        # The server stopped or died: write what finished, make what is under way due again.
        await worker.stop()
        await db.dispose()


async def _main() -> None:
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin.buffer)
    # The results go to the stdout we were given; anything else printed goes to stderr.
    results = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    transport, _ = await loop.connect_write_pipe(asyncio.Protocol, results)
    try:
        await _serve(stdin, transport)
    finally:
        transport.close()


def main() -> None:
    # Ctrl-C in the server's terminal reaches the whole process group; the server stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    asyncio.run(_main())


if __name__ == "__main__":
    main()
