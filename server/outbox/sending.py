"""One attempt at a delivery: an email built and sent, or a webhook signed and POSTed.

Made in the outbox process (``server.outbox.process``), never in the server's.
"""

from __future__ import annotations

import json
from datetime import datetime

from server.config import Settings
from server.db.outbox_repo import EMAIL, Claimed
from server.outbox.attempt import Outcome, failed
from server.outbox.email import Mailer, SmtpSettings, Templates
from server.outbox.webhooks import WebhookSender, webhook_body


def make_mailer(settings: Settings) -> tuple[Mailer | None, Templates | None]:
    """The mailer the settings ask for (None without ``--smtp``), and its templates; raises
    ConfigError for a bad template, naming its file and line."""
    if not (settings.smtp_url and settings.mail_from):
        return None, None
    templates = Templates(settings.data_dir)
    mailer = Mailer(
        SmtpSettings.parse(settings.smtp_url),
        settings.mail_from,
        templates,
        restaurant_name=settings.restaurant_name,
    )
    return mailer, templates


class Attempts:
    """Makes the attempts, over one HTTP connection pool and one SMTP connection."""

    def __init__(self, settings: Settings, version: str) -> None:
        self.settings = settings
        self.mailer, _ = make_mailer(settings)
        self.webhooks = WebhookSender(
            user_agent=f"terminal-kds/{version}", hosts=settings.webhook_hosts
        )

    async def make(self, d: Claimed, now: datetime) -> Outcome:
        if d.event_data is None or d.event_at is None:
            return failed("the change's event is no longer stored", permanent=True)
        if d.kind == EMAIL:
            if self.mailer is None:
                return failed("no SMTP server is set")
            order = json.loads(d.event_data)["order"]
            code = order.get("tracking_code")
            tracking = self.settings.tracking_link(code) if code else None
            try:
                message = self.mailer.message(d.event, order, d.target, tracking, now)
            except Exception as exc:  # the templates were tried at start; still, say what
                return failed(f"could not write the email: {exc}", permanent=True)
            return await self.mailer.send(message)
        if d.url is None or d.secret is None:
            return failed("the endpoint was removed", permanent=True)
        body = webhook_body(d.event, d.event_at, d.event_data)
        return await self.webhooks.send(d.url, d.secret, d.message_id, body, now)

    async def close(self) -> None:
        await self.webhooks.close()
        if self.mailer is not None:
            await self.mailer.close()
