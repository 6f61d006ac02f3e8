"""What the kitchen is told about a change made somewhere else: bell, highlight, words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kds_contract import ORDER_CREATED, ORDER_STATUS_UPDATED, ORDER_UPDATED, Order, Status
from kds_tui.model import STATUS_LABELS, describe_edit


@dataclass(frozen=True)
class Alert:
    """How to announce one change."""

    ring: bool = False
    highlight: bool = False
    message: str = ""
    title: str = ""
    severity: Literal["information", "warning", "error"] = "information"
    timeout: float = 3.0


def alert_for(kind: str, order: Order, previous: Order | None) -> Alert | None:
    """The alert for a change of ``kind`` (a kds_contract event name), or None."""
    if kind == ORDER_CREATED:
        return Alert(ring=True, highlight=True)
    if kind == ORDER_STATUS_UPDATED and order.status == Status.CANCELLED:
        return Alert(ring=True, message=f"#{order.id} CANCELLED", severity="warning", timeout=6)
    if kind == ORDER_STATUS_UPDATED:
        return Alert(message=f"#{order.id} is now {STATUS_LABELS[order.status]}")
    if kind == ORDER_UPDATED and previous is not None:
        changes = describe_edit(previous, order)
        if changes:
            return Alert(
                ring=True,
                highlight=True,
                message=" · ".join(changes),
                title=f"#{order.id} changed",
                severity="warning",  # it rang: not to be replaced by a passing status move
                timeout=10,
            )
        before = {i.id: i.done for i in previous.items}
        ticked = [i.name for i in order.items if i.done and not before.get(i.id)]
        what = f"{', '.join(ticked)} done" if ticked else "item marked not done"
        return Alert(message=f"#{order.id}: {what}")
    return None
