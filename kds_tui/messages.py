"""Messages: what the live feed's callbacks become, and what the board asks the app to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from kds_contract import Item, Order, Status


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


@dataclass
class MoveRequested(Message):
    """Move an order to another status (the app asks the server)."""

    order: Order
    target: Status


@dataclass
class ItemDoneRequested(Message):
    """Mark an item of an order done, or not done (the app asks the server)."""

    order: Order
    item: Item
    done: bool


@dataclass
class PartDoneRequested(Message):
    """A station finished its part of an order: mark its items done (the app asks)."""

    order: Order
    station: str


@dataclass
class PageChanged(Message):
    """The page on screen, the number of pages, or the new orders not yet seen changed."""

    page: int
    pages: int
    new_id: int | None = None
    """The oldest new order not yet on screen, if any..."""
    new_page: int | None = None
    """... the page its ticket is on..."""
    new_count: int = 0
    """... and how many new orders are not yet on screen."""


@dataclass
class TicketClicked(Message):
    """A ticket was clicked: select it."""

    order_id: int


@dataclass
class BoardLaidOut(Message):
    """The board laid its tickets out again (a notice may have to move off the selection)."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BoardLaidOut)
