"""Scheduling and pacing rules on their own: pure functions, a clock the test sets."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kds_contract import OrderCreate, OrderEdit, Status, can_move
from kds_contract.menu import Menu
from server import domain
from server.pacing import PacingRules, order_prep

NOW = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)
MENU = Menu.model_validate(
    {
        "items": [
            {"name": "Steak", "station": "grill", "prep_seconds": 720},
            {"name": "Caesar salad", "station": "cold", "prep_seconds": 240},
        ]
    }
).by_key()


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def create(now: datetime = NOW, rules: PacingRules | None = None, **fields: Any) -> Any:
    data = OrderCreate.model_validate(fields)
    return domain.new_order(data, 1, now, menu=MENU, rules=rules or PacingRules())


def fire_times(order: Any) -> list[datetime | None]:
    return [item.fire_at for item in order.items]


def test_an_order_due_later_than_its_prep_time_is_scheduled_and_its_items_finish_together() -> None:
    order = create(
        items=[{"name": " STEAK "}, {"name": "caesar salad"}, {"name": "Bread"}],
        due_at=at(90),
    )
    assert order.status is Status.SCHEDULED and order.scheduled_at == NOW
    assert order.pending_at is None
    assert order.fire_at == at(90 - 12), "due_at - the largest prep time (the steak's 12 min)"
    assert [i.station for i in order.items] == ["grill", "cold", None], "the menu's, by name"
    assert [i.prep_seconds for i in order.items] == [720, 240, None]
    assert fire_times(order) == [at(78), at(86), at(78)], (
        "the salad starts 8 min after the steak; an item of unknown prep time with the order"
    )
    for item in order.items:  # all ready at due_at
        assert item.fire_at + timedelta(seconds=item.prep_seconds or 0) <= order.due_at


def test_what_a_till_sends_wins_over_the_menu() -> None:
    order = create(items=[{"name": "Steak", "station": "pass", "prep_seconds": 600}])
    assert (order.items[0].station, order.items[0].prep_seconds) == ("pass", 600)
    half = create(items=[{"name": "Steak", "station": "pass"}])
    assert (half.items[0].station, half.items[0].prep_seconds) == ("pass", 720)


def test_an_order_without_a_due_time_or_due_within_its_prep_time_fires_now() -> None:
    now_order = create(items=[{"name": "Steak"}, {"name": "Caesar salad"}])
    assert now_order.status is Status.PENDING and now_order.fire_at == NOW
    assert now_order.pending_at == NOW and now_order.scheduled_at is None
    assert fire_times(now_order) == [NOW, at(8)], "paced within the order all the same"

    tight = create(items=[{"name": "Steak"}], due_at=at(12))
    assert tight.status is Status.PENDING and tight.fire_at == NOW, "due in exactly its prep time"
    assert create(items=[{"name": "Steak"}], due_at=at(12.01)).status is Status.SCHEDULED


@pytest.mark.parametrize(
    ("due", "words"),
    [
        (at(0), "not in the future"),
        (at(-5), "not in the future"),
        (at(7 * 24 * 60 + 1), "more than 7 days ahead"),
    ],
)
def test_a_due_time_in_the_past_or_too_far_ahead_is_refused_naming_it(
    due: datetime, words: str
) -> None:
    with pytest.raises(domain.InvalidChange) as refused:
        create(items=[{"name": "Tea"}], due_at=due)
    assert refused.value.details["field"] == "due_at"
    assert refused.value.message.startswith("due_at: ") and words in refused.value.message


def test_how_far_ahead_is_a_setting() -> None:
    rules = PacingRules(max_ahead=timedelta(days=1))
    with pytest.raises(domain.InvalidChange, match="more than 1 days ahead"):
        create(items=[{"name": "Tea"}], due_at=at(25 * 60), rules=rules)
    assert create(items=[{"name": "Tea"}], due_at=at(23 * 60), rules=rules).fire_at == at(23 * 60)


def test_editing_a_scheduled_orders_due_time_or_items_plans_it_again() -> None:
    order = create(items=[{"name": "Caesar salad"}], due_at=at(60))
    assert order.fire_at == at(56)

    later = domain.edit(order, OrderEdit.model_validate({"due_at": at(120)}), at(1), menu=MENU)
    assert later is not None and later.status is Status.SCHEDULED
    assert (later.fire_at, fire_times(later)) == (at(116), [at(116)])
    assert later.version == 2

    edit = OrderEdit.model_validate(
        {"items": [{"id": 1, "name": "Caesar salad"}, {"name": "Steak"}]}
    )
    more = domain.edit(later, edit, at(2), menu=MENU)
    assert more is not None and more.fire_at == at(108), "the steak's 12 minutes now"
    assert fire_times(more) == [at(116), at(108)]

    soon = domain.edit(more, OrderEdit.model_validate({"due_at": at(5)}), at(3), menu=MENU)
    assert soon is not None and soon.status is Status.SCHEDULED, "the scheduler fires it"
    assert soon.fire_at == at(3), "its time has passed: it fires now"

    with pytest.raises(domain.InvalidChange, match="not in the future"):
        domain.edit(order, OrderEdit.model_validate({"due_at": at(1)}), at(2))


def test_a_fired_order_keeps_its_due_time_and_its_items_fire_times() -> None:
    order = create(items=[{"name": "Steak"}, {"name": "Caesar salad"}], due_at=at(30))
    fired = domain.fire(order, at(18))
    assert fired is not None
    with pytest.raises(domain.AlreadyFired) as refused:
        domain.edit(fired, OrderEdit.model_validate({"due_at": at(40)}), at(19))
    assert refused.value.details["field"] == "due_at" and "fired" in refused.value.message

    edit = OrderEdit.model_validate(
        {"items": [{"id": 1, "name": "Steak"}, {"id": 2, "name": "Caesar salad"}, {"name": "Tea"}]}
    )
    edited = domain.edit(fired, edit, at(20), menu=MENU)
    assert edited is not None and edited.fire_at == at(18)
    assert fire_times(edited) == [at(18), at(26), at(20)], "kept items keep theirs; Tea now"


def test_the_server_fires_at_the_planned_time_and_a_person_may_fire_early() -> None:
    order = create(items=[{"name": "Steak"}, {"name": "Caesar salad"}], due_at=at(60))
    on_time = domain.fire(order, at(48) + timedelta(milliseconds=300))
    assert on_time is not None and on_time.status is Status.PENDING
    assert on_time.fire_at == at(48), "the planned time stands: timers count from it"
    assert on_time.pending_at == at(48) + timedelta(milliseconds=300)
    assert domain.fire(on_time, at(49)) is None, "fired once: a second try changes nothing"

    early = domain.move(order, Status.PENDING, None, at(10))
    assert early.fire_at == at(10) and fire_times(early) == [at(10), at(18)], "spacing kept"

    cancelled = domain.move(order, Status.CANCELLED, None, at(11))
    assert domain.fire(cancelled, at(48)) is None


def test_nothing_moves_back_to_scheduled() -> None:
    assert not any(can_move(status, Status.SCHEDULED) for status in Status)
    assert can_move(Status.SCHEDULED, Status.PENDING) and can_move(
        Status.SCHEDULED, Status.CANCELLED
    )
    assert not can_move(Status.SCHEDULED, Status.PREPARING)


def test_a_scheduled_order_never_fires_after_its_due_time_minus_its_prep_time() -> None:
    rng = random.Random(15)
    for _ in range(300):
        items = [
            {"name": f"dish {n}", "prep_seconds": rng.choice([None, 0, rng.randint(1, 7200)])}
            for n in range(rng.randint(1, 5))
        ]
        due = NOW + timedelta(seconds=rng.randint(1, 7 * 86400))
        order = create(items=items, due_at=due)
        prep = timedelta(seconds=order_prep(order.items))
        assert order.fire_at <= due - prep or order.fire_at == NOW
        assert order.status is (Status.SCHEDULED if due - prep > NOW else Status.PENDING)
        for item in order.items:
            assert item.fire_at is not None and order.fire_at <= item.fire_at
            assert item.fire_at + timedelta(seconds=item.prep_seconds or 0) <= max(due, NOW + prep)


def test_an_item_cannot_be_marked_done_before_it_fires() -> None:
    order = create(items=[{"name": "Steak"}, {"name": "Caesar salad"}], due_at=at(30))
    with pytest.raises(domain.ItemHeld) as scheduled:
        domain.mark_item(order, 1, True, at(1))
    assert "scheduled" in scheduled.value.message and "Steak" in scheduled.value.message
    assert scheduled.value.details == {"item_id": 1, "fire_at": "2026-12-08T18:18:00.000Z"}

    fired = domain.move(order, Status.PENDING, None, at(2))  # fired early: salad at 18:10
    started = domain.mark_item(fired, 1, True, at(3))
    assert started is not None and started.items[0].done, "the steak has fired"
    with pytest.raises(domain.ItemHeld) as held:
        domain.mark_item(started, 2, True, at(10) - timedelta(seconds=1))
    assert held.value.message == (
        "item 2 (Caesar salad) of order 1 is held until 2026-12-08T18:10:00Z (1 s from now) "
        "so that it is ready with the rest of the order; it can be marked done once it fires"
    )
    assert held.value.code == "item_held" and held.value.details["item_id"] == 2
    at_fire = domain.mark_item(started, 2, True, at(10))
    assert at_fire is not None and all(item.done for item in at_fire.items)
    undone = domain.mark_item(started, 1, False, at(4))
    assert undone is not None and not undone.items[0].done, "not done: always allowed"
