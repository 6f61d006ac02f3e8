"""The outbox's settings on the command line: flags, then ``KDS_*`` variables, then defaults."""

from __future__ import annotations

import argparse
from typing import Any

from server.config import env
from server.outbox.email import SmtpSettings, mail_from
from server.outbox.schedule import EMAIL_RETRY_SECONDS, WEBHOOK_RETRY_SECONDS, parse_schedule

DEFAULT_RETENTION_DAYS = 7.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--smtp",
        default=None,
        metavar="URL",
        help="send customers emails through this server: smtp://[USER:PASSWORD@]HOST[:PORT], "
        "?starttls=true, or smtps://... for TLS (env KDS_SMTP; default: no emails)",
    )
    parser.add_argument(
        "--mail-from",
        default=None,
        metavar="ADDRESS",
        help="the address customer emails come from (env KDS_MAIL_FROM; needed with --smtp)",
    )
    parser.add_argument(
        "--delivery-retention-days",
        type=float,
        default=None,
        metavar="DAYS",
        help="how long sent and failed emails and webhook calls are kept "
        f"(env KDS_DELIVERY_RETENTION_DAYS; default {DEFAULT_RETENTION_DAYS:g})",
    )


def outbox_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The outbox's fields of ``Settings``; ValueError says what is wrong with which."""
    smtp = getattr(args, "smtp", None) or env("SMTP")
    sender = getattr(args, "mail_from", None) or env("MAIL_FROM")
    if smtp:
        SmtpSettings.parse(smtp)
        if not sender:
            raise ValueError("--smtp needs --mail-from (or KDS_MAIL_FROM): the sender address")
    if sender:
        sender = mail_from(sender)
    retention = getattr(args, "delivery_retention_days", None)
    if retention is None:
        text = env("DELIVERY_RETENTION_DAYS", str(DEFAULT_RETENTION_DAYS)) or "7"
        try:
            retention = float(text)
        except ValueError:
            raise ValueError(f"KDS_DELIVERY_RETENTION_DAYS: '{text}' is not a number") from None
    if not 0 < retention <= 3650:
        raise ValueError("--delivery-retention-days: give a number of days above 0, up to 3650")
    hosts = tuple(
        h.strip().lower().strip("[]") for h in (env("WEBHOOK_HOSTS") or "").split(",") if h.strip()
    )
    return {
        "webhook_hosts": hosts,
        "smtp_url": smtp or None,
        "mail_from": sender or None,
        "delivery_retention_days": retention,
        "email_retry_seconds": parse_schedule(
            env("EMAIL_RETRY_SECONDS"), EMAIL_RETRY_SECONDS, "KDS_EMAIL_RETRY_SECONDS"
        ),
        "webhook_retry_seconds": parse_schedule(
            env("WEBHOOK_RETRY_SECONDS"), WEBHOOK_RETRY_SECONDS, "KDS_WEBHOOK_RETRY_SECONDS"
        ),
    }
