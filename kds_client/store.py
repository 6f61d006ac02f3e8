"""A local copy of the server's orders that converges: events are applied strictly by seq.

The server numbers every change it commits (``seq``). The store remembers the last seq it
applied, ignores anything at or below it (duplicates, stale replays), and holds back events
that arrive ahead of a missing one until the gap is filled, either by the missing event
itself (python-socketio runs each incoming event as its own task, so arrival order is not
seq order) or by a catch-up from ``GET /api/events?after=<last_seq>``, which is authoritative.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from kds_contract import (
    OPEN_STATUSES,
    ORDER_CREATED,
    ORDER_DELETED,
    ORDER_STATUS_UPDATED,
    ORDER_UPDATED,
    Order,
)
from kds_contract.models import printable_order

log = logging.getLogger(__name__)


def parse_order(raw: Any) -> Order:
    """An order from the server, as the apps may show it (no terminal control characters,
    even if an older server stored some)."""
    return printable_order(Order.model_validate(raw))


RESET = "reset"
"""The ``Change.type`` after the store was reloaded from a snapshot."""


@dataclass(frozen=True)
class Event:
    """One committed change, as ``GET /api/events`` lists it and Socket.IO announces it.

    ``data`` is the Socket.IO payload (``{"order", "seq", ...}`` or ``{"orderId", "seq"}``).
    """

    seq: int
    type: str
    order_id: int
    at: str
    data: dict[str, Any] = field(default_factory=dict)
    actor: dict[str, Any] | None = None
    """Who made it (``{kind, token_id, name, role}``), in an order's history only."""

    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> Event:
        """An event from ``GET /api/events`` (``{seq, type, order_id, at, data}``), or from
        an order's history (with ``actor``)."""
        data = raw.get("data") or {}
        actor = raw.get("actor")
        return cls(
            seq=int(raw["seq"]),
            type=str(raw["type"]),
            order_id=int(raw.get("order_id") or _order_id_of(data)),
            at=str(raw.get("at") or ""),
            data=data,
            actor=actor if isinstance(actor, dict) else None,
        )

    @classmethod
    def from_socket(cls, type_: str, payload: dict[str, Any]) -> Event:
        """An event from a Socket.IO message ``type_`` carrying ``payload``.

        A message does not say when the change was made: ``at`` is the order's
        ``updated_at`` (set by that change), or for a delete the time it was received.
        """
        order = payload.get("order")
        at = payload.get("at") or (order.get("updated_at") if isinstance(order, dict) else None)
        return cls(
            seq=int(payload["seq"]),
            type=type_,
            order_id=_order_id_of(payload),
            at=str(at or _now_z()),
            data=payload,
        )

    @property
    def epoch(self) -> str | None:
        """The event log's epoch the change was made in (None from a server without)."""
        epoch = self.data.get("epoch")
        return epoch if isinstance(epoch, str) else None

    def order(self) -> Order | None:
        """The order after the change (None for a delete)."""
        raw = self.data.get("order")
        return parse_order(raw) if isinstance(raw, dict) else None

    def wire(self) -> dict[str, Any]:
        """The event as ``GET /api/events`` lists it: for ``kds-order watch`` and logs."""
        return {
            "seq": self.seq,
            "type": self.type,
            "order_id": self.order_id,
            "at": self.at,
            "data": self.data,
        }


def _now_z() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _order_id_of(payload: dict[str, Any]) -> int:
    if "orderId" in payload:
        return int(payload["orderId"])
    order = payload.get("order")
    if isinstance(order, dict) and "id" in order:
        return int(order["id"])
    raise ValueError("event carries neither orderId nor order.id")


@dataclass(frozen=True)
class Change:
    """What the store tells its listeners after applying one event (or a reset)."""

    type: str
    """A kds_contract event name (``order:created``...) or ``"reset"`` after a snapshot."""
    order_id: int | None
    order: Order | None
    """The order after the change (None when deleted, and for a reset)."""
    previous: Order | None
    """The order before the change (None when created or unknown, and for a reset)."""
    seq: int
    event: Event | None = None
    """The event applied (None for a reset)."""


class OrderStore:
    """Orders by id and the seq they are current at.

    ``apply`` takes an event as authoritative (a catch-up page, in seq order); ``offer``
    takes an event from the live socket, which may come early, late or twice.
    """

    def __init__(self) -> None:
        self.orders: dict[int, Order] = {}
        self.last_seq: int = 0
        self.epoch: str | None = None
        """The event log's epoch the store's seqs belong to (None: a server without epochs)."""
        self.loaded: bool = False
        """True once a snapshot (``reset``) or a catch-up gave the store a known starting seq."""
        self.diverged: bool = False
        """An event of another epoch came: the server's history is not the one the store
        follows (a restore). Only a snapshot (``reset``) clears it."""
        self._ahead: dict[int, Event] = {}

    # -- reading --------------------------------------------------------------------------

    def get(self, order_id: int) -> Order | None:
        """The order with this id, if the store has it."""
        return self.orders.get(order_id)

    def open_orders(self) -> list[Order]:
        """Orders the kitchen still works on (pending, preparing, ready), oldest first."""
        return sorted(
            (o for o in self.orders.values() if o.status in OPEN_STATUSES),
            key=lambda o: (o.created_at, o.id),
        )

    @property
    def has_gap(self) -> bool:
        """True while events are held back waiting for an earlier one."""
        return bool(self._ahead)

    # -- changing -------------------------------------------------------------------------

    def forget_held_back(self) -> None:
        """Drop the events held back; the next catch-up fetches whatever they were."""
        self._ahead.clear()

    def continues(self, epoch: str | None) -> bool:
        """Whether seqs of this epoch continue the store's history. A store that does not
        know its epoch yet (loaded from a seq alone) takes this one as its own."""
        if not self.loaded:
            return True
        if self.epoch is None:
            self.epoch = epoch
            return True
        return epoch == self.epoch

    def reset(self, orders: Iterable[Order], seq: int, epoch: str | None = None) -> Change:
        """Replace everything with a snapshot taken at ``seq`` of the history ``epoch``.

        Held-back events after ``seq`` of that history stay held: follow with ``catch_up``
        (the events after ``seq``, or ``[]``) to apply them.
        """
        self.orders = {o.id: o for o in orders}
        self.last_seq = seq
        self.epoch = epoch
        self.loaded = True
        self.diverged = False
        self._ahead = {s: e for s, e in self._ahead.items() if s > seq and e.epoch == epoch}
        return Change(type=RESET, order_id=None, order=None, previous=None, seq=seq)

    def apply(self, event: Event) -> Change | None:
        """Apply an event known to be the next one (a catch-up page, in order).

        Returns None, changing nothing, for a duplicate or stale event (``seq <= last_seq``)
        or one of a type this client does not know.
        """
        if event.seq <= self.last_seq:
            return None
        self._ahead.pop(event.seq, None)
        self.last_seq = event.seq
        previous = self.orders.get(event.order_id)
        if event.type == ORDER_DELETED:
            self.orders.pop(event.order_id, None)
            return Change(event.type, event.order_id, None, previous, event.seq, event)
        if event.type not in (ORDER_CREATED, ORDER_STATUS_UPDATED, ORDER_UPDATED):
            log.warning("ignoring event %s of unknown type %r", event.seq, event.type)
            return None
        try:
            order = event.order()
        except ValidationError:
            log.exception("event %s carries an order this client cannot read", event.seq)
            return None
        if order is None:
            log.warning("event %s (%s) carries no order", event.seq, event.type)
            return None
        self.orders[order.id] = order
        return Change(event.type, order.id, order, previous, event.seq, event)

    def offer(self, event: Event) -> list[Change]:
        """Take an event from the live feed: apply it if it is next, else hold it back.

        Returns the changes applied: this event and any held-back ones it unblocked, in seq
        order. Stale and duplicate events change nothing, and so does an event of another
        epoch (it sets ``diverged``: the store must be reloaded).
        """
        if event.epoch is not None and self.loaded and self.epoch not in (None, event.epoch):
            self.diverged = True
            return []
        if event.seq <= self.last_seq:
            return self._drain() if self.loaded else []
        if not self.loaded or event.seq != self.last_seq + 1:
            self._ahead.setdefault(event.seq, event)
            return self._drain() if self.loaded else []
        return self._collect([self.apply(event)]) + self._drain()

    def catch_up(self, events: Iterable[Event]) -> list[Change]:
        """Apply a page of ``GET /api/events`` (authoritative, may skip seqs), then unblock."""
        applied = [self.apply(e) for e in sorted(events, key=lambda e: e.seq)]
        self.loaded = True
        return self._collect(applied) + self._drain()

    def _drain(self) -> list[Change]:
        changes: list[Change | None] = []
        for seq in sorted(self._ahead):
            if seq <= self.last_seq:
                del self._ahead[seq]
            elif seq == self.last_seq + 1:
                changes.append(self.apply(self._ahead.pop(seq)))
            else:
                break
        return self._collect(changes)

    @staticmethod
    def _collect(changes: list[Change | None]) -> list[Change]:
        return [c for c in changes if c is not None]
