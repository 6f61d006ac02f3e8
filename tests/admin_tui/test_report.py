"""The report screen, from the server's /api/reports, for the days the list shows."""

from __future__ import annotations

from admin_tui.screens.report import ReportScreen, utc_offset
from kds_contract import Status
from tests.admin_tui.conftest import ready
from tests.admin_tui.seeding import seed
from tests.support.ui import plain, wait_for


async def test_the_report_shows_what_the_server_counted(console_app, rest) -> None:
    orders = await seed(rest, 6)  # totals 10.00 to 10.05
    for order in orders[:3]:
        await rest.move(order.id, Status.PREPARING)
        await rest.move(order.id, Status.READY)
    await rest.move(orders[5].id, Status.CANCELLED)
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("p")
        screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, ReportScreen) and app.screen.report and app.screen,
            "the report",
        )
        now = app.clock()
        expected = await rest.report(**screen.days.period_params(now), tz=utc_offset(now))
        assert screen.report["sales"] == expected["sales"]
        text = plain(screen.query_one("#report-body").content, width=78)
        lines = {line.split()[0]: line.split() for line in text.splitlines() if line.strip()}
        assert lines["orders"][1:3] == ["5", "0"], "five kept, none the week before"
        assert lines["sales"][1] == "50.10", "10.00 + 10.01 + ... + 10.04"
        assert lines["cancelled"][1] == "1"
        assert "all tickets" in text and "@grill" in text, "ticket times, by station"
        assert "Burger" in text and "Cola" in text, "items sold"
        assert "from pending" in text
        hour = now.strftime("%H:00")
        assert any(line.startswith(hour) and "█" in line for line in text.splitlines())
        assert "today vs a week before" in str(screen.query_one("ConnectionBar").render())
        await pilot.press("escape")
        assert not isinstance(app.screen, ReportScreen)
