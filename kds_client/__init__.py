"""The one Python client of the KDS server: REST calls, a live feed that never misses a
change, and a local store of orders. Both apps, the tests and scripts use it.

No Textual import here: the apps turn the feed's callbacks into their own messages.
Logging goes to the ``kds_client`` logger, silent unless the application configures logging.
"""

import logging

from kds_client.errors import (
    Conflict,
    Forbidden,
    Invalid,
    KdsError,
    NotFound,
    Offline,
    ServerError,
    TooManyRequests,
    Unauthorized,
)
from kds_client.feed import ConnectionState, FeedStatus, LiveFeed
from kds_client.rest import EventPage, KdsRest, OrderPage
from kds_client.store import Change, Event, OrderStore

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "Change",
    "Conflict",
    "ConnectionState",
    "Event",
    "EventPage",
    "FeedStatus",
    "Forbidden",
    "Invalid",
    "KdsError",
    "KdsRest",
    "LiveFeed",
    "NotFound",
    "Offline",
    "OrderPage",
    "OrderStore",
    "ServerError",
    "TooManyRequests",
    "Unauthorized",
]
