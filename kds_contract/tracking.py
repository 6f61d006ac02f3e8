"""Tracking codes and the public view of an order (SPEC: Telling customers and other
systems, Screens in a browser).

A tracking code lets anyone who holds it see one order's public fields: the customer's
link is ``<public URL>/track/<code>``. What the public sees is decided here, once, for the
REST answer and for the ``/public`` Socket.IO namespace alike: no notes, no prices, no
contact details, nothing of another order.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from kds_contract.models import Timestamp
from kds_contract.statuses import Status

TRACKING_CODE_BYTES = 16
"""128 random bits: guessing one code among a day's orders is hopeless."""
TRACKING_CODE_RULE = r"[A-Za-z0-9_-]{22,64}"
"""What a tracking code looks like: URL-safe base64 without padding (22 characters for 128
bits; longer ones are allowed so that the size can grow without breaking old links)."""
TRACKING_CODE = re.compile(TRACKING_CODE_RULE)

PUBLIC_NAMESPACE = "/public"
"""The Socket.IO namespace the public pages connect to without a token."""
JOIN_TRACK = "join:track"
JOIN_PICKUP = "join:pickup"
ROOM_PICKUP = "pickup"

PICKUP_STATUSES: tuple[Status, ...] = (Status.PENDING, Status.PREPARING, Status.READY)
"""The orders the pickup board shows: received and being made ("Preparing"), and ready."""


def is_tracking_code(text: object) -> bool:
    """Whether ``text`` has the form of a tracking code (it may still be unknown)."""
    return isinstance(text, str) and TRACKING_CODE.fullmatch(text) is not None


def track_room(code: str) -> str:
    """The ``/public`` room of one order's updates."""
    return f"track:{code}"


class PublicItem(BaseModel):
    """An item as the public sees it: what and how many."""

    name: str
    quantity: int


class PublicOrder(BaseModel):
    """An order as the public sees it (SPEC: Screens in a browser, ``GET /api/track``)."""

    id: int
    status: Status
    order_type: str
    customer_name: str | None
    items: list[PublicItem]
    created_at: Timestamp
    due_at: Timestamp | None
    ready_at: Timestamp | None


def public_order(wire: dict[str, Any], *, names: bool = True) -> dict[str, Any]:
    """An order's JSON data (``Order.wire()``, or an event's ``order``) cut down to what the
    public may see: ``PublicOrder``'s fields, as JSON data.

    ``names=False`` leaves the customer's name out (the pickup board, unless the server is
    started with ``--pickup-names``).
    """
    return {
        "id": wire["id"],
        "status": wire["status"],
        "order_type": wire["order_type"],
        "customer_name": wire.get("customer_name") if names else None,
        "items": [{"name": i["name"], "quantity": i["quantity"]} for i in wire["items"]],
        "created_at": wire["created_at"],
        # Scheduled orders (SPEC: Scheduling and pacing) carry due_at; the orders of a
        # server without scheduling have none.
        "due_at": wire.get("due_at"),
        "ready_at": wire.get("ready_at"),
    }
