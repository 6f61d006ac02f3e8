"""CSV from ``kds-order``: every page of a list, and a report, read back and compared with
what the API answers."""

from __future__ import annotations

import asyncio
import csv
import io

from kds_client import KdsRest
from kds_client.csv_export import ORDER_COLUMNS, REPORT_COLUMNS, report_rows
from kds_contract import Status
from tests.client.test_cli import kds_order
from tests.support.server import ServerProcess


async def _made(rest: KdsRest, count: int) -> list[int]:
    gate = asyncio.Semaphore(16)

    async def one(n: int) -> int:
        async with gate:
            body = {"items": [{"name": "Tea", "modifiers": ["oat milk"]}], "table": str(n % 9)}
            if n % 50 == 0:
                body["notes"] = "peanut allergy"
            return (await rest.create_order(body)).id

    return sorted(await asyncio.gather(*(one(n) for n in range(count))))


async def test_list_csv_holds_every_page_each_order_once(
    shared_server: ServerProcess, shared_admin: KdsRest
) -> None:
    ids = await _made(shared_admin, 230)  # more than one page of 200
    result = await asyncio.to_thread(kds_order, shared_server, "list", "--csv", "-q", "oat")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == ORDER_COLUMNS
    assert [int(r["id"]) for r in rows] == sorted(ids, reverse=True), "newest first, each once"
    assert f"{len(ids)} orders written as CSV" in result.stderr
    first = await shared_admin.get_order(ids[0])
    row = next(r for r in rows if int(r["id"]) == first.id)
    wire = first.wire()
    assert {k: row[k] for k in ("status", "order_type", "table", "created_at")} == {
        k: str(wire[k]) for k in ("status", "order_type", "table", "created_at")
    }
    assert row["items"] == "1x Tea +oat milk"
    assert row["allergy"] == "peanuts, milk", "the notes' peanut, the modifier's milk"
    assert row["total_cents"] == "" and row["notes"] == "peanut allergy"


async def test_report_csv_is_the_reports_figures(
    shared_server: ServerProcess, shared_admin: KdsRest
) -> None:
    ids = await _made(shared_admin, 5)
    await shared_admin.move(ids[0], Status.CANCELLED)
    result = await asyncio.to_thread(kds_order, shared_server, "report", "--csv", "--tz", "+00:00")
    text = await asyncio.to_thread(kds_order, shared_server, "report", "--tz", "+00:00")
    assert result.returncode == 0 and text.returncode == 0, result.stderr + text.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == REPORT_COLUMNS
    by_key = {(r[0], r[1], r[2]): r[3:] for r in rows[1:]}
    since = by_key[("period", "", "since")][0]
    until = by_key[("period", "", "until")][0]
    answer = await shared_admin.report(since=since, until=until, tz="+00:00")
    expected = [["" if cell is None else str(cell) for cell in row] for row in report_rows(answer)]

    def but_now(table: list[list[str]]) -> list[list[str]]:
        # A period that runs to now is compared with the week before up to now: that end
        # moves between two answers.
        return [r[:4] if r[:3] == ["period", "", "until"] else r for r in table]

    assert but_now(rows[1:]) == but_now(expected), "the CSV is the API's report, each figure"
    assert by_key[("cancellations", "", "count")][0] == str(answer["cancellations"]["count"])
    assert "SALES" in text.stdout and "ITEMS SOLD" in text.stdout and "Tea" in text.stdout
