"""What the live feed tells the widgets, as Textual messages.

The feed (``kds_client.LiveFeed``) calls back in the event loop; the app turns each callback
into one of these and posts it to the screens that care.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from kds_client.feed import FeedStatus
from kds_client.store import Change
from kds_contract import Order


@dataclass
class OrderChanged(Message):
    """One change the server committed (created, moved, edited, deleted) or a reload."""

    change: Change


@dataclass
class FeedStatusChanged(Message):
    """The live feed's connection state changed; newer replaces older in the queue."""

    status: FeedStatus

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FeedStatusChanged)


@dataclass
class OrderSaved(Message):
    """An action of ours went through: show its result now, without waiting for the feed."""

    order: Order | None
    deleted_id: int | None = None
