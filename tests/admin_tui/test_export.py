"""Export: the orders of the view to a CSV file the console names, read back and compared
with what the API lists for the same view."""

from __future__ import annotations

import csv

from kds_client.csv_export import ORDER_COLUMNS
from kds_contract import Status
from tests.admin_tui.conftest import notices, ready, settled
from tests.admin_tui.seeding import seed
from tests.support.ui import wait_for


async def test_export_writes_every_order_of_the_view(console_app, rest, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    orders = await seed(rest, 45)  # more than a page at 80x24
    for order in orders[:5]:
        await rest.move(order.id, Status.PREPARING)
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("1")  # pending only
        await settled(pilot)
        await pilot.press("E")
        said = await wait_for(
            pilot, lambda: next((n for n in notices(app) if "written to" in n), None), "export"
        )
    path = tmp_path / said.split("written to ")[1].split("/")[-1]
    assert said.startswith(": 40 orders written to ") and path.exists()
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    listed = await rest.list_orders(status="pending", per_page=200)
    assert tuple(rows[0]) == ORDER_COLUMNS
    assert [int(r["id"]) for r in rows] == [o.id for o in listed.orders]
    assert {r["status"] for r in rows} == {"pending"}
    assert rows[0]["items"].startswith(f"{listed.orders[0].items[0].quantity}x ")
