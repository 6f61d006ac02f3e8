"""What the live feed tells the widgets, as Textual messages.

The feed (``kds_client.LiveFeed``) calls back in the event loop; the app turns each callback
into one of these and posts it to the screens that care.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from kds_contract import Order
from kds_ui.feed_messages import FeedStatusChanged, OrderChanged

__all__ = ["FeedStatusChanged", "OrderChanged", "OrderSaved"]


@dataclass
class OrderSaved(Message):
    """An action of ours went through: show its result now, without waiting for the feed."""

    order: Order | None
    deleted_id: int | None = None
