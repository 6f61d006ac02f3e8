"""Scheduling and pacing (SPEC: Scheduling and pacing): when an order and each of its items
enter the kitchen. Pure functions of the items, the menu and the time; no web or database.

The rules:

- an item without a station or a prep time takes the menu's for its name (trimmed,
  case-insensitive);
- the order's prep time is its largest item prep time (0 when none is known);
- an order due later than now + its prep time is ``scheduled``, to fire at
  ``due_at - prep time``; any other fires now;
- each item fires at ``fire_at + (order prep time - its prep time)``, so all are ready
  together; an item with no known prep time fires with the order;
- behind schedule: the server never moves a fire time later than ``due_at - prep time``
  (however busy the stations are) and never earlier by itself; a person may fire an order
  early, and then its items keep their spacing from the new fire time
  (docs/ARCHITECTURE.md, "Scheduling and pacing").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kds_contract import Item, Status
from kds_contract.menu import MenuItem, menu_key

MAX_DUE_AHEAD = timedelta(days=7)


@dataclass(frozen=True)
class PacingRules:
    """The settings of the rules: how far ahead an order may be due."""

    max_ahead: timedelta = MAX_DUE_AHEAD


@dataclass(frozen=True)
class Plan:
    """Where an order starts: its status, its fire time and its items' fire times."""

    status: Status
    fire_at: datetime
    item_fire_at: list[datetime]


def due_problem(due_at: datetime, now: datetime, rules: PacingRules) -> str | None:
    """What is wrong with ``due_at`` as an order's due time now, in words; None if nothing."""
    if due_at <= now:
        return (
            f"{iso(due_at)} is not in the future (it is now {iso(now)}); give a later time, "
            "or leave due_at out for an order wanted as soon as possible"
        )
    if due_at > now + rules.max_ahead:
        days = rules.max_ahead / timedelta(days=1)
        return (
            f"{iso(due_at)} is more than {days:g} days ahead; orders can be scheduled at most "
            f"{days:g} days ahead (the server's --max-due-days)"
        )
    return None


def iso(value: datetime) -> str:
    """A time as a person reads it in an error: ISO 8601, to the second, UTC with a Z."""
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def menu_defaults(item: dict[str, Any], menu: Mapping[str, MenuItem]) -> dict[str, Any]:
    """An item's fields (as a create sends them), a missing station or prep time taken from
    the menu's entry for its name. Changes and returns ``item``."""
    if menu and (item["station"] is None or item["prep_seconds"] is None):
        known = menu.get(menu_key(item["name"]))
        if known is not None:
            if item["station"] is None:
                item["station"] = known.station
            if item["prep_seconds"] is None:
                item["prep_seconds"] = known.prep_seconds
    return item


def with_menu(items: Sequence[Item], menu: Mapping[str, MenuItem]) -> list[Item]:
    """The items, each without a station or a prep time given the menu's for its name."""
    if not menu:
        return list(items)
    result = []
    for item in items:
        known = menu.get(menu_key(item.name))
        if known is None or (item.station is not None and item.prep_seconds is not None):
            result.append(item)
            continue
        result.append(
            item.model_copy(
                update={
                    "station": item.station if item.station is not None else known.station,
                    "prep_seconds": item.prep_seconds
                    if item.prep_seconds is not None
                    else known.prep_seconds,
                }
            )
        )
    return result


def order_prep(items: Sequence[Item]) -> int:
    """The order's prep time in seconds: its largest item prep time, 0 when none is known."""
    return max((item.prep_seconds or 0 for item in items), default=0)


def fire_times(preps: Sequence[int | None], fire_at: datetime) -> list[datetime]:
    """Each item's fire time, from the items' prep times (None: unknown) and the order's."""
    if not any(preps):  # nothing known: every item fires with the order
        return [fire_at] * len(preps)
    prep = max(p or 0 for p in preps)
    return [fire_at + timedelta(seconds=prep - p) if p else fire_at for p in preps]


def plan(preps: Sequence[int | None], due_at: datetime | None, now: datetime) -> Plan:
    """Where a new order with items of these prep times (and this due time) starts, now."""
    if due_at is not None:
        fire_at = due_at - timedelta(seconds=max((p or 0 for p in preps), default=0))
        if fire_at > now:
            return Plan(Status.SCHEDULED, fire_at, fire_times(preps, fire_at))
    return Plan(Status.PENDING, now, fire_times(preps, now))


def paced(items: Sequence[Item], fire_at: datetime) -> list[Item]:
    """The items with their fire times, for an order that fires at ``fire_at``."""
    times = fire_times([item.prep_seconds for item in items], fire_at)
    return [item.model_copy(update={"fire_at": at}) for item, at in zip(items, times, strict=True)]


def replanned(
    items: Sequence[Item], due_at: datetime | None, now: datetime
) -> tuple[datetime, list[Item]]:
    """A scheduled order's fire time and items after an edit: it stays scheduled (a change
    of status is the scheduler's), to fire at ``due_at - prep time``, or now when that has
    passed or there is no due time any more."""
    prep = timedelta(seconds=order_prep(items))
    fire_at = now if due_at is None else max(now, due_at - prep)
    return fire_at, paced(items, fire_at)


def fired_early(
    items: Sequence[Item], planned: datetime | None, now: datetime
) -> tuple[datetime | None, list[Item]]:
    """The fire times of an order fired now: earlier than planned, it fires now and its
    items keep their spacing; at or after the planned time, the planned times stand."""
    if planned is None or now >= planned:
        return planned, list(items)
    shift = planned - now
    return now, [
        item.model_copy(update={"fire_at": item.fire_at - shift}) if item.fire_at else item
        for item in items
    ]


def added_items(kept: Mapping[int, Item], items: Sequence[Item], now: datetime) -> list[Item]:
    """The items of a fired order after an edit: those kept keep their fire times; an added
    one fires at once (a fired order is never re-planned)."""
    return [
        item.model_copy(update={"fire_at": kept[item.id].fire_at if item.id in kept else now})
        for item in items
    ]
