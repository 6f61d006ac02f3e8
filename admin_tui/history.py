"""An order's event log, told as lines a manager reads: when, what, from which status to which."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kds_contract import ORDER_CREATED, ORDER_DELETED, ORDER_STATUS_UPDATED, ORDER_UPDATED

EDITABLE = {
    "order_type": "type",
    "table": "table",
    "customer_name": "customer",
    "priority": "priority",
    "notes": "notes",
    "total_cents": "total",
}


@dataclass(frozen=True)
class HistoryLine:
    """One change of the order."""

    seq: int
    at: datetime | None
    what: str


def describe(events: list[Any]) -> list[HistoryLine]:
    """Lines for ``events`` (``kds_client`` Events of one order, oldest first)."""
    lines: list[HistoryLine] = []
    before: dict[str, Any] | None = None
    for event in sorted(events, key=lambda e: e.seq):
        data = event.data or {}
        order = data.get("order") if isinstance(data.get("order"), dict) else None
        lines.append(
            HistoryLine(event.seq, _when(event.at), _what(event.type, data, before, order))
        )
        if order is not None:
            before = order
    return lines


def _what(
    kind: str, data: dict[str, Any], before: dict[str, Any] | None, after: dict[str, Any] | None
) -> str:
    if kind == ORDER_CREATED:
        status = (after or {}).get("status", "pending")
        return f"created ({status})"
    if kind == ORDER_STATUS_UPDATED:
        return f"{data.get('oldStatus', '?')} -> {data.get('newStatus', '?')}"
    if kind == ORDER_DELETED:
        return "deleted"
    if kind == ORDER_UPDATED:
        return _edit(before, after)
    return kind


def _edit(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    if before is None or after is None:
        return "edited"
    changed = [label for key, label in EDITABLE.items() if before.get(key) != after.get(key)]
    old_items = {item.get("id"): item for item in before.get("items", [])}
    new_items = {item.get("id"): item for item in after.get("items", [])}
    marks = []
    for item_id, item in new_items.items():
        old = old_items.get(item_id)
        if old is not None and old.get("done") != item.get("done"):
            marks.append(f"{item.get('name')} {'done' if item.get('done') else 'not done'}")
    strip = ("done",)
    if _items_without(old_items, strip) != _items_without(new_items, strip):
        changed.append("items")
    parts = []
    if changed:
        parts.append("edited " + ", ".join(changed))
    parts.extend(marks)
    return "; ".join(parts) or "edited"


def _items_without(items: dict[Any, dict[str, Any]], keys: tuple[str, ...]) -> dict[Any, Any]:
    return {k: {f: v for f, v in item.items() if f not in keys} for k, item in items.items()}


def _when(at: Any) -> datetime | None:
    if isinstance(at, datetime):
        return at
    try:
        return datetime.fromisoformat(str(at).replace("Z", "+00:00"))
    except ValueError:
        return None
