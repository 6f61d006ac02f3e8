"""The messages the live feed's callbacks become, so widgets hear about I/O the Textual way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class OrderChanged(Message):
    """The store applied one change (``change`` is a ``kds_client.store.Change``)."""

    change: Any


@dataclass
class FeedStatusChanged(Message):
    """The feed's connection state changed (``status`` is a ``kds_client.feed.FeedStatus``)."""

    status: Any

    def can_replace(self, message: Message) -> bool:
        # Only the latest connection state matters.
        return isinstance(message, FeedStatusChanged)
