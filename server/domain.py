"""The order rules: creating, moving, editing and marking items done.

Pure functions over ``kds_contract.Order``; no web and no database imports. The
transition table itself lives in ``kds_contract.statuses``, shared with the clients.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from kds_contract import Item, Order, OrderCreate, OrderEdit, Status
from kds_contract.menu import MenuItem
from kds_contract.models import utc_z
from kds_contract.statuses import can_edit, can_move, refusal
from kds_contract.tracking import TRACKING_CODE_BYTES
from server import pacing
from server.pacing import PacingRules


@dataclass(frozen=True)
class Actor:
    """Who made a change: an API token (its id, name and role) or the server itself."""

    kind: Literal["token", "server"]
    name: str
    token_id: int | None = None
    role: str | None = None

    @classmethod
    def token(cls, token_id: int, name: str, role: str) -> Actor:
        return cls("token", name, token_id, role)

    def wire(self) -> dict[str, Any]:
        """As the event log stores it and an order's history shows it."""
        return {"kind": self.kind, "token_id": self.token_id, "name": self.name, "role": self.role}


SERVER = Actor("server", "server")
"""The server's own changes (a scheduled order coming due, say)."""


class DomainError(Exception):
    """A rule refused the operation; ``code`` is stable, ``message`` is for people."""

    code = "domain_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class OrderNotFound(DomainError):
    code = "not_found"


class ItemNotFound(DomainError):
    code = "not_found"


class MoveRefused(DomainError):
    code = "invalid_transition"


class StaleVersion(DomainError):
    code = "stale_version"


class OrderClosed(DomainError):
    code = "order_closed"


class InvalidChange(DomainError):
    code = "invalid"


class AlreadyFired(DomainError):
    code = "already_fired"


class ItemHeld(DomainError):
    """An item marked done before it fired: not started yet, so not done."""

    code = "item_held"


NO_MENU: Mapping[str, MenuItem] = {}
DEFAULT_RULES = PacingRules()


def _check_due(due_at: datetime, now: datetime, rules: PacingRules) -> None:
    problem = pacing.due_problem(due_at, now, rules)
    if problem is not None:
        raise InvalidChange(f"due_at: {problem}", field="due_at")


def new_tracking_code() -> str:
    """A fresh tracking code: 128 random bits from the OS, in URL-safe base64."""
    return secrets.token_urlsafe(TRACKING_CODE_BYTES)


def new_order(
    data: OrderCreate,
    order_id: int,
    now: datetime,
    tracking_code: str | None = None,
    *,
    menu: Mapping[str, MenuItem] = NO_MENU,
    rules: PacingRules = DEFAULT_RULES,
) -> Order:
    """A fresh order from what a client sent, with a new tracking code unless one is given:
    pending, or scheduled when it is due later than its prep time from now (``pacing``)."""
    if data.due_at is not None:
        _check_due(data.due_at, now, rules)
    given = [pacing.menu_defaults(item.model_dump(), menu) for item in data.items]
    plan = pacing.plan([item["prep_seconds"] for item in given], data.due_at, now)
    items = [
        Item(id=n, done=False, fire_at=at, **item)
        for n, (item, at) in enumerate(zip(given, plan.item_fire_at, strict=True), 1)
    ]
    fields: dict[str, Any] = data.model_dump(exclude={"items"})
    fields[f"{plan.status}_at"] = now
    return Order(
        id=order_id,
        status=plan.status,
        items=items,
        version=1,
        created_at=now,
        updated_at=now,
        fire_at=plan.fire_at,
        tracking_code=tracking_code or new_tracking_code(),
        **fields,
    )


def check_version(order: Order, expected: int | None) -> None:
    """Refuse a change made against an older version of the order."""
    if expected is not None and expected != order.version:
        raise StaleVersion(
            f"order {order.id} has changed (it is at version {order.version}, the request was "
            f"made against version {expected}); reload it and try again",
            current_version=order.version,
            status=str(order.status),
        )


def move(order: Order, target: Status, expected_version: int | None, now: datetime) -> Order:
    """The order moved to ``target``, if the transition table allows it."""
    check_version(order, expected_version)
    if not can_move(order.status, target):
        raise MoveRefused(
            f"order {order.id}: {refusal(order.status, target)}",
            status=str(order.status),
            requested=str(target),
        )
    update: dict[str, Any] = {}
    if order.status is Status.SCHEDULED and target is Status.PENDING:
        update["fire_at"], update["items"] = pacing.fired_early(order.items, order.fire_at, now)
    return order.model_copy(
        update={
            "status": target,
            "version": order.version + 1,
            "updated_at": now,
            **status_times(order, target, now),
            **update,
        }
    )


def fire(order: Order, now: datetime) -> Order | None:
    """A scheduled order fired (moved to pending) by the server; None when it is no longer
    scheduled (fired by hand, cancelled, or by another server process first)."""
    if order.status is not Status.SCHEDULED:
        return None
    return move(order, Status.PENDING, None, now)


_PATH = (Status.PENDING, Status.PREPARING, Status.READY, Status.COMPLETED)


def status_times(order: Order, target: Status, now: datetime) -> dict[str, datetime | None]:
    """The status times after a move to ``target``: each status keeps the first time it was
    entered; a move back (an undo, a recall) clears the times of the statuses the order is no
    longer past (a recalled order is not completed). The move itself, with its own time, is
    in the event log."""
    if target not in _PATH:  # cancelled: the times so far held
        return {f"{target}_at": getattr(order, f"{target}_at") or now}
    reached = _PATH.index(target)
    times: dict[str, datetime | None] = {f"{status}_at": None for status in _PATH[reached + 1 :]}
    times[f"{target}_at"] = getattr(order, f"{target}_at") or now
    return times


def mark_item(
    order: Order, item_id: int, done: bool, now: datetime, expected_version: int | None = None
) -> Order | None:
    """The order with one item marked done or not; None when nothing changes."""
    check_version(order, expected_version)
    if order.status in (Status.CANCELLED, Status.COMPLETED):
        raise OrderClosed(
            f"order {order.id} is {order.status}; items can only be marked on open orders",
            status=str(order.status),
        )
    for item in order.items:
        if item.id == item_id:
            break
    else:
        raise ItemNotFound(
            f"order {order.id} has no item {item_id}",
            item_ids=[item.id for item in order.items],
        )
    if item.done == done:
        return None
    if done:
        _check_fired(order, item, now)
    items = [i.model_copy(update={"done": done}) if i.id == item_id else i for i in order.items]
    return order.model_copy(
        update={"items": items, "version": order.version + 1, "updated_at": now}
    )


def _check_fired(order: Order, item: Item, now: datetime) -> None:
    """Refuse marking done an item that is not to be started yet: its order is scheduled,
    or its own fire time is still to come (a key meant for the fired items, or a till's
    script, must not finish a dish nobody has started). Marking it not done is always
    allowed."""
    what = f"item {item.id} ({item.name}) of order {order.id}"
    if order.status is Status.SCHEDULED:
        fires = f" at {pacing.iso(order.fire_at)}" if order.fire_at is not None else ""
        raise ItemHeld(
            f"{what} cannot be done: the order is scheduled and fires{fires}; "
            "fire the order first (move it to pending)",
            item_id=item.id,
            fire_at=utc_z(order.fire_at) if order.fire_at is not None else None,
        )
    if item.fire_at is not None and item.held(now):
        wait = math.ceil((item.fire_at - now).total_seconds())
        raise ItemHeld(
            f"{what} is held until {pacing.iso(item.fire_at)} ({wait} s from now) so that "
            "it is ready with the rest of the order; it can be marked done once it fires",
            item_id=item.id,
            fire_at=utc_z(item.fire_at),
        )


def edit(
    order: Order,
    change: OrderEdit,
    now: datetime,
    *,
    menu: Mapping[str, MenuItem] = NO_MENU,
    rules: PacingRules = DEFAULT_RULES,
) -> Order | None:
    """The order with the edited fields; items carrying an existing id keep their done mark.

    A scheduled order's fire times are planned again from its items and due time; a fired
    one's due time cannot change, and its items keep their fire times (an added item fires
    at once). None if the edit changes nothing (no new version, no event, nothing for the
    kitchen)."""
    check_version(order, change.version)
    if not can_edit(order.status):
        raise OrderClosed(
            f"order {order.id} is {order.status} and cannot be edited", status=str(order.status)
        )
    update: dict[str, Any] = {}
    for field, value in change.changes().items():
        if value is None and not can_clear(field):
            raise InvalidChange(
                f"{field}: cannot be null; leave it out to keep the order's {field}",
                field=field,
            )
        if field == "items":
            update["items"] = pacing.with_menu(_edited_items(order, value), menu)
        elif field == "due_at" and value != order.due_at:
            _check_due_edit(order, value, now, rules)
            update[field] = value
        else:
            update[field] = value
    edited = order.model_copy(update=update)
    if order.status is Status.SCHEDULED and {"items", "due_at"} & update.keys():
        fire_at, items = pacing.replanned(edited.items, edited.due_at, now)
        edited = edited.model_copy(update={"fire_at": fire_at, "items": items})
    elif "items" in update:
        kept = {item.id: item for item in order.items}
        edited = edited.model_copy(update={"items": pacing.added_items(kept, edited.items, now)})
    if edited == order:
        return None
    return edited.model_copy(update={"version": order.version + 1, "updated_at": now})


def _check_due_edit(
    order: Order, due_at: datetime | None, now: datetime, rules: PacingRules
) -> None:
    if order.status is not Status.SCHEDULED:
        fired = order.pending_at or order.fire_at
        raise AlreadyFired(
            f"due_at: order {order.id} is {order.status}: it was fired"
            + (f" at {pacing.iso(fired)}" if fired else "")
            + "; a due time can only change while the order is scheduled",
            field="due_at",
            status=str(order.status),
        )
    if due_at is not None:
        _check_due(due_at, now, rules)


def can_clear(field: str) -> bool:
    """Whether an edit may set ``field`` to null: only fields an order may hold as null."""
    return type(None) in get_args(Order.model_fields[field].annotation)


def _edited_items(order: Order, items: list[Any]) -> list[Item]:
    existing = {item.id: item for item in order.items}
    next_id = max(existing, default=0) + 1
    result: list[Item] = []
    seen: set[int] = set()
    for index, entry in enumerate(items):
        fields = entry.model_dump(exclude={"id"})
        if entry.id is not None:
            # A fault in the body, not a missing resource: 422 naming the field, not 404.
            if entry.id not in existing:
                raise InvalidChange(
                    f"items.{index}.id: order {order.id} has no item {entry.id} to keep; "
                    "leave out 'id' to add a new item",
                    field=f"items.{index}.id",
                    item_ids=sorted(existing),
                )
            if entry.id in seen:
                raise InvalidChange(
                    f"items.{index}.id: item {entry.id} is listed twice",
                    field=f"items.{index}.id",
                    item_id=entry.id,
                )
            seen.add(entry.id)
            result.append(Item(id=entry.id, done=existing[entry.id].done, **fields))
        else:
            result.append(Item(id=next_id, done=False, **fields))
            next_id += 1
    return result
