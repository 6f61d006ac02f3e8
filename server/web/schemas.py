"""Query models (they validate requests) and answer models (they document answers).

The request bodies are the contract's own models (kds_contract.models); these add what
only the HTTP side needs. The OpenAPI document is built from both.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
from server import stats

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
"""A page of events or orders is cut when it would be larger (5,000 events or 200 orders of
the largest size would be hundreds of megabytes); ``next`` then says where it goes on."""
MAX_STATS_DAYS = stats.MAX_DAYS


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListQuery(_Query):
    """GET /api/orders: filters, paging and sorting."""

    status: list[Status] = Field(
        default_factory=list, description="one or more statuses, comma-separated or repeated"
    )
    station: str | None = Field(default=None, min_length=1, max_length=MAX_NAME)
    q: str | None = Field(
        default=None,
        max_length=MAX_NAME,
        description="`#1709`: that order; `T5`: table 5 exactly; a bare number: that order "
        "or that table; other text: found in the customer, table, items (names, modifiers, "
        "notes) and the order's notes, case ignored",
    )
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=50, ge=1, le=MAX_PER_PAGE)
    sort: SortKey = "-id"
    since: QueryTime | None = Field(
        default=None, description="created at or after (ISO 8601); none: from the first order"
    )
    until: QueryTime | None = Field(
        default=None, description="created before (ISO 8601), after since; none: no end"
    )
    skip: int = Field(
        default=0,
        ge=0,
        lt=MAX_PER_PAGE,
        description="leave out this many orders at the start of the page: where a page cut "
        "at 4 MiB goes on (its `next` link gives it); less than per_page",
    )
    max_id: int | None = Field(
        default=None,
        ge=1,
        le=2**62,
        description="only orders with an id at most this: page through the list as it was "
        "when its first page was read (give that page's highest id), unshifted by new orders",
    )

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
    """GET /api/stats: the period (kds_contract.period: a missing bound is no bound)."""

    since: QueryTime | None = Field(
        default=None, description="created at or after (ISO 8601); none: from the first order"
    )
    until: QueryTime | None = Field(
        default=None,
        description=f"created before (ISO 8601), after since; none: up to now. The hours "
        f"listed, up to now, span at most {MAX_STATS_DAYS} days",
    )


DEFAULT_TARGET_S = 900
"""A ticket's target time, unless the report asks for another (15 minutes)."""


def time_zone(name: str | None) -> tuple[tzinfo, str]:
    """The zone a report's hours are told in, and its name: an IANA name
    (``Europe/Paris``), an offset (``+01:00``), or none for the server's own."""
    if not name:
        local = datetime.now().astimezone().tzinfo or UTC
        return local, local.tzname(None) or "local"
    if match := _OFFSET.fullmatch(name):
        sign = -1 if match.group(1) == "-" else 1
        delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
        return timezone(sign * delta), name
    return ZoneInfo(name), name


_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})?")


def _known_zone(value: str | None) -> str | None:
    if value is None:
        return value
    if _OFFSET.fullmatch(value):
        if int(_OFFSET.fullmatch(value).group(2)) > 23:  # type: ignore[union-attr]
            raise ValueError("an offset is at most 23 hours, such as +01:00")
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            "a time zone name such as Europe/Paris, or an offset such as +01:00"
        ) from None
    return value


class ReportQuery(_Query):
    """GET /api/reports: the period, the ticket target and the zone hours are told in."""

    since: QueryTime | None = Field(
        default=None, description="created at or after (ISO 8601); none: from the first order"
    )
    until: QueryTime | None = Field(
        default=None, description="created before (ISO 8601), after since; none: up to now"
    )
    target_s: int = Field(
        default=DEFAULT_TARGET_S,
        ge=1,
        le=86400,
        description="a ticket's target, created to ready, in seconds: tickets over it are counted",
    )
    tz: Annotated[str | None, AfterValidator(_known_zone)] = Field(
        default=None,
        max_length=64,
        description="the time zone of the hours by hour: an IANA name (Europe/Paris) or an "
        "offset (+01:00); default: the server's",
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
    next: str | None = Field(
        default=None,
        exclude_if=_absent,
        description="present when the page was cut at 4 MiB (never below one order): the "
        "request for the rest of the same page (its `skip` leaves out what was given)",
    )
    seq: int = Field(description="the last committed seq when the page was read")
    epoch: str | None = EPOCH
    max_id: int | None = Field(
        description="the highest order id when the page was read (or the max_id asked "
        "for): pass it as max_id to read the next pages as the list was then; null: no order"
    )


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
    age_s: float = Field(
        description="seconds since it entered the kitchen (its fire_at; created_at for orders "
        "made before fire times)"
    )


class Stats(BaseModel):
    since: Timestamp | None = Field(description="the period counted: from (none: no start)")
    until: Timestamp | None = Field(description="the period counted: before (none: up to now)")
    first_order_at: Timestamp | None = Field(
        description="when the period's first order was created (none: no order)"
    )
    total: int
    counts: dict[str, int]
    time_to_ready: Durations
    time_to_complete: Durations
    per_hour: list[HourCount]
    slowest_open: list[OpenOrder] = Field(description="the oldest open orders, oldest first")


class SalesFigures(BaseModel):
    orders: int = Field(description="orders not cancelled")
    sales_cents: int = Field(description="the sum of their total_cents")
    average_cents: int | None = Field(description="sales over the orders with a total")
    with_total: int = Field(description="orders not cancelled that carry a total")
    cancelled: int


class Sales(SalesFigures):
    previous: SalesFigures = Field(description="the same period a week before")


class TypeSales(Sales):
    order_type: str


class HourSales(BaseModel):
    orders: int
    sales_cents: int


class HourReport(HourSales):
    hour_of_day: int = Field(description="0 to 23, in time_zone")
    previous: HourSales


class TicketFigures(BaseModel):
    n: int
    median_s: float | None
    p90_s: float | None
    over_target: int = Field(description="tickets over target_s")


class TicketTimes(TicketFigures):
    previous: TicketFigures


class StationTimes(TicketTimes):
    station: str = Field(description='"" for items without a station')


class ItemTimes(TicketTimes):
    name: str


class ItemSold(BaseModel):
    name: str
    quantity: int
    orders: int
    previous_quantity: int


class CancelledBy(BaseModel):
    from_status: str = Field(description="the status the order was cancelled from")
    by: str = Field(description="the name of the token that cancelled it")
    role: str | None


class CancelledCount(CancelledBy):
    count: int


class Cancellations(BaseModel):
    count: int
    previous: int
    by: list[CancelledCount]


class Report(BaseModel):
    """Orders created in the period; ticket time is created to ready."""

    since: Timestamp | None
    until: Timestamp | None
    previous_since: Timestamp | None
    previous_until: Timestamp | None = Field(
        description="a week before until, or before now when the period runs to now or later"
    )
    time_zone: str
    target_s: float
    sales: Sales
    by_type: list[TypeSales]
    by_hour: list[HourReport] = Field(description="from the first to the last busy hour")
    ticket_times: TicketTimes
    by_station: list[StationTimes]
    by_item: list[ItemTimes]
    product_mix: list[ItemSold] = Field(description="items sold, most first")
    cancellations: Cancellations


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class ErrorBody(BaseModel):
    error: ErrorDetail
