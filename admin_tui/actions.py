"""What a person can do to an order, shared by the table and the detail screen.

Each action asks what it must (which status, are you sure, the form), then sends the request
in a worker; the server's answer, or its reason for refusing, is shown as a notification.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from textual import work
from textual.message import Message

from admin_tui.console import Console
from admin_tui.formatting import identity, move_label
from admin_tui.messages import OrderSaved
from admin_tui.screens.confirm import ConfirmScreen
from admin_tui.screens.move import MoveScreen
from admin_tui.screens.order_form import OrderFormScreen
from kds_client.errors import KdsError
from kds_contract import TRANSITIONS, Order, Status, can_edit, can_move


class OrderActions(Console):
    """The base of :class:`~admin_tui.app.AdminApp`: move, cancel, delete, edit, create."""

    def broadcast(self, message: Message) -> None:
        """Post ``message`` to every screen on the stack (each gets its own copy)."""
        for screen in self.screen_stack:
            screen.post_message(_copy(message))

    def start_move(self, order: Order, *, ask_which: bool = False) -> None:
        """Offer the moves allowed from the order's status, then make the chosen one.

        ``ask_which``: the list moved under the cursor a moment ago; first ask whether this
        is the order meant."""
        if not TRANSITIONS[order.status]:
            self.notify(
                f"Order {order.id} is {order.status.value}: it cannot move any more.",
                severity="warning",
            )
            return

        def chosen(target: Status | None) -> None:
            if target == Status.CANCELLED:
                self.start_cancel(order)
            elif target is not None:
                self.send_move(order, target)

        def this_one(yes: bool | None) -> None:
            if yes:
                self.push_screen(MoveScreen(order), chosen)

        if ask_which:
            question = f"The list moved just now. Move {identity(order)}?"
            self.push_screen(ConfirmScreen(question, yes="This one", danger=False), this_one)
        else:
            self.push_screen(MoveScreen(order), chosen)

    def start_cancel(self, order: Order) -> None:
        """Ask, then cancel the order."""
        if not can_move(order.status, Status.CANCELLED):
            self.notify(
                f"Order {order.id} is {order.status.value}: it cannot be cancelled.",
                severity="warning",
            )
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.send_move(order, Status.CANCELLED)

        self.push_screen(
            ConfirmScreen(
                f"Cancel {identity(order)}? It is {order.status.value}.", yes="Cancel it"
            ),
            answered,
        )

    def start_delete(self, order: Order) -> None:
        """Ask, then delete the order for good."""

        def answered(yes: bool | None) -> None:
            if yes:
                self.send_delete(order)

        self.push_screen(
            ConfirmScreen(
                f"Delete {identity(order)} for good? This cannot be undone.", yes="Delete"
            ),
            answered,
        )

    def start_edit(self, order: Order) -> None:
        """Open the form on the order; it saves through the server itself."""
        if not can_edit(order.status):
            # The contract's rule, told before any typing.
            self.notify(
                f"Order {order.id} is {order.status.value}: it can no longer be edited.",
                severity="warning",
            )
            return

        async def save(changes: dict[str, Any]) -> Order:
            self.feed.require_live()
            return await self.rest.edit_order(order.id, changes)

        async def reload() -> Order:
            return await self.rest.get_order(order.id)

        def saved(result: Order | None) -> None:
            if result is not None:
                self.broadcast(OrderSaved(result))
                self.notify(f"Order {result.id} saved.")

        self.push_screen(OrderFormScreen(save, order, reload=reload), saved)

    def start_create(self) -> None:
        """Open an empty form for a phone order."""

        async def save(payload: dict[str, Any]) -> Order:
            self.feed.require_live()
            return await self.rest.create_order(payload)

        def saved(result: Order | None) -> None:
            if result is not None:
                self.notify(f"Order {result.id} created.")

        self.push_screen(OrderFormScreen(save), saved)

    @work(group="actions")
    async def send_move(self, order: Order, target: Status) -> None:
        """Move the order, refusing if someone changed it since it was shown (version)."""
        try:
            self.feed.require_live()
            moved = await self.rest.move(order.id, target, version=order.version)
        except KdsError as error:
            self.notify(error.message, title=f"Order {order.id} not moved", severity="error")
            return
        self.broadcast(OrderSaved(moved))
        self.notify(f"Order {order.id}: {move_label(order.status, target)}.")

    @work(group="actions")
    async def send_delete(self, order: Order) -> None:
        """Delete the order."""
        try:
            self.feed.require_live()
            await self.rest.delete_order(order.id)
        except KdsError as error:
            self.notify(error.message, title=f"Order {order.id} not deleted", severity="error")
            return
        self.broadcast(OrderSaved(None, deleted_id=order.id))
        self.notify(f"Order {order.id} deleted.")


def _copy(message: Message) -> Message:
    data: Any = message  # every message the app broadcasts is a dataclass
    return type(message)(**{f.name: getattr(message, f.name) for f in fields(data)})
