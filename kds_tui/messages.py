"""Messages: what the live feed's callbacks become, and what the board asks the app to do."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from kds_contract import Item, Order, Status
from kds_ui.feed_messages import FeedStatusChanged, OrderChanged

__all__ = [
    "BoardLaidOut",
    "FeedStatusChanged",
    "ItemDoneRequested",
    "MoveRequested",
    "OrderChanged",
    "PageChanged",
    "PartDoneRequested",
    "TicketClicked",
]


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


@dataclass
class ItemsFired(Message):
    """Items of this board's station reached their fire time: start them now."""

    order: Order
    items: list[Item]
