"""An order's event log as an audit trail a manager reads: when, what changed from what to
what, and who did it (the token's name and role, or the server itself)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kds_contract import ORDER_CREATED, ORDER_DELETED, ORDER_STATUS_UPDATED, ORDER_UPDATED

EDITABLE = {
    "order_type": "type",
    "table": "table",
    "customer_name": "customer",
    "customer_email": "email",
    "priority": "priority",
    "notes": "notes",
    "total_cents": "total",
}
"""The order's fields an edit may change, with the words for them."""


@dataclass(frozen=True)
class HistoryLine:
    """One change of the order."""

    seq: int
    at: datetime | None
    what: str
    who: str = ""
    """``till-1 (pos)``, ``server``, or ``""`` for a change recorded before the log kept it."""


def describe(events: list[Any]) -> list[HistoryLine]:
    """Lines for ``events`` (``kds_client`` Events of one order, oldest first)."""
    lines: list[HistoryLine] = []
    before: dict[str, Any] | None = None
    for event in sorted(events, key=lambda e: e.seq):
        data = event.data or {}
        order = data.get("order") if isinstance(data.get("order"), dict) else None
        what = _what(event.type, data, before, order)
        lines.append(
            HistoryLine(event.seq, _when(event.at), what, who(getattr(event, "actor", None)))
        )
        if order is not None:
            before = order
    return lines


def who(actor: dict[str, Any] | None) -> str:
    """The token that made a change, as ``name (role)``; ``server`` for the server's own."""
    if not actor:
        return ""
    if actor.get("kind") == "server":
        return "server"
    role = f" ({actor['role']})" if actor.get("role") else ""
    return f"{actor.get('name') or 'token ' + str(actor.get('token_id'))}{role}"


def _what(
    kind: str, data: dict[str, Any], before: dict[str, Any] | None, after: dict[str, Any] | None
) -> str:
    if kind == ORDER_CREATED:
        status = (after or {}).get("status", "pending")
        items = ", ".join(_item(i) for i in (after or {}).get("items", []))
        return f"created ({status}): {items}" if items else f"created ({status})"
    if kind == ORDER_STATUS_UPDATED:
        return f"{data.get('oldStatus', '?')} -> {data.get('newStatus', '?')}"
    if kind == ORDER_DELETED:
        return "deleted"
    if kind == ORDER_UPDATED:
        return _edit(before, after)
    return kind


def _value(key: str, value: Any) -> str:
    if value is None or value == "":
        return "-"
    if key == "total_cents" and isinstance(value, int):
        return f"{value / 100:.2f}"
    if isinstance(value, str) and (" " in value or not value):
        return f"'{value}'"
    return str(value)


def _item(item: dict[str, Any]) -> str:
    text = f"{item.get('quantity', 1)}x {item.get('name', '?')}"
    text += "".join(f" +{m}" for m in item.get("modifiers") or [])
    if item.get("station"):
        text += f" @{item['station']}"
    if item.get("notes"):
        text += f" # {item['notes']}"
    return text


def _edit(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    if before is None or after is None:
        return "edited"
    parts = [
        f"{label}: {_value(key, before.get(key))} -> {_value(key, after.get(key))}"
        for key, label in EDITABLE.items()
        if before.get(key) != after.get(key)
    ]
    old_items = {item.get("id"): item for item in before.get("items", [])}
    new_items = {item.get("id"): item for item in after.get("items", [])}
    for item_id, item in new_items.items():
        old = old_items.get(item_id)
        if old is None:
            parts.append(f"added {_item(item)}")
            continue
        if old.get("done") != item.get("done"):
            parts.append(f"{item.get('name')} {'done' if item.get('done') else 'not done'}")
        if _item(old) != _item(item):
            parts.append(f"item {_item(old)} -> {_item(item)}")
    parts += [f"removed {_item(item)}" for i, item in old_items.items() if i not in new_items]
    return "; ".join(parts) or "edited"


def _when(at: Any) -> datetime | None:
    if isinstance(at, datetime):
        return at
    try:
        return datetime.fromisoformat(str(at).replace("Z", "+00:00"))
    except ValueError:
        return None
