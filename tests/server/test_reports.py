"""Reports and figures checked against a fixture whose every figure is worked out by hand.

The orders are made through the API (so their events, actors and items are real); only
their times are then set in the database, to a day long past, so the durations are known.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import create_async_engine

from kds_contract.models import utc_z
from server.db.tables import OrderItemRow, OrderRow
from tests.support.http import Api
from tests.support.server import ServerProcess

DAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=30)
"""A day a month ago: long past, and its week before within a year of now."""


def z(moment: datetime) -> str:
    return utc_z(moment)


PERIOD = {"since": z(DAY), "until": z(DAY + timedelta(days=1)), "tz": "+00:00"}


def at(hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    return DAY + timedelta(days=days, hours=hour, minutes=minute)


# name: (order fields, statuses to move through, created, seconds to ready)
FIXTURE: dict[str, tuple[dict[str, Any], list[str], datetime, int | None]] = {
    "A": (
        {
            "total_cents": 1000,
            "table": "4",
            "items": [
                {"name": "Burger", "quantity": 2, "station": "grill"},
                {"name": "Fries", "station": "fry"},
            ],
        },
        ["preparing", "ready", "completed"],
        at(12),
        300,
    ),
    "B": (
        {
            "order_type": "takeout",
            "total_cents": 2000,
            "items": [{"name": "Burger", "station": "grill"}],
        },
        ["preparing", "ready", "completed"],
        at(12, 30),
        1200,
    ),
    "C": (
        {"order_type": "delivery", "items": [{"name": "Salad", "quantity": 3}]},
        ["preparing", "ready"],
        at(13, 10),
        600,
    ),
    "D": (
        {"total_cents": 1500, "items": [{"name": "Fries", "station": "fry"}]},
        ["cancelled"],
        at(13, 40),
        None,
    ),
    "E": ({"total_cents": 500, "items": [{"name": "Cola"}]}, [], at(18), None),
    "next day": ({"total_cents": 700, "items": [{"name": "Burger"}]}, [], at(12, days=1), None),
    "week before": (
        {"total_cents": 3000, "items": [{"name": "Burger", "station": "grill"}]},
        ["preparing", "ready"],
        at(12, 10, days=-7),
        400,
    ),
}


async def _fixture(server: ServerProcess, api: Api) -> dict[str, int]:
    ids: dict[str, int] = {}
    times: dict[int, dict[str, datetime]] = {}
    for name, (fields, moves, created, to_ready) in FIXTURE.items():
        order = await api.create(**fields)
        for status in moves:
            reply = await api.patch(f"/api/orders/{order['id']}/status", {"status": status})
            assert reply.status == 200, reply.body
        ids[name] = order["id"]
        values = {"created_at": created, "pending_at": created, "fire_at": created}
        values["updated_at"] = created
        if to_ready is not None:
            ready = created + timedelta(seconds=to_ready)
            values |= {"preparing_at": created, "ready_at": ready}
            if "completed" in moves:
                values["completed_at"] = ready + timedelta(seconds=60)
        if "cancelled" in moves:
            values["cancelled_at"] = created + timedelta(minutes=5)
        times[order["id"]] = values
    engine = create_async_engine(server.db_url)
    try:
        async with engine.begin() as conn:
            for order_id, values in times.items():
                await conn.execute(update(OrderRow).where(OrderRow.id == order_id).values(**values))
    finally:
        await engine.dispose()
    return ids


def _times(n: int, median: float | None, p90: float | None, over: int = 0) -> dict[str, Any]:
    return {"n": n, "median_s": median, "p90_s": p90, "over_target": over}


def _sales(orders: int, cents: int, with_total: int, average: int | None, cancelled: int):
    return {
        "orders": orders,
        "sales_cents": cents,
        "with_total": with_total,
        "average_cents": average,
        "cancelled": cancelled,
    }


async def test_report_and_figures_match_the_hand_computed_fixture(
    any_server: ServerProcess,
) -> None:
    async with Api(any_server.url, any_server.tokens["admin"]) as api:
        ids = await _fixture(any_server, api)
        history = await api.get(f"/api/orders/{ids['D']}/events")
        admin = history.body["events"][-1]["actor"]["name"]
        reply = await api.get("/api/reports", params={**PERIOD, "target_s": "900"})
        stats = await api.get("/api/stats", params={k: PERIOD[k] for k in ("since", "until")})
        bad_zone = await api.get("/api/reports", params={"tz": "Mars/Olympus"})
        backwards = await api.get(
            "/api/reports", params={"since": PERIOD["until"], "until": PERIOD["since"]}
        )
        as_kitchen = await api.as_(any_server.tokens["kitchen"]).get("/api/reports")
    assert reply.status == 200, reply.body
    report = reply.body
    assert (report["since"], report["until"]) == (PERIOD["since"], PERIOD["until"])
    week = timedelta(days=7)
    assert (report["previous_since"], report["previous_until"]) == (
        z(DAY - week),
        z(DAY + timedelta(days=1) - week),
    )
    # A, B, C, E kept (D cancelled); 1000 + 2000 + 500 over the 3 with a total.
    assert report["sales"] == {
        **_sales(4, 3500, 3, 1167, 1),
        "previous": _sales(1, 3000, 1, 3000, 0),
    }
    by_type = {t["order_type"]: t for t in report["by_type"]}
    assert by_type["dine_in"] | {"previous": None} == {
        "order_type": "dine_in",
        **_sales(2, 1500, 2, 750, 1),
        "previous": None,
    }
    assert by_type["takeout"]["sales_cents"] == 2000 and by_type["takeout"]["orders"] == 1
    assert by_type["delivery"]["average_cents"] is None, "no total: no average"
    assert by_type["dine_in"]["previous"]["orders"] == 1
    hours = {h["hour_of_day"]: (h["orders"], h["sales_cents"]) for h in report["by_hour"]}
    assert list(hours) == list(range(12, 19))
    assert hours[12] == (2, 3000) and hours[13] == (1, 0) and hours[18] == (1, 500)
    assert hours[15] == (0, 0)
    assert report["by_hour"][0]["previous"] == {"orders": 1, "sales_cents": 3000}
    # Ready after 300, 1200 and 600 s; target 900 s.
    assert report["ticket_times"] == {
        **_times(3, 600.0, 1200.0, 1),
        "previous": _times(1, 400.0, 400.0),
    }
    stations = {s["station"]: s for s in report["by_station"]}
    assert [s["station"] for s in report["by_station"]] == ["grill", "", "fry"]
    assert {k: stations["grill"][k] for k in ("n", "median_s", "p90_s", "over_target")} == (
        _times(2, 750.0, 1200.0, 1)
    )
    assert stations["fry"]["n"] == 1 and stations["fry"]["median_s"] == 300.0
    assert stations["grill"]["previous"] == _times(1, 400.0, 400.0)
    items = {i["name"]: i for i in report["by_item"]}
    assert set(items) == {"Burger", "Fries", "Salad"}, "Cola never got ready"
    assert items["Burger"]["median_s"] == 750.0 and items["Salad"]["p90_s"] == 600.0
    assert report["product_mix"] == [
        {"name": "Burger", "quantity": 3, "orders": 2, "previous_quantity": 1},
        {"name": "Salad", "quantity": 3, "orders": 1, "previous_quantity": 0},
        {"name": "Cola", "quantity": 1, "orders": 1, "previous_quantity": 0},
        {"name": "Fries", "quantity": 1, "orders": 1, "previous_quantity": 0},
    ]
    assert report["cancellations"] == {
        "count": 1,
        "previous": 0,
        "by": [{"from_status": "pending", "by": admin, "role": "admin", "count": 1}],
    }

    assert stats.status == 200, stats.body
    figures = stats.body
    assert figures["counts"] == {
        "scheduled": 0,
        "pending": 1,
        "preparing": 0,
        "ready": 1,
        "completed": 2,
        "cancelled": 1,
    }
    assert figures["total"] == 5 and figures["first_order_at"] == z(at(12))
    assert figures["time_to_ready"] == {"median_s": 600.0, "p90_s": 1200.0, "n": 3}
    # Completed a minute after ready: 360 and 1260 s.
    assert figures["time_to_complete"] == {"median_s": 810.0, "p90_s": 1260.0, "n": 2}
    per_hour = {h["hour"][11:13]: h["count"] for h in figures["per_hour"]}
    assert len(per_hour) == 24 and per_hour["12"] == 2 and per_hour["13"] == 2
    assert sum(per_hour.values()) == 5

    assert bad_zone.status == 422 and bad_zone.error["details"]["field"] == "tz"
    assert backwards.status == 422 and backwards.error["details"]["field"] == "until"
    assert as_kitchen.status == 403


async def test_a_missing_bound_is_no_bound_in_lists_and_figures(server: ServerProcess) -> None:
    cases = [({}, 7), ({"since": PERIOD["since"]}, 6), ({"until": PERIOD["since"]}, 1)]
    async with Api(server.url, server.tokens["admin"]) as api:
        await _fixture(server, api)
        for params, total in cases:
            listed = await api.get("/api/orders", params=params)
            figures = await api.get("/api/stats", params=params)
            report = await api.get("/api/reports", params={**params, "tz": "+00:00"})
            assert listed.body["total"] == total, params
            assert figures.body["total"] == total, ("the figures count what the list shows", params)
            assert figures.body["since"] == params.get("since")
            assert figures.body["until"] == params.get("until")
            sales = report.body["sales"]
            # One server answers every shape of period in turn (its statements are built
            # once for each shape): each counts its own orders.
            assert sales["orders"] + sales["cancelled"] == total, ("the report's orders", params)


async def _item_rows(server: ServerProcess, order_id: int) -> list[tuple[Any, ...]]:
    """The order's rows in ``order_items`` (what the reports read), by position."""
    engine = create_async_engine(server.db_url)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(
                select(
                    OrderItemRow.name,
                    OrderItemRow.station,
                    OrderItemRow.quantity,
                    OrderItemRow.first_of_name,
                    OrderItemRow.first_of_station,
                )
                .where(OrderItemRow.order_id == order_id)
                .order_by(OrderItemRow.position)
            )
            return [tuple(row) for row in found]
    finally:
        await engine.dispose()


async def test_the_report_counts_an_orders_items_as_they_are_after_each_change(
    any_server: ServerProcess,
) -> None:
    since = z(datetime.now(UTC) - timedelta(hours=1))
    async with Api(any_server.url, any_server.tokens["admin"]) as api:
        order = await api.create(
            items=[
                {"name": "Burger", "quantity": 2, "station": "grill"},
                {"name": "Burger", "station": "grill"},
                {"name": "Fries"},
            ]
        )
        made = await _item_rows(any_server, order["id"])
        fries = order["items"][2]["id"]
        edit = {"items": [{"id": fries, "name": "Fries"}, {"name": "Soup", "quantity": 4}]}
        edited = await api.patch(f"/api/orders/{order['id']}", edit)
        assert edited.status == 200, edited.body
        soup = edited.body["order"]["items"][1]
        assert soup["station"] is None
        edit = {"items": [{"id": fries, "name": "Fries"}, {**soup, "station": "cold"}]}
        for key in ("done", "fire_at"):
            edit["items"][1].pop(key)
        edited = await api.patch(f"/api/orders/{order['id']}", edit)
        assert edited.status == 200, edited.body
        done = await api.patch(f"/api/orders/{order['id']}/items/{fries}", {"done": True})
        assert done.status == 200, done.body
        for status in ("preparing", "ready"):
            moved = await api.patch(f"/api/orders/{order['id']}/status", {"status": status})
            assert moved.status == 200, moved.body
        kept = await _item_rows(any_server, order["id"])
        gone = await api.create(items=[{"name": "Cola", "station": "bar"}])
        assert await _item_rows(any_server, gone["id"]) == [("Cola", "bar", 1, True, True)]
        deleted = await api.delete(f"/api/orders/{gone['id']}")
        assert deleted.status == 200, deleted.body
        reply = await api.get("/api/reports", params={"since": since, "tz": "+00:00"})
        assert await _item_rows(any_server, gone["id"]) == []
    assert made == [
        ("Burger", "grill", 2, True, True),
        ("Burger", "grill", 1, False, False),
        ("Fries", "", 1, True, True),
    ]
    assert kept == [("Fries", "", 1, True, True), ("Soup", "cold", 4, True, True)]
    assert reply.status == 200, reply.body
    report = reply.body
    assert report["product_mix"] == [
        {"name": "Soup", "quantity": 4, "orders": 1, "previous_quantity": 0},
        {"name": "Fries", "quantity": 1, "orders": 1, "previous_quantity": 0},
    ]
    assert sorted((s["station"], s["n"]) for s in report["by_station"]) == [("", 1), ("cold", 1)]
    assert sorted((i["name"], i["n"]) for i in report["by_item"]) == [("Fries", 1), ("Soup", 1)]
