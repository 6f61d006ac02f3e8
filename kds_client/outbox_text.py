"""Webhook endpoints and deliveries as plain text, for ``kds-order`` and the admin console."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from kds_client.columns import table
from kds_client.item_text import rough_duration
from kds_contract.webhooks import Delivery, Webhook

TIME = "%Y-%m-%d %H:%M"


def _local(value: datetime) -> str:
    return value.astimezone().strftime(TIME)


def webhook_health(webhook: Webhook) -> str:
    """One phrase: ``ok``, ``failing since ...``, ``disabled: why``, ``new``."""
    if not webhook.enabled:
        return f"disabled: {webhook.disabled_reason or 'disabled'}"
    if webhook.failing_since is not None:
        return f"failing since {_local(webhook.failing_since)}"
    if webhook.last_success_at is not None:
        return "ok"
    return "new (nothing sent yet)"


def is_unhealthy(webhook: Webhook) -> bool:
    """Whether an admin should look at it: disabled or failing."""
    return not webhook.enabled or webhook.failing_since is not None


def _table(rows: Sequence[tuple[str, ...]]) -> str:
    return "\n".join(table(rows))


def webhook_table(webhooks: Iterable[Webhook]) -> str:
    rows = [("ID", "HEALTH", "PENDING", "FAILED", "LAST SUCCESS", "EVENTS", "URL")]
    for w in webhooks:
        events = "all" if len(w.events) == 4 else ",".join(str(e) for e in w.events)
        rows.append(
            (
                str(w.id),
                webhook_health(w),
                str(w.pending),
                str(w.failed),
                _local(w.last_success_at) if w.last_success_at else "-",
                events,
                w.url + (f"  ({w.description})" if w.description else ""),
            )
        )
    return _table(rows)


def webhook_text(webhook: Webhook) -> str:
    lines = [
        f"webhook {webhook.id}  {webhook_health(webhook)}",
        f"  url       {webhook.url}",
        f"  events    {', '.join(str(e) for e in webhook.events)}",
    ]
    if webhook.description:
        lines.append(f"  about     {webhook.description}")
    if webhook.last_error and is_unhealthy(webhook):
        lines.append(f"  last error  {webhook.last_error}")
    return "\n".join(lines)


def delivery_state(delivery: Delivery, now: datetime | None = None) -> str:
    """``sent 12:01``, ``failed``, ``retry in 4 min``."""
    if delivery.state == "sent":
        return f"sent {_local(delivery.delivered_at)}" if delivery.delivered_at else "sent"
    if delivery.state == "failed":
        return "FAILED"
    if delivery.next_attempt_at is None:
        return "pending"
    wait = (delivery.next_attempt_at - (now or datetime.now(UTC))).total_seconds()
    if wait <= 1:
        return "sending"
    return f"retry in {rough_duration(wait)}"


def delivery_target(delivery: Delivery) -> str:
    return f"webhook {delivery.target}" if delivery.kind == "webhook" else delivery.target


def delivery_table(deliveries: Iterable[Delivery]) -> str:
    rows = [("ID", "ORDER", "SEQ", "WHAT", "TO", "STATE", "TRIES", "LAST ERROR")]
    for d in deliveries:
        rows.append(
            (
                str(d.id),
                str(d.order_id),
                str(d.seq),
                d.event if d.kind == "webhook" else f"email {d.event}",
                delivery_target(d),
                delivery_state(d),
                str(d.attempts),
                d.last_error or "",
            )
        )
    return _table(rows)
