"""Fixtures of the outbox's tests: a real webhook receiver and a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.receivers import MailSink, WebhookReceiver

FAST_RETRIES = {"KDS_WEBHOOK_RETRY_SECONDS": "0.2,0.2,0.2", "KDS_EMAIL_RETRY_SECONDS": "0.2,0.2"}
"""Retry schedules short enough for a test to see every retry."""


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    made = WebhookReceiver().start()
    yield made
    made.stop()


@pytest.fixture
def mail_sink() -> Iterator[MailSink]:
    made = MailSink().start()
    yield made
    made.stop()
