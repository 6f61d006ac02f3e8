"""Builds the outbox from the settings: the recorder the write path calls, the outbox
process (the worker), the admin side. Called once, by the composition root."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from server.config import Settings
from server.db import outbox_repo
from server.db.engine import Database
from server.outbox.admin import WebhookAdmin
from server.outbox.email import ConfigError
from server.outbox.process import OutboxProcess
from server.outbox.record import Recorder
from server.outbox.sending import make_mailer
from server.service import Recorded

log = logging.getLogger("server.outbox")


@dataclass
class Outbox:
    recorder: Recorder
    process: OutboxProcess
    admin: WebhookAdmin
    describe: str
    emails: bool
    _recorded: bool = False

    async def start(self, db: Database) -> None:
        """Start the outbox process now if there is anything it may have to do; otherwise
        the first change that records a delivery (or a new endpoint) starts it."""
        if self.emails:
            self.process.poke()
            return
        async with db.reading() as conn:
            if await outbox_repo.anything_stored(conn):
                self.process.poke()

    async def stop(self) -> None:
        await self.process.stop()

    def recorded(self) -> None:
        self._recorded = True

    async def in_transaction(self, conn: AsyncConnection, change: Recorded) -> None:
        """The write path's listener in each change's transaction: record its deliveries."""
        await self.recorder.record(
            conn,
            seq=change.seq,
            event_type=change.event.type,
            order_id=change.event.order_id,
            order=change.payload.get("order"),
            now=change.event.at,
        )

    async def after_commit(self, _change: Recorded) -> None:
        """The write path's listener after each commit: have what it recorded sent."""
        if self._recorded:
            self._recorded = False
            self.process.poke()


def build_outbox(
    settings: Settings,
    db: Database,
    *,
    version: str,
    count: Callable[[str, str, int], None] = lambda kind, result, n: None,
) -> Outbox:
    """Raises ConfigError (a ValueError) for a bad template, naming its file and line."""
    # Made here to refuse a bad template at start; the emails are made by the outbox process.
    mailer, templates = make_mailer(settings)
    if mailer is not None and templates is not None:
        custom = templates.overridden()
        email = f"emails through {mailer.smtp.describe()} from {settings.mail_from}"
        if custom:
            email += f" (templates from {templates.override_dir}: {', '.join(custom)})"
    else:
        email = "no customer emails (no --smtp)"
    process = OutboxProcess(settings, version=version, count=count)
    outbox = Outbox(
        Recorder(settings.mail_from if mailer else None),
        process,
        WebhookAdmin(db, hosts=settings.webhook_hosts, queued=process.poke),
        email,
        emails=mailer is not None,
    )
    outbox.recorder.recorded = outbox.recorded
    return outbox


__all__ = ["ConfigError", "Outbox", "build_outbox"]
