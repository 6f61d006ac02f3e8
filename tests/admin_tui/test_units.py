"""The console's plain parts: item lines, days, queries, history wording."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from admin_tui.history import describe
from admin_tui.items_text import format_item, keep_ids, parse_line
from admin_tui.query import OrderQuery, parse_day
from kds_client import Event
from kds_contract import Item, Status
from tests.admin_tui.fakes import sample_order

NOW = datetime(2026, 3, 14, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "item"),
    [
        ("Burger", {"name": "Burger", "quantity": 1, "modifiers": []}),
        ("2x Burger", {"name": "Burger", "quantity": 2, "modifiers": []}),
        (
            "3 Fish tacos +no onion +extra lime @grill # nut allergy",
            {
                "name": "Fish tacos",
                "quantity": 3,
                "modifiers": ["no onion", "extra lime"],
                "station": "grill",
                "notes": "nut allergy",
            },
        ),
    ],
)
def test_item_lines(line: str, item: dict) -> None:
    assert parse_line(line) == item


def test_an_item_line_reads_back() -> None:
    item = Item(id=4, name="Ramen", quantity=2, modifiers=["no egg"], station="hot", notes="mild")
    parsed = parse_line(format_item(item))
    assert parsed == {
        "name": "Ramen",
        "quantity": 2,
        "modifiers": ["no egg"],
        "station": "hot",
        "notes": "mild",
    }
    old = [item, Item(id=5, name="Cola")]
    assert [
        i.get("id") for i in keep_ids([parse_line("Cola"), parsed, parse_line("Tea")], old)
    ] == [5, 4, None]


def test_days() -> None:
    today = date(2026, 3, 14)
    assert parse_day("", today) is None
    assert parse_day("today", today) == today
    assert parse_day("yesterday", today) == date(2026, 3, 13)
    assert parse_day("-7", today) == date(2026, 3, 7)
    assert parse_day("2026-01-02", today) == date(2026, 1, 2)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_day("tomorrowish", today)


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
    assert not query.with_(text="burger").matches(pending, NOW), "text is the server's call"
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
    assert [line.what for line in describe(events)] == [
        "created (pending)",
        "edited notes; Pad thai done",
        "pending -> preparing",
        "deleted",
    ]
