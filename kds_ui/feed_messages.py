"""The live feed's callbacks as Textual messages, for both apps.

The feed (``kds_client.LiveFeed``) calls back in the event loop; an app turns each callback
into one of these and posts it to the widgets and screens that care.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from kds_client.feed import FeedStatus
from kds_client.store import Change


@dataclass
class OrderChanged(Message):
    """One change the server committed (created, moved, edited, deleted) or a reload."""

    change: Change


@dataclass
class FeedStatusChanged(Message):
    """The live feed's connection state changed; only the latest one matters, so a newer
    one replaces an older one still in the queue."""

    status: FeedStatus

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FeedStatusChanged)
