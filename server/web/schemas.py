"""Query models (they validate requests) and answer models (they document answers).

The request bodies are the contract's own models (kds_contract.models); these add what
only the HTTP side needs. The OpenAPI document is built from both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
)

from kds_contract import Order, Status
from kds_contract.models import MAX_NAME, MAX_PER_PAGE, Timestamp

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def _iso_8601(value: Any) -> Any:
    # pydantic alone would also take "0.5" as seconds since 1970: a query wants ISO 8601.
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("expected an ISO 8601 time, such as 2026-01-31T12:00:00Z") from None
    return value


YEARS_PATTERN = f"^(19[7-9][0-9]|[2-{str(LATEST.year - 1)[0]}][0-9]{{3}})-"
"""The years 1970 to 8999 as a time's text starts, for the OpenAPI document."""


def _in_range_utc(value: datetime) -> datetime:
    # A time outside 1970..8999 is refused, not moved: a period asked from year 1 answered
    # for 1970 without saying so. The year is the one written (as the document's pattern
    # says); in UTC it may be a day either side, which time arithmetic takes in its stride.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if EARLIEST.year <= value.year < LATEST.year:
        return value.astimezone(UTC)
    raise ValueError(
        f"out of range: give a time in the years {EARLIEST.year} to {LATEST.year - 1}, "
        "such as 2026-01-31T12:00:00Z"
    )


QueryTime = Annotated[
    datetime,
    BeforeValidator(_iso_8601),
    AfterValidator(_in_range_utc),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": YEARS_PATTERN,
            "description": "ISO 8601; no offset means UTC; in the years 1970 to 8999",
        }
    ),
]
"""A time in a query: ISO 8601 (no offset means UTC), in the years 1970 to 8999 (a time
outside is a 422), read as UTC."""

SortKey = Literal["id", "-id", "created_at", "-created_at", "updated_at", "-updated_at"]
MAX_EVENTS_PAGE = 5000
MAX_ANSWER_BYTES = 4 * 1024 * 1024
"""A page of events is cut when it would be larger (5,000 events of the largest orders would
be gigabytes); ``next`` then says where it goes on."""
MAX_STATS_DAYS = 366


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListQuery(_Query):
    """GET /api/orders: filters, paging and sorting."""

    status: list[Status] = Field(
        default_factory=list, description="one or more statuses, comma-separated or repeated"
    )
    station: str | None = Field(default=None, min_length=1, max_length=MAX_NAME)
    q: str | None = Field(
        default=None, max_length=MAX_NAME, description="text in customer, table or item names"
    )
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=50, ge=1, le=MAX_PER_PAGE)
    sort: SortKey = "-id"
    since: QueryTime | None = Field(default=None, description="created at or after (ISO 8601)")
    until: QueryTime | None = Field(default=None, description="created before (ISO 8601)")

    @field_validator("status", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            # An empty part ("status=", "pending,,ready") is refused as no status at all.
            return [part.strip() for v in value for part in str(v).split(",")]
        return value


class EventsQuery(_Query):
    """GET /api/events: every change after a seq, in order."""

    after: int = Field(default=0, ge=0, le=2**62)
    limit: int = Field(default=1000, ge=1, le=MAX_EVENTS_PAGE)


class StatsQuery(_Query):
    """GET /api/stats: the period (default: today, server local time)."""

    since: QueryTime | None = Field(
        default=None, description="start of the period (ISO 8601); default: today's midnight"
    )
    until: QueryTime | None = Field(
        default=None,
        description=f"end of the period, after since (ISO 8601); default: since + 1 day. "
        f"The period, up to now, is at most {MAX_STATS_DAYS} days",
    )


EPOCH = Field(
    description="the event log's epoch: the identity of its history, renewed by a restore; "
    "a client that sees another epoch than it knew reloads (its seqs belong to another "
    "history); null from a database made before epochs"
)


class OrderAnswer(BaseModel):
    """One order as it is now (``GET /api/orders/{id}``)."""

    order: Order


class OrderCreated(BaseModel):
    """A new order (or, with ``Idempotent-Replayed``, the first answer to its key again)."""

    order: Order
    seq: int = Field(description="the change's seq")
    epoch: str | None = EPOCH


def _absent(value: object) -> bool:
    return value is None


class OrderChanged(BaseModel):
    """An order after an edit or an item marked: with the change's seq, or without one when
    the request asked for what the order already was (no new version, no event)."""

    order: Order
    seq: int | None = Field(
        default=None,
        exclude_if=_absent,
        description="the change's seq; absent when nothing changed",
    )
    epoch: str | None = Field(
        default=None, exclude_if=_absent, description="with seq: the event log's epoch"
    )


class StatusAnswer(BaseModel):
    order: Order
    oldStatus: Status
    newStatus: Status
    seq: int
    epoch: str | None = EPOCH


class DeleteAnswer(BaseModel):
    orderId: int
    seq: int
    epoch: str | None = EPOCH


class OrderList(BaseModel):
    orders: list[Order]
    total: int
    page: int
    per_page: int
    seq: int = Field(description="the last committed seq when the page was read")
    epoch: str | None = EPOCH


class EventOut(BaseModel):
    seq: int
    type: Literal["order:created", "order:statusUpdated", "order:updated", "order:deleted"]
    order_id: int
    at: Timestamp
    data: dict[str, Any]


class EventList(BaseModel):
    events: list[EventOut]
    last_seq: int
    next: str | None = Field(
        default=None,
        exclude_if=_absent,
        description="present when the page was cut at 4 MiB before `limit` events: the "
        "request for the rest (`after` the last event given)",
    )
    epoch: str | None = EPOCH


class EventActor(BaseModel):
    """Who made a change: an API token, or the server itself (``kind`` "server")."""

    kind: Literal["token", "server"]
    token_id: int | None
    name: str
    role: str | None


class OrderEventOut(EventOut):
    actor: EventActor | None = Field(
        description="who made the change; null for changes recorded before the log kept it"
    )


class OrderEventList(BaseModel):
    events: list[OrderEventOut]


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: str
    redis: str = Field(
        description='"off" (no --redis), "ok", or "unreachable since <time>: <reason>"'
    )
    seq: int | None
    epoch: str | None = EPOCH
    version: str
    public_url: str = Field(
        description="the base of customers' links: an order's tracking page is "
        "<public_url>/track/<tracking_code>"
    )


class Durations(BaseModel):
    median_s: float | None
    p90_s: float | None
    n: int


class HourCount(BaseModel):
    hour: Timestamp = Field(description="the hour's start")
    count: int


class OpenOrder(Order):
    age_s: float = Field(description="seconds since it was created")


class Stats(BaseModel):
    since: Timestamp
    until: Timestamp
    total: int
    counts: dict[str, int]
    time_to_ready: Durations
    time_to_complete: Durations
    per_hour: list[HourCount]
    slowest_open: list[OpenOrder] = Field(description="the oldest open orders, oldest first")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class ErrorBody(BaseModel):
    error: ErrorDetail
