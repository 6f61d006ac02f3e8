"""An order's status times: each status keeps the first time it was entered; an undo or a
recall clears what no longer holds and never rewrites what did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kds_contract import OrderCreate, Status
from server import domain

START = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def test_a_recall_keeps_the_first_ready_time_and_clears_completion() -> None:
    """The integrator's sequence: ready at +1.2 s, completed, recalled at +6 s."""
    order = domain.new_order(OrderCreate.model_validate({"items": [{"name": "Soup"}]}), 1, START)
    order = domain.move(order, Status.PREPARING, None, at(0.5))
    order = domain.move(order, Status.READY, None, at(1.2))
    order = domain.move(order, Status.COMPLETED, None, at(3.0))
    recalled = domain.move(order, Status.READY, None, at(6.0))

    assert recalled.status is Status.READY
    assert recalled.ready_at == at(1.2), "the first time it was ready, not the recall's"
    assert recalled.completed_at is None, "it is not completed any more"
    assert (recalled.pending_at, recalled.preparing_at) == (START, at(0.5))
    assert recalled.updated_at == at(6.0), "the recall's own time is the change's"

    again = domain.move(recalled, Status.COMPLETED, None, at(7.8))
    assert (again.ready_at, again.completed_at) == (at(1.2), at(7.8))


def test_an_undo_clears_the_status_left_and_keeps_the_earlier_ones() -> None:
    order = domain.new_order(OrderCreate.model_validate({"items": [{"name": "Tea"}]}), 1, START)
    order = domain.move(order, Status.PREPARING, None, at(1))
    order = domain.move(order, Status.READY, None, at(2))
    undone = domain.move(order, Status.PREPARING, None, at(3))
    assert (undone.preparing_at, undone.ready_at) == (at(1), None)
    back = domain.move(undone, Status.PENDING, None, at(4))
    assert (back.pending_at, back.preparing_at, back.ready_at) == (START, None, None)
    cancelled = domain.move(back, Status.CANCELLED, None, at(5))
    assert (cancelled.pending_at, cancelled.cancelled_at) == (START, at(5))
