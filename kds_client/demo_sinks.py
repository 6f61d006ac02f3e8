"""A local mail sink and webhook receiver for ``kds-demo --outbox``: see what the server
sends without a real mail server or a real integration.

Every email is saved as ``mail/NNNN.eml``; every webhook call is one JSON line in
``webhooks.jsonl`` with whether its Standard Webhooks signature verified (the secret is
read from ``webhook-secret`` in the same folder, written by the demo when it adds the
endpoint). Runs until SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import time
from pathlib import Path
from typing import Any

HOOK_PATH = "/demo-hook"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m kds_client.demo_sinks")
    p.add_argument("--folder", type=Path, required=True, help="where mail and calls are kept")
    p.add_argument("--smtp-port", type=int, required=True)
    p.add_argument("--hook-port", type=int, required=True)
    return p


class _MailHandler:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = len(list(folder.glob("*.eml")))

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        raw = envelope.original_content or envelope.content
        (self.folder / f"{self.count:04d}.eml").write_bytes(
            raw if isinstance(raw, bytes) else str(raw).encode()
        )
        return "250 Message accepted"


async def _run(args: argparse.Namespace) -> None:
    from aiohttp import web
    from aiosmtpd.controller import Controller
    from standardwebhooks import Webhook

    mail = args.folder / "mail"
    mail.mkdir(parents=True, exist_ok=True)
    calls = args.folder / "webhooks.jsonl"
    secret_file = args.folder / "webhook-secret"
    smtp = Controller(_MailHandler(mail), hostname="127.0.0.1", port=args.smtp_port)
    smtp.start()

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        verified: bool | str = False
        try:
            Webhook(secret_file.read_text().strip()).verify(body, dict(request.headers))
            verified = True
        except Exception as exc:  # any refusal is what the line records
            verified = f"not verified: {exc}"
        line = {
            "received": time.strftime("%H:%M:%S"),
            "webhook-id": request.headers.get("webhook-id"),
            "signature": verified,
            "body": json.loads(body or b"null"),
        }
        with calls.open("a") as out:
            out.write(json.dumps(line) + "\n")
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post(HOOK_PATH, hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.hook_port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        smtp.stop()


def main() -> int:
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        print("demo sinks: aiosmtpd is not installed (./dev setup installs it)")
        return 2
    asyncio.run(_run(_parser().parse_args()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
