"""Webhooks and deliveries on the wire (SPEC: Webhooks, Delivery is durable).

The webhook event names (Standard Webhooks style, ``order.status_updated``) are the
Socket.IO event names of the same changes, mapped here once.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError
from yarl import URL

from kds_contract.events import ORDER_CREATED, ORDER_DELETED, ORDER_STATUS_UPDATED, ORDER_UPDATED
from kds_contract.models import ShortText, StrictInput, Timestamp


class WebhookEvent(StrEnum):
    """What an endpoint may subscribe to."""

    CREATED = "order.created"
    STATUS_UPDATED = "order.status_updated"
    UPDATED = "order.updated"
    DELETED = "order.deleted"


WEBHOOK_EVENT_OF: dict[str, WebhookEvent] = {
    ORDER_CREATED: WebhookEvent.CREATED,
    ORDER_STATUS_UPDATED: WebhookEvent.STATUS_UPDATED,
    ORDER_UPDATED: WebhookEvent.UPDATED,
    ORDER_DELETED: WebhookEvent.DELETED,
}
"""The webhook event name of each Socket.IO event."""
SOCKET_EVENT_OF: dict[WebhookEvent, str] = {v: k for k, v in WEBHOOK_EVENT_OF.items()}

MAX_WEBHOOK_URL = 2000


def _webhook_url(value: str) -> str:
    problem = None
    try:
        url = URL(value)
        if url.scheme not in ("http", "https"):
            problem = f"the scheme is '{url.scheme[:20]}'; use http or https"
        elif not url.host:
            problem = "it has no host"
        elif url.user is not None or url.password is not None:
            problem = "it carries credentials; the signature authenticates the sender"
        elif any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
            problem = "it contains spaces or control characters"
        else:
            url.port  # noqa: B018 - a port out of range raises here
    except ValueError as exc:
        problem = str(exc)[:100]
    if problem:
        raise PydanticCustomError(
            "webhook_url", "not a webhook URL: {problem}", {"problem": problem}
        )
    return value


WebhookUrl = Annotated[
    str,
    Field(min_length=1, max_length=MAX_WEBHOOK_URL, json_schema_extra={"format": "uri"}),
    AfterValidator(_webhook_url),
]
Events = Annotated[list[WebhookEvent], Field(min_length=1, max_length=len(WebhookEvent))]


def _unique_events(events: list[WebhookEvent] | None) -> list[WebhookEvent] | None:
    return list(dict.fromkeys(events)) if events is not None else None


class WebhookIn(StrictInput):
    """POST /api/webhooks: an endpoint to call. ``events`` defaults to all of them."""

    url: WebhookUrl
    events: Events | None = None
    description: ShortText | None = None

    @model_validator(mode="after")
    def _dedupe(self) -> WebhookIn:
        self.events = _unique_events(self.events)
        return self


class WebhookEdit(StrictInput):
    """PATCH /api/webhooks/{id}: any of these, at least one. Enabling resumes the endpoint."""

    url: WebhookUrl | None = None
    events: Events | None = None
    enabled: bool | None = None
    description: ShortText | None = None

    @model_validator(mode="before")
    @classmethod
    def _something(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data:
            raise ValueError(
                "an edit must change at least one of: url, events, enabled, description"
            )
        return data

    @model_validator(mode="after")
    def _dedupe(self) -> WebhookEdit:
        self.events = _unique_events(self.events)
        return self

    def changes(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.model_fields_set}


class ReplayIn(StrictInput):
    """POST /api/webhooks/{id}/replay: send again every matching change after this seq."""

    after_seq: int = Field(ge=0, le=2**62)


class Webhook(BaseModel):
    """An endpoint, as the server sends it, with its health."""

    id: int
    url: str
    events: list[WebhookEvent]
    enabled: bool
    description: str | None = None
    created_at: Timestamp
    last_success_at: Timestamp | None = None
    last_failure_at: Timestamp | None = None
    failing_since: Timestamp | None = None
    last_error: str | None = None
    disabled_reason: str | None = None
    """Why it is disabled: by an admin, 410 Gone, or failing for 5 days."""
    pending: int = 0
    failed: int = 0


class WebhookCreated(BaseModel):
    webhook: Webhook
    secret: str = Field(description="whsec_...: shown only in this answer")


DeliveryKind = Literal["email", "webhook"]
DeliveryState = Literal["pending", "sent", "failed"]


class Delivery(BaseModel):
    """One email or webhook call of the outbox."""

    id: int
    kind: DeliveryKind
    order_id: int
    seq: int
    event: str = Field(description="the webhook event, or the email's kind (received, ready)")
    target: str = Field(description="the email address, or the endpoint's id")
    state: DeliveryState
    attempts: int
    last_error: str | None = None
    next_attempt_at: Timestamp | None = None
    delivered_at: Timestamp | None = None
    created_at: Timestamp


MAX_DELIVERIES_PAGE = 1000


class DeliveriesQuery(BaseModel):
    """GET /api/deliveries: filters; the newest first."""

    model_config = ConfigDict(extra="forbid")

    order_id: int | None = Field(default=None, ge=1, le=2**62)
    kind: DeliveryKind | None = None
    state: DeliveryState | None = None
    webhook_id: int | None = Field(default=None, ge=1, le=2**62)
    limit: int = Field(default=100, ge=1, le=MAX_DELIVERIES_PAGE)
