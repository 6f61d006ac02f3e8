"""Scheduled orders in the admin console: the filter, due and fire times in the detail,
and firing one early from the move dialog."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from admin_tui.formatting import local_time
from kds_contract import Status
from tests.admin_tui.conftest import bar, open_detail, ready, settled, shown_ids, table
from tests.support.ui import text_of, wait_for


async def test_the_scheduled_filter_and_the_due_and_fire_times(console_app, rest) -> None:
    now = await rest.create_order({"items": [{"name": "Soup"}]})
    due = datetime.now(UTC) + timedelta(hours=3)
    later = await rest.create_order(
        {"items": [{"name": "Steak", "prep_seconds": 720}], "due_at": due.isoformat()}
    )
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert shown_ids(app) == [later.id, now.id]
        ages = {i: str(table(app).get_cell(str(i), "age")) for i in (later.id, now.id)}
        assert ages[later.id] == "-" and ages[now.id].endswith("s"), "ages from the fire time"
        await pilot.press("6")
        await settled(pilot)
        assert (bar(app).total, shown_ids(app)) == (1, [later.id])
        screen = await open_detail(pilot)
        summary = text_of(screen, "summary")
        clock = app.clock()
        fires = due - timedelta(minutes=12)
        assert re.search(rf"due +{re.escape(local_time(due, clock))}", summary), summary
        assert re.search(rf"fires +{re.escape(local_time(fires, clock))}", summary), summary

        await rest.move(later.id, Status.PENDING)  # fired early, elsewhere
        await wait_for(pilot, lambda: "fired" in text_of(screen, "summary"), "fired")
