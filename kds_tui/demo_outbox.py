"""``kds-demo --outbox``: a local mail sink and webhook receiver the demo server sends to."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kds_client import KdsRest

MAIL_FROM = "kitchen@example.com"
HOOK_PATH = "/demo-hook"  # kds_client.demo_sinks answers there


@dataclass
class Sinks:
    folder: Path
    smtp_port: int
    hook_port: int

    @property
    def hook_url(self) -> str:
        return f"http://127.0.0.1:{self.hook_port}{HOOK_PATH}"

    @property
    def server_args(self) -> list[str]:
        return ["--smtp", f"smtp://127.0.0.1:{self.smtp_port}", "--mail-from", MAIL_FROM]

    async def register(self, url: str, admin_token: str) -> None:
        """Add the receiver as a webhook endpoint (replacing the last demo's) and keep its
        secret where the receiver reads it."""
        async with KdsRest(url, admin_token) as rest:
            for old in await rest.webhooks():
                if old.description == "kds-demo receiver":
                    await rest.remove_webhook(old.id)
            _webhook, secret = await rest.add_webhook(
                self.hook_url, description="kds-demo receiver"
            )
        (self.folder / "webhook-secret").write_text(secret + "\n")

    def where_to_look(self) -> str:
        return (
            f"kds-demo: emails to customers go to a local mail sink "
            f"(smtp://127.0.0.1:{self.smtp_port}); each one is saved in {self.folder / 'mail'}\n"
            f"kds-demo: webhooks go to {self.hook_url}; each call, with whether its signature "
            f"verified, is a line of {self.folder / 'webhooks.jsonl'} "
            f"(tail -f it; kds-order deliveries lists them all)"
        )


def start_sinks(
    data_dir: Path,
    log: Path,
    env: dict[str, str],
    keep: Callable[[Any], None],
    child: Callable[..., Any],
    free_port: Callable[[], int],
) -> Sinks:
    sinks = Sinks(data_dir / "outbox-demo", free_port(), free_port())
    sinks.folder.mkdir(parents=True, exist_ok=True)
    keep(
        child(
            "sinks",
            [
                sys.executable,
                "-m",
                "kds_client.demo_sinks",
                "--folder",
                str(sinks.folder),
                "--smtp-port",
                str(sinks.smtp_port),
                "--hook-port",
                str(sinks.hook_port),
            ],
            log,
            env,
        )
    )
    return sinks
