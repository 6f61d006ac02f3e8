"""Managing webhook endpoints and reading deliveries (the admin's side of the outbox)."""

from __future__ import annotations

import base64
import secrets
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kds_contract.webhooks import (
    SOCKET_EVENT_OF,
    WEBHOOK_EVENT_OF,
    DeliveriesQuery,
    Delivery,
    Webhook,
    WebhookEdit,
    WebhookEvent,
    WebhookIn,
)
from server.db import outbox_repo
from server.db.engine import Database
from server.db.outbox_repo import FAILED, PENDING
from server.domain import DomainError

SECRET_BYTES = 32
DISABLED_BY_ADMIN = "disabled by an admin"


class WebhookNotFound(DomainError):
    code = "not_found"


class HostNotAllowed(DomainError):
    code = "invalid"


def allowed(url: str, hosts: tuple[str, ...]) -> bool:
    """Whether ``url``'s host is one webhooks may be sent to (any, when ``hosts`` is empty)."""
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return not hosts or host in hosts


def _check_host(url: str, hosts: tuple[str, ...]) -> None:
    if not allowed(url, hosts):
        raise HostNotAllowed(
            f"url: this server sends webhooks only to {', '.join(hosts)} (KDS_WEBHOOK_HOSTS)",
            field="url",
        )


def new_secret() -> str:
    """``whsec_`` and 32 random bytes in base64, as Standard Webhooks writes secrets."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _events(stored: str) -> list[WebhookEvent]:
    return [WebhookEvent(name) for name in stored.strip("|").split("|") if name]


def _webhook(row: Any, counts: dict[tuple[int, str], int]) -> Webhook:
    return Webhook(
        id=row.id,
        url=row.url,
        events=_events(row.events),
        enabled=row.enabled,
        description=row.description,
        created_at=row.created_at,
        last_success_at=row.last_success_at,
        last_failure_at=row.last_failure_at,
        failing_since=row.failing_since,
        last_error=row.last_error,
        disabled_reason=None if row.enabled else row.disabled_reason,
        pending=counts.get((row.id, PENDING), 0),
        failed=counts.get((row.id, FAILED), 0),
    )


def delivery(row: Any) -> Delivery:
    return Delivery(
        id=row.id,
        kind=row.kind,
        order_id=row.order_id,
        seq=row.seq,
        event=row.event,
        target=row.target,
        state=row.state,
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at if row.state == PENDING else None,
        delivered_at=row.delivered_at,
        created_at=row.created_at,
    )


class WebhookAdmin:
    """Adds, lists, changes, removes and replays endpoints; lists deliveries."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime] | None = None,
        hosts: tuple[str, ...] = (),
        queued: Callable[[], None] = lambda: None,
    ) -> None:
        self.db = db
        self._clock = clock or (lambda: datetime.now(UTC))
        self.hosts = hosts
        self._queued = queued
        """Told when there may be something new to send (the outbox process looks)."""

    async def create(self, data: WebhookIn) -> tuple[Webhook, str]:
        """The new endpoint and its secret (shown to the admin only now)."""
        _check_host(data.url, self.hosts)
        now = self._clock()
        secret = new_secret()
        events = data.events or list(WebhookEvent)
        async with self.db.writing() as conn:
            webhook_id = await outbox_repo.insert_webhook(
                conn,
                url=data.url,
                events=outbox_repo.events_column(events),
                description=data.description,
                secret=secret,
                key=secrets.token_urlsafe(9),
                enabled=True,
                disabled_reason=None,
                created_at=now,
                updated_at=now,
            )
            row = await outbox_repo.get_webhook(conn, webhook_id)
        self._queued()
        return _webhook(row, {}), secret

    async def endpoints(self) -> list[Webhook]:
        async with self.db.reading() as conn:
            rows = await outbox_repo.list_webhooks(conn)
            counts = await outbox_repo.webhook_counts(conn)
        return [_webhook(row, counts) for row in rows]

    async def get(self, webhook_id: int) -> Webhook:
        async with self.db.reading() as conn:
            row = await self._row(conn, webhook_id)
            counts = await outbox_repo.webhook_counts(conn)
        return _webhook(row, counts)

    async def edit(self, webhook_id: int, change: WebhookEdit) -> Webhook:
        """Change an endpoint. Enabling a disabled one resumes it: its held deliveries are
        tried again, and its failures start counting afresh."""
        values: dict[str, Any] = {}
        for name, value in change.changes().items():
            if name == "events":
                if value is None:
                    value = list(WebhookEvent)
                values["events"] = outbox_repo.events_column(value)
            elif name == "enabled":
                if value is None:
                    continue
                values["enabled"] = value
                values["disabled_reason"] = None if value else DISABLED_BY_ADMIN
                if value:
                    values["failing_since"] = None
            elif name == "url" and value is None:
                continue
            elif name == "url":
                _check_host(value, self.hosts)
                values[name] = value
            else:
                values[name] = value
        async with self.db.writing() as conn:
            row = await self._row(conn, webhook_id)
            if "enabled" in values and values["enabled"] == row.enabled:
                for name in ("enabled", "disabled_reason", "failing_since"):
                    values.pop(name, None)
            if values:
                values["updated_at"] = self._clock()
                await outbox_repo.update_webhook(conn, webhook_id, **values)
        if values.get("enabled"):
            self._queued()
        return await self.get(webhook_id)

    async def remove(self, webhook_id: int) -> None:
        """Stop and forget an endpoint, with its deliveries."""
        async with self.db.writing() as conn:
            if not await outbox_repo.delete_webhook(conn, webhook_id):
                raise self._missing(webhook_id)

    async def replay(self, webhook_id: int, after_seq: int) -> int:
        """Queue again every change after ``after_seq`` that the endpoint wants; how many."""
        async with self.db.writing() as conn:
            row = await self._row(conn, webhook_id)
            wanted = _events(row.events)
            queued = await outbox_repo.replay(
                conn,
                webhook_id=webhook_id,
                key=row.key,
                after_seq=after_seq,
                event_types=[SOCKET_EVENT_OF[e] for e in wanted],
                event_names={k: str(v) for k, v in WEBHOOK_EVENT_OF.items()},
                now=self._clock(),
            )
        self._queued()
        return queued

    async def deliveries(self, query: DeliveriesQuery) -> list[Delivery]:
        """The deliveries ``query`` asks for, the newest first."""
        async with self.db.reading() as conn:
            rows = await outbox_repo.list_deliveries(conn, query)
        return [delivery(row) for row in rows]

    async def _row(self, conn: Any, webhook_id: int) -> Any:
        row = await outbox_repo.get_webhook(conn, webhook_id)
        if row is None:
            raise self._missing(webhook_id)
        return row

    @staticmethod
    def _missing(webhook_id: int) -> WebhookNotFound:
        return WebhookNotFound(
            f"webhook {webhook_id} does not exist; see GET /api/webhooks",
            webhook_id=webhook_id,
        )
