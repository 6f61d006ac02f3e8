"""The console's plain parts: item lines, days, queries, history wording."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from admin_tui.formatting import age, precise_duration, who
from admin_tui.history import describe
from admin_tui.items_text import ItemLinesError, format_items, read_items, same_items
from admin_tui.query import OrderQuery
from kds_client import Event
from kds_contract import Item, Order, Status
from kds_contract.period import parse_day
from tests.admin_tui.fakes import sample_order

NOW = datetime(2026, 3, 14, 15, 0, tzinfo=UTC)


def test_lines_left_as_they_were_keep_their_item_exactly() -> None:
    old = [
        Item(id=1, name="Burger", modifiers=["no onion"], done=True),
        Item(id=2, name="Cola", quantity=2),
        Item(id=3, name="Soup", notes="two\nlines"),
    ]
    text = format_items(old).replace("2x Cola", "3x Cola") + "\n\nTea"
    lines = read_items(text, old)
    assert lines.items == [
        {
            "id": 1,
            "name": "Burger",
            "quantity": 1,
            "modifiers": ["no onion"],
            "notes": None,
            "station": None,
        },
        {"id": 2, "name": "Cola", "quantity": 3, "modifiers": []},  # changed: parsed, id kept
        {
            "id": 3,
            "name": "Soup",
            "quantity": 1,
            "modifiers": [],
            "notes": "two\nlines",
            "station": None,
        },
        {"name": "Tea", "quantity": 1, "modifiers": []},
    ]
    assert lines.line_numbers == [1, 2, 3, 5]
    assert same_items(read_items(format_items(old), old).items, old)
    with pytest.raises(ItemLinesError) as refused:
        read_items("Burger\n\n2x\n+onion", old)
    assert [number for number, _ in refused.value.errors] == [3, 4]


def test_days() -> None:
    today = date(2026, 3, 14)
    assert parse_day("", today) is None
    assert parse_day("today", today) == today
    assert parse_day("yesterday", today) == date(2026, 3, 13)
    assert parse_day("-7", today) == date(2026, 3, 7)
    assert parse_day("2026-01-02", today) == date(2026, 1, 2)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_day("tomorrowish", today)


def test_days_shown_with_one_end_open() -> None:
    query = OrderQuery.today(NOW)
    assert query.dates_label(NOW) == "today"
    assert query.with_(since=None).dates_label(NOW) == "until 2026-03-14"
    assert query.with_(until=None).dates_label(NOW) == "from 2026-03-14"
    assert query.with_(since=date(2026, 3, 1)).dates_label(NOW) == "2026-03-01 to 2026-03-14"
    assert query.with_(since=None, until=None).dates_label(NOW) == "all dates"


def test_tables_as_the_list_shows_them() -> None:
    order = sample_order(2)
    assert who(order.model_copy(update={"table": "12"})) == "T12"
    assert who(order.model_copy(update={"table": "T7"})) == "T7"
    assert who(order.model_copy(update={"table": "Patio 3"})) == "Patio 3"


def test_figures_durations_to_the_second() -> None:
    assert [precise_duration(s) for s in (None, 45, 91, 412, 3900, 200000)] == [
        "-",
        "45s",
        "1m 31s",
        "6m 52s",
        "1h 05m",
        "2d 07h",
    ]


def test_query_params_and_local_matching() -> None:
    query = OrderQuery.today(NOW, per_page=20).with_(statuses=(Status.PENDING,))
    params = query.rest_params(NOW)
    assert params == {
        "page": 1,
        "per_page": 20,
        "sort": "-id",
        "status": ["pending"],
        "since": datetime(2026, 3, 14, tzinfo=UTC),
        "until": datetime(2026, 3, 15, tzinfo=UTC),
    }
    pending = sample_order(7)
    assert pending.status == Status.PENDING
    assert query.matches(pending, NOW)
    assert not query.with_(statuses=(Status.READY,)).matches(pending, NOW)
    assert not query.with_(text="burger").matches(pending, NOW)
    assert query.with_(text="PAD").matches(pending, NOW), "words, as the server finds them"
    assert query.with_(text="#7").matches(pending, NOW) and query.with_(text="7").matches(
        pending, NOW
    )
    assert not query.with_(text="T7").matches(pending, NOW), "order 7 is not table 7"
    assert query.with_(text="T8").matches(pending.model_copy(update={"table": "8"}), NOW)
    assert query.with_(max_id=9).with_(statuses=()).max_id is None, "a new view is as of now"
    assert query.with_(page=3).page == 3 and query.with_(sort="id").page == 1


def test_history_wording() -> None:
    before = sample_order(7).wire()
    after = {
        **before,
        "notes": "no nuts",
        "items": [{**before["items"][0], "done": True}, *before["items"][1:]],
    }
    events = [
        Event(1, "order:created", 7, "2026-03-14T14:00:00Z", {"order": before}),
        Event(2, "order:updated", 7, "2026-03-14T14:01:00Z", {"order": after}),
        Event(
            3,
            "order:statusUpdated",
            7,
            "2026-03-14T14:02:00Z",
            {"order": after, "oldStatus": "pending", "newStatus": "preparing"},
        ),
        Event(4, "order:deleted", 7, "2026-03-14T14:03:00Z", {"orderId": 7}),
    ]
    manager = {"kind": "token", "token_id": 3, "name": "manager-laptop", "role": "admin"}
    events[3] = Event(4, "order:deleted", 7, "2026-03-14T14:03:00Z", {"orderId": 7}, manager)
    lines = describe(events)
    assert [line.what for line in lines] == [
        "created (pending): 1x Pad thai +extra spicy @grill, 3x Spring rolls",
        "notes: - -> 'no nuts'; Pad thai done",
        "pending -> preparing",
        "deleted",
    ]
    assert [line.who for line in lines] == ["", "", "", "manager-laptop (admin)"]
    edited = {**after, "total_cents": 990, "items": [{**after["items"][0], "quantity": 2}]}
    edit = Event(4, "order:updated", 7, "2026-03-14T14:02:30Z", {"order": edited})
    assert describe([*events[:3], edit])[3].what == (
        "total: 17.75 -> 9.90; item 1x Pad thai +extra spicy @grill -> "
        "2x Pad thai +extra spicy @grill; removed 3x Spring rolls"
    )


def test_an_orders_age_counts_from_its_fire_time() -> None:
    def made(status: str, **times: datetime) -> Any:
        base = sample_order(7).model_dump()  # pending, created earlier than NOW
        return Order.model_validate({**base, "status": status, **times})

    taken = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
    fired = datetime(2026, 3, 14, 14, 48, tzinfo=UTC)
    assert str(age(made("pending", created_at=taken, fire_at=fired), NOW)) == "12m"
    assert str(age(made("pending", created_at=taken), NOW)) == "3h00", "no fire time: creation"
    later = made("scheduled", created_at=taken, fire_at=datetime(2026, 3, 14, 19, 0, tzinfo=UTC))
    assert str(age(later, NOW)) == "-", "not in the kitchen yet"
    done = made("completed", created_at=taken, fire_at=fired, completed_at=NOW)
    assert str(age(done, NOW)) == "12m"
    gone = later.model_copy(update={"status": Status.CANCELLED, "cancelled_at": NOW})
    assert str(age(gone, NOW)) == "-", "cancelled before it fired"
