"""The wire contract shared by the server, the client and both apps.

Statuses and their allowed moves, event and room names, and the shape of an order,
defined once. This package imports no web, database or UI code.
"""

from kds_contract.events import (
    EVENT_TYPES,
    ORDER_CREATED,
    ORDER_DELETED,
    ORDER_STATUS_UPDATED,
    ORDER_UPDATED,
    ROOM_ADMIN,
    ROOM_KITCHEN,
    Role,
    user_room,
)
from kds_contract.models import (
    Item,
    ItemDoneIn,
    ItemIn,
    Order,
    OrderCreate,
    OrderEdit,
    OrderType,
    Priority,
    StatusMoveIn,
)
from kds_contract.statuses import (
    OPEN_STATUSES,
    TRANSITIONS,
    Status,
    can_edit,
    can_move,
    forward,
    undo,
)

__all__ = [
    "EVENT_TYPES",
    "OPEN_STATUSES",
    "ORDER_CREATED",
    "ORDER_DELETED",
    "ORDER_STATUS_UPDATED",
    "ORDER_UPDATED",
    "ROOM_ADMIN",
    "ROOM_KITCHEN",
    "TRANSITIONS",
    "Item",
    "ItemDoneIn",
    "ItemIn",
    "Order",
    "OrderCreate",
    "OrderEdit",
    "OrderType",
    "Priority",
    "Role",
    "Status",
    "StatusMoveIn",
    "can_edit",
    "can_move",
    "forward",
    "undo",
    "user_room",
]
