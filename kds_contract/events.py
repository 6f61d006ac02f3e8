"""Socket.IO event names, rooms and roles (SPEC: Real-time, Roles and tokens)."""

from __future__ import annotations

from enum import StrEnum

ORDER_CREATED = "order:created"
ORDER_STATUS_UPDATED = "order:statusUpdated"
ORDER_UPDATED = "order:updated"
ORDER_DELETED = "order:deleted"
EVENT_TYPES: tuple[str, ...] = (ORDER_CREATED, ORDER_STATUS_UPDATED, ORDER_UPDATED, ORDER_DELETED)

JOIN_KITCHEN = "join:kitchen"
JOIN_ADMIN = "join:admin"
JOIN_USER = "join:user"

ROOM_KITCHEN = "kitchen"
ROOM_ADMIN = "admin"


def user_room(user_id: str) -> str:
    """The room a customer's status updates go to."""
    return f"user:{user_id}"


class Role(StrEnum):
    """What a token may do."""

    ADMIN = "admin"
    KITCHEN = "kitchen"
    POS = "pos"
    CUSTOMER = "customer"
