"""Order statuses and the only moves allowed between them (SPEC: Orders)."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where an order is in the kitchen."""

    SCHEDULED = "scheduled"
    """Waiting for its fire time (SPEC: Scheduling and pacing); the server fires it."""
    PENDING = "pending"
    PREPARING = "preparing"
    READY = "ready"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.SCHEDULED: frozenset({Status.PENDING, Status.CANCELLED}),
    Status.PENDING: frozenset({Status.PREPARING, Status.CANCELLED}),
    Status.PREPARING: frozenset({Status.READY, Status.PENDING, Status.CANCELLED}),
    Status.READY: frozenset({Status.COMPLETED, Status.PREPARING, Status.CANCELLED}),
    Status.COMPLETED: frozenset({Status.READY}),
    Status.CANCELLED: frozenset(),
}
"""The one table of allowed moves: from a status to the statuses it may go to."""

_FORWARD: dict[Status, Status] = {
    Status.PENDING: Status.PREPARING,
    Status.PREPARING: Status.READY,
    Status.READY: Status.COMPLETED,
}
_UNDO: dict[Status, Status] = {
    Status.PREPARING: Status.PENDING,
    Status.READY: Status.PREPARING,
    Status.COMPLETED: Status.READY,
}

OPEN_STATUSES: tuple[Status, ...] = (Status.PENDING, Status.PREPARING, Status.READY)
"""Statuses of orders the kitchen still has to work on."""

UPCOMING_STATUSES: tuple[Status, ...] = (Status.SCHEDULED,)
"""Statuses of orders the kitchen will work on later: shown apart, as coming."""


def fire(current: Status | str) -> Status | None:
    """Where firing an order by hand takes it (a scheduled order: pending), or None."""
    return Status.PENDING if Status(current) is Status.SCHEDULED else None


def can_edit(current: Status | str) -> bool:
    """Whether an order in this status may be edited (a cancelled one may not)."""
    return Status(current) != Status.CANCELLED


def can_move(current: Status | str, target: Status | str) -> bool:
    """Whether the table allows moving an order from ``current`` to ``target``."""
    return Status(target) in TRANSITIONS[Status(current)]


def forward(current: Status | str) -> Status | None:
    """The next status on the kitchen's path (start, finish, bump), or None at the end."""
    return _FORWARD.get(Status(current))


def undo(current: Status | str) -> Status | None:
    """The status one step back (undo, or recall for a completed order), or None."""
    return _UNDO.get(Status(current))


def refusal(current: Status | str, target: Status | str) -> str:
    """A sentence a person can act on, for a move the table does not allow."""
    current, target = Status(current), Status(target)
    allowed = sorted(TRANSITIONS[current])
    if not allowed:
        return f"order is {current}; a {current} order cannot change status"
    return (
        f"cannot move an order from {current} to {target}; "
        f"from {current} it may go to {', '.join(allowed)}"
    )
