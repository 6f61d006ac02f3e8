"""Builds the outbox from the settings: the recorder the write path calls, the worker, the
admin side, and the routes. Called once, by the composition root."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from server.config import Settings
from server.db.engine import Database
from server.outbox.admin import WebhookAdmin
from server.outbox.email import ConfigError, Mailer, SmtpSettings, Templates
from server.outbox.record import Recorder
from server.outbox.webhooks import WebhookSender
from server.outbox.worker import Worker, WorkerSettings
from server.service import Recorded

log = logging.getLogger("server.outbox")


@dataclass
class Outbox:
    recorder: Recorder
    worker: Worker
    admin: WebhookAdmin
    describe: str

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
        """The write path's listener after each commit: send what it recorded now."""
        self.worker.poke()


def build_outbox(
    settings: Settings,
    db: Database,
    *,
    version: str,
    count: Callable[[str, str], None] = lambda kind, result: None,
) -> Outbox:
    """Raises ConfigError (a ValueError) for a bad template, naming its file and line."""
    mailer = None
    if settings.smtp_url and settings.mail_from:
        templates = Templates(settings.data_dir)
        mailer = Mailer(
            SmtpSettings.parse(settings.smtp_url),
            settings.mail_from,
            templates,
            restaurant_name=settings.restaurant_name,
        )
        custom = templates.overridden()
        email = f"emails through {mailer.smtp.describe()} from {settings.mail_from}"
        if custom:
            email += f" (templates from {templates.override_dir}: {', '.join(custom)})"
    else:
        email = "no customer emails (no --smtp)"
    worker = Worker(
        db,
        WorkerSettings(
            email_retry=settings.email_retry_seconds,
            webhook_retry=settings.webhook_retry_seconds,
            retention=timedelta(days=settings.delivery_retention_days),
            tracking_link=settings.tracking_link,
            count=count,
        ),
        WebhookSender(user_agent=f"terminal-kds/{version}", hosts=settings.webhook_hosts),
        mailer,
    )
    recorder = Recorder(settings.mail_from if mailer else None, recorded=worker.recorded)
    return Outbox(recorder, worker, WebhookAdmin(db, hosts=settings.webhook_hosts), email)


__all__ = ["ConfigError", "Outbox", "build_outbox"]
