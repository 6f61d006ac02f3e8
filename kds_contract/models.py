"""The shape of an order on the wire, and of what a create, an edit or a move may send.

One set of pydantic models: the server validates requests with them and builds its
OpenAPI document from them; the client parses the server's answers with them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kds_contract import text
from kds_contract.contact import Email
from kds_contract.statuses import Status

MAX_BODY_BYTES = 1024 * 1024
MAX_NAME = 200
MAX_NOTES = 1000
MAX_MODIFIERS = 20
MAX_ITEMS = 100
MAX_QUANTITY = 99
MAX_PER_PAGE = 200
MAX_PREP_SECONDS = 86400


class OrderType(StrEnum):
    """How the order leaves the kitchen."""

    DINE_IN = "dine_in"
    TAKEOUT = "takeout"
    DELIVERY = "delivery"


class Priority(StrEnum):
    """Rush orders go to the front of the board."""

    NORMAL = "normal"
    RUSH = "rush"


def utc_z(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


Timestamp = Annotated[
    datetime,
    PlainSerializer(utc_z, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A UTC timestamp, written as ISO 8601 with a ``Z`` (``format: date-time`` in the API's
document)."""


_DATE_AND_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")


def _text_only(value: Any) -> Any:
    # Not strict, pydantic would also take 1767225600 or "1767225600" as seconds since 1970.
    text_ok = isinstance(value, str) and _DATE_AND_TIME.match(value) is not None
    if not (text_ok or isinstance(value, datetime)):
        raise PydanticCustomError(
            "datetime_text", "give an ISO 8601 time, such as 2026-01-31T19:30:00+01:00"
        )
    return value


def _zoned(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise PydanticCustomError(
            "timezone_required",
            "give the time with its offset or Z, such as 2026-01-31T19:30:00+01:00 or "
            "2026-01-31T18:30:00Z: the server cannot tell which time zone is meant",
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError(
            "datetime_out_of_range", "out of range: give a time within the next days"
        ) from None


ZonedTime = Annotated[
    datetime,
    Strict(False),  # JSON has no time type: the text is parsed (ISO 8601 only, see below)
    BeforeValidator(_text_only),
    AfterValidator(_zoned),
    PlainSerializer(utc_z, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601 with its offset or Z",
        }
    ),
]
"""A time a client sends (``due_at``): ISO 8601 with its offset, kept in UTC."""

PrepSeconds = Annotated[int, Field(ge=0, le=MAX_PREP_SECONDS)]
"""How long an item takes to prepare, in seconds (0 to a day)."""

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME),
    AfterValidator(text.one_line),
    Field(json_schema_extra={"pattern": text.ONE_LINE}),
]
ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_NAME),
    AfterValidator(text.one_line),
    Field(json_schema_extra={"pattern": text.ONE_LINE}),
]
Notes = Annotated[
    str,
    StringConstraints(max_length=MAX_NOTES),
    AfterValidator(text.notes),
    Field(json_schema_extra={"pattern": text.NOTES}),
]

SERVER_OWNED_ORDER_FIELDS = frozenset(
    {
        "id",
        "status",
        "version",
        "created_at",
        "updated_at",
        "tracking_code",
        "fire_at",
        *(f"{status}_at" for status in Status),
    }
)
SERVER_OWNED_ITEM_FIELDS = frozenset({"id", "done", "fire_at"})


def _refuse_server_owned(data: Any, owned: frozenset[str], what: str) -> Any:
    if isinstance(data, dict):
        for key in data:
            if key in owned:
                raise PydanticCustomError(
                    "server_owned",
                    "'{field}' is set by the server and cannot be sent in {what}",
                    {"field": key, "what": what},
                )
    return data


class StrictInput(BaseModel):
    """A request body: a field it does not know is refused, and no value is coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)


class ItemIn(StrictInput):
    """One line of an order, as a create or an edit sends it."""

    name: Name
    quantity: int = Field(default=1, ge=1, le=MAX_QUANTITY)
    modifiers: list[Name] = Field(default_factory=list, max_length=MAX_MODIFIERS)
    notes: Notes | None = None
    station: ShortText | None = None
    prep_seconds: PrepSeconds | None = None
    """How long it takes; None: the menu's, if it knows the item (SPEC: Scheduling)."""

    @model_validator(mode="before")
    @classmethod
    def _no_server_fields(cls, data: Any) -> Any:
        return _refuse_server_owned(data, SERVER_OWNED_ITEM_FIELDS, "an item")


class ItemEditIn(ItemIn):
    """An item in an edit: with the ``id`` of an existing item to keep it (and its done mark)."""

    id: int | None = Field(default=None, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _no_server_fields(cls, data: Any) -> Any:
        return _refuse_server_owned(data, SERVER_OWNED_ITEM_FIELDS - {"id"}, "an item")


class OrderCreate(StrictInput):
    """What POST /api/orders accepts. Only ``items`` is required."""

    order_type: OrderType = OrderType.DINE_IN
    table: ShortText | None = None
    customer_name: ShortText | None = None
    user_id: ShortText | None = None
    priority: Priority = Priority.NORMAL
    notes: Notes | None = None
    items: list[ItemIn] = Field(min_length=1, max_length=MAX_ITEMS)
    total_cents: int | None = Field(default=None, ge=0, le=10**12)
    customer_email: Email | None = None
    due_at: ZonedTime | None = None
    """When it must be ready; a later one than its prep time makes it ``scheduled``."""

    @model_validator(mode="before")
    @classmethod
    def _no_server_fields(cls, data: Any) -> Any:
        return _refuse_server_owned(data, SERVER_OWNED_ORDER_FIELDS, "an order")


class OrderEdit(StrictInput):
    """What PATCH /api/orders/{id} accepts: any of these fields, at least one.

    ``items`` replaces the order's items; an item that carries the ``id`` of an existing
    item keeps its id and done mark. ``version`` (optional) must be the order's current
    version, or the edit is refused with 409.
    """

    order_type: OrderType | None = None
    table: ShortText | None = None
    customer_name: ShortText | None = None
    priority: Priority | None = None
    notes: Notes | None = None
    items: list[ItemEditIn] | None = Field(default=None, min_length=1, max_length=MAX_ITEMS)
    total_cents: int | None = Field(default=None, ge=0, le=10**12)
    customer_email: Email | None = None
    due_at: ZonedTime | None = None
    version: int | None = Field(default=None, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _no_server_fields(cls, data: Any) -> Any:
        owned = SERVER_OWNED_ORDER_FIELDS - {"version"}
        data = _refuse_server_owned(data, owned, "an edit")
        if isinstance(data, dict) and not set(data) - {"version"}:
            raise ValueError(
                "an edit must change at least one of: "
                "order_type, table, customer_name, priority, notes, items, total_cents, "
                "customer_email, due_at"
            )
        return data

    def changes(self) -> dict[str, Any]:
        """The fields this edit sets (``None`` clears a field), without ``version``."""
        return {k: getattr(self, k) for k in self.model_fields_set if k != "version"}


class StatusMoveIn(StrictInput):
    """What PATCH /api/orders/{id}/status accepts."""

    status: Status
    version: int | None = Field(default=None, ge=1)


class ItemDoneIn(StrictInput):
    """What PATCH /api/orders/{id}/items/{item_id} accepts."""

    done: bool


class Item(BaseModel):
    """One line of an order, as the server sends it."""

    id: int
    name: str
    quantity: int = 1
    modifiers: list[str] = Field(default_factory=list)
    notes: str | None = None
    station: str | None = None
    done: bool = False
    prep_seconds: int | None = None
    fire_at: Timestamp | None = None
    """When it should be started, so that it is ready with the rest (set by the server)."""

    def held(self, now: datetime) -> bool:
        """Whether it is not to be started yet (its fire time is still to come)."""
        return self.fire_at is not None and self.fire_at > now


class Order(BaseModel):
    """An order, as the server sends it (SPEC: Orders)."""

    model_config = ConfigDict(extra="ignore")

    id: int
    status: Status
    order_type: OrderType
    table: str | None = None
    customer_name: str | None = None
    user_id: str | None = None
    priority: Priority = Priority.NORMAL
    notes: str | None = None
    items: list[Item]
    total_cents: int | None = None
    customer_email: str | None = None
    due_at: Timestamp | None = None
    """When it must be ready (a pickup or delivery time); None: as soon as it can be."""
    fire_at: Timestamp | None = None
    """When it enters (or entered) the kitchen, set by the server; None only on orders made
    before scheduling."""
    version: int
    tracking_code: str | None = None
    """The code of the customer's tracking link (kds_contract.tracking); None only from a
    server that has no tracking codes."""
    created_at: Timestamp
    updated_at: Timestamp
    scheduled_at: Timestamp | None = None
    pending_at: Timestamp | None = None
    preparing_at: Timestamp | None = None
    ready_at: Timestamp | None = None
    completed_at: Timestamp | None = None
    cancelled_at: Timestamp | None = None

    def timer_start(self) -> datetime:
        """When the order entered, or enters, the kitchen: its fire time (its creation on
        orders made before fire times). Ages and ticket times count from it: an order for
        19:30 taken at 17:00 is not late at 19:05."""
        return self.fire_at or self.created_at

    def status_entered_at(self) -> datetime | None:
        """When the order entered its current status."""
        value: datetime | None = getattr(self, f"{self.status}_at")
        return value

    def wire(self) -> dict[str, Any]:
        """The order as JSON-ready data, exactly as the server sends it."""
        return self.model_dump(mode="json")


def printable_order(order: Order) -> Order:
    """The order as an app may show it: its text without control characters."""
    texts = [order.table, order.customer_name, order.notes]
    for item in order.items:
        texts += [item.name, item.notes, item.station, *item.modifiers]
    if all(text.printable(value) == value for value in texts):
        return order
    items = [
        item.model_copy(
            update={
                "name": text.printable(item.name),
                "notes": text.printable(item.notes),
                "station": text.printable(item.station),
                "modifiers": [text.printable(m) for m in item.modifiers],
            }
        )
        for item in order.items
    ]
    return order.model_copy(
        update={
            "table": text.printable(order.table),
            "customer_name": text.printable(order.customer_name),
            "notes": text.printable(order.notes),
            "items": items,
        }
    )
