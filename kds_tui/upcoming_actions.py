"""The kitchen display's part in scheduling: the upcoming strip kept up to date, the keys
that fire a scheduled order early, and the bell when a station's held items fire."""

from __future__ import annotations

from typing import Any

from kds_contract import Status
from kds_tui.messages import ItemsFired
from kds_tui.pacing import upcoming
from kds_tui.widgets.upcoming import UpcomingStrip


class UpcomingActions:
    """Mixed into ``KitchenApp`` (which has the feed, the clock, notices and ``_move``)."""

    feed: Any
    clock: Any
    _upcoming: UpcomingStrip | None
    _ring_due: bool

    def _move(self, order: Any, target: Status, *, remember: bool = True) -> Any:
        raise NotImplementedError  # KitchenActions'

    def _note(self, message: str) -> None:
        raise NotImplementedError  # KitchenApp's

    def key_display_for(self, binding_id: str) -> str:
        raise NotImplementedError  # KitchenApp's

    def _show_upcoming(self) -> None:
        """The scheduled orders and their countdowns, as of now, with the strip's keys."""
        if self._upcoming is not None:
            fire, pick = (self.key_display_for(k) for k in ("fire_upcoming", "next_upcoming"))
            keys = f"{fire} fire now · {pick} next"
            self._upcoming.show(upcoming(self.feed.store.orders.values()), self.clock(), keys)

    def upcoming_action(self, action: str) -> bool | None:
        """Whether a key of the strip does something now (``check_action``); None: not one
        of them."""
        if action not in ("fire_upcoming", "next_upcoming"):
            return None
        return self._upcoming is not None and bool(self._upcoming.orders)

    def action_fire_upcoming(self) -> None:
        """Send the selected scheduled order to the kitchen now, before its fire time."""
        chosen = self._upcoming.chosen() if self._upcoming is not None else None
        if chosen is not None:
            self._move(chosen, Status.PENDING, remember=False)

    def action_next_upcoming(self) -> None:
        """Pick the next scheduled order in the upcoming strip (for the fire key)."""
        if self._upcoming is not None:
            self._upcoming.select_next()

    def on_items_fired(self, message: ItemsFired) -> None:
        """Items of this station reached their fire time: the bell, and what to start."""
        names = ", ".join(f"{i.quantity}x {i.name}" for i in message.items)
        self._ring_due = True
        self._note(f"#{message.order.id}: start {names}")
