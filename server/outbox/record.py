"""What a change must send, recorded in the change's own transaction.

The write path calls ``Recorder.record`` after it stored the change's event and before it
commits: one outbox row (which endpoints, which email) commits with the change or not at
all, so a crash can neither lose a delivery nor send one for a change that never happened.
The outbox process turns the row into deliveries (``outbox_repo.expand``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from kds_contract import ORDER_CREATED, ORDER_STATUS_UPDATED, Status
from kds_contract.webhooks import WEBHOOK_EVENT_OF
from server.db import outbox_repo
from server.outbox.email import READY, RECEIVED, message_id


class Recorder:
    """Records deliveries; ``mail_from`` is None when no SMTP server is set (then no email
    is queued)."""

    def __init__(self, mail_from: str | None, recorded: Callable[[], None] | None = None) -> None:
        self.mail_from = mail_from
        self.recorded = recorded or (lambda: None)
        """Called when a change recorded something (inside its transaction)."""

    async def record(
        self,
        conn: AsyncConnection,
        *,
        seq: int,
        event_type: str,
        order_id: int,
        order: Mapping[str, Any] | None,
        now: datetime,
    ) -> None:
        """Record the webhook calls of this change and, for an order with a customer email,
        the "received" email on creation and the "ready" one (sent the first time only).
        ``order`` is the order as the event carries it (its wire form), None for a delete."""
        kind = self._email_kind(event_type, order)
        address = order.get("customer_email") if order is not None else None
        email = None
        if kind and address and self.mail_from:
            email = (kind, address, message_id(order_id, kind, self.mail_from))
        recorded = await outbox_repo.record_change(
            conn,
            seq=seq,
            order_id=order_id,
            event=WEBHOOK_EVENT_OF[event_type],
            now=now,
            email=email,
        )
        if recorded:
            # Only then is there anything to send: a change that queued nothing (no
            # endpoint, no email) must not cost a claim, a write transaction of its own.
            self.recorded()

    @staticmethod
    def _email_kind(event_type: str, order: Mapping[str, Any] | None) -> str | None:
        if event_type == ORDER_CREATED:
            return RECEIVED
        if event_type == ORDER_STATUS_UPDATED and order is not None:
            return READY if order.get("status") == Status.READY else None
        return None
