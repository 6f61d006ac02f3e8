"""Learned prep times: how long each item really took, read from the event log.

An item's time runs from when it could be started, the later of the order's start (its
move from pending to preparing) and the item's own ``fire_at``, to when it was marked done,
or to when the order became ready if it was not marked done before. The first of each
counts (an undo and a redo do not count twice). An order whose start is not in the events
read (started before the period) gives nothing. Pure: the events come in, in seq order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

from kds_contract import ORDER_DELETED, ORDER_STATUS_UPDATED, ORDER_UPDATED
from kds_contract.menu import MenuItem, PrepSuggestion, menu_key


def _time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass
class PrepTimes:
    """Samples of items' prep times, by menu key, gathered event by event."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    """The name as first seen, for each key."""
    _started: dict[int, datetime] = field(default_factory=dict)
    _counted: dict[int, set[int]] = field(default_factory=dict)

    def add(self, kind: str, at: datetime, payload: Mapping[str, Any]) -> None:
        """One event of the log (its type, time and payload)."""
        if kind == ORDER_DELETED:
            self._forget(int(payload.get("orderId", 0)))
            return
        order = payload.get("order")
        if not isinstance(order, dict):
            return
        order_id = int(order["id"])
        items = [i for i in order.get("items", []) if isinstance(i, dict)]
        if kind == ORDER_STATUS_UPDATED:
            old, new = payload.get("oldStatus"), payload.get("newStatus")
            if old == "pending" and new == "preparing" and order_id not in self._started:
                self._started[order_id] = at
                counted = self._counted.setdefault(order_id, set())
                counted.update(int(i["id"]) for i in items if i.get("done"))  # done before
            elif new == "ready" and order_id in self._started:
                self._sample(order_id, at, items, lambda item: True)
                self._forget(order_id)
            elif new in ("cancelled", "pending"):
                self._forget(order_id)
        elif kind == ORDER_UPDATED and order_id in self._started:
            self._sample(order_id, at, items, lambda item: bool(item.get("done")))

    def _sample(self, order_id: int, at: datetime, items: list[dict[str, Any]], ended: Any) -> None:
        counted = self._counted.setdefault(order_id, set())
        start = self._started[order_id]
        for item in items:
            item_id = int(item["id"])
            if item_id in counted or not ended(item):
                continue
            counted.add(item_id)
            fired = _time(item.get("fire_at"))
            began = max(start, fired) if fired is not None else start
            seconds = (at - began).total_seconds()
            if seconds < 0:
                continue  # marked done before its own fire time: no measure of its prep
            name = str(item.get("name", ""))
            key = menu_key(name)
            self.names.setdefault(key, name)
            self.samples.setdefault(key, []).append(seconds)

    def _forget(self, order_id: int) -> None:
        self._started.pop(order_id, None)
        self._counted.pop(order_id, None)

    def suggestions(self, menu: Iterable[MenuItem]) -> list[PrepSuggestion]:
        """Per item name (those measured and those on the menu), the median and p90 beside
        the menu's prep time; by name."""
        on_menu = {menu_key(item.name): item for item in menu}
        keys = sorted(set(self.samples) | set(on_menu))
        found = []
        for key in keys:
            values = sorted(self.samples.get(key, []))
            item = on_menu.get(key)
            found.append(
                PrepSuggestion(
                    name=item.name if item else self.names[key],
                    menu_prep_seconds=item.prep_seconds if item else None,
                    median_s=round(median(values), 1) if values else None,
                    p90_s=round(values[math.ceil(0.9 * len(values)) - 1], 1) if values else None,
                    n=len(values),
                )
            )
        return found
