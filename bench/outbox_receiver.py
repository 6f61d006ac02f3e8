"""The receivers of ``bench outbox``: a webhook receiver (any path under /hook/) and an SMTP
sink in one process, answering at once and keeping, per webhook call, the delay from the
change's commit (the body's timestamp) to its arrival.

    python -m bench.outbox_receiver HOOK_PORT SMTP_PORT OUT   (writes OUT on SIGTERM)
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any


async def main(hook_port: int, smtp_port: int, out: str) -> None:
    from aiohttp import web
    from aiosmtpd.controller import Controller

    delays: list[float] = []
    counts = {"webhooks": 0, "emails": 0}

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        arrived = time.time()
        at = json.loads(body)["timestamp"]
        delays.append(arrived - datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp())
        counts["webhooks"] += 1
        return web.Response(text="ok")

    class Sink:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            counts["emails"] += 1
            return "250 OK"

    smtp = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()

    async def status(_request: web.Request) -> web.Response:
        return web.json_response(counts)

    app = web.Application()
    app.router.add_post("/hook/{n}", hook)
    app.router.add_get("/counts", status)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", hook_port).start()

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    Path(out).write_text(json.dumps({"delays": delays, **counts}))  # noqa: ASYNC240 - at exit
    await runner.cleanup()
    smtp.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]))
