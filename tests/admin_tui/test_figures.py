"""The figures screen, from the server's /api/stats, following changes."""

from __future__ import annotations

from admin_tui.screens.figures import FiguresScreen
from admin_tui.screens.orders import OrdersScreen
from kds_contract import Status
from tests.admin_tui.conftest import ready
from tests.admin_tui.seeding import seed
from tests.support.ui import text_of, wait_for


def _counts(screen: FiguresScreen) -> dict[str, int]:
    lines = text_of(screen, "counts").splitlines()[1:]
    return {line.split()[0]: int(line.split()[1]) for line in lines if line.strip()}


async def test_figures_show_the_days_numbers(console_app, rest) -> None:
    orders = await seed(rest, 8)
    for order in orders[:4]:
        await rest.move(order.id, Status.PREPARING)
        await rest.move(order.id, Status.READY)
    for order in orders[:2]:
        await rest.move(order.id, Status.COMPLETED)
    await rest.move(orders[7].id, Status.CANCELLED)

    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("f")
        screen = await wait_for(
            pilot, lambda: isinstance(app.screen, FiguresScreen) and app.screen, "figures"
        )
        await wait_for(pilot, lambda: "total" in text_of(screen, "counts"), "the counts")

        assert _counts(screen) == {
            "scheduled": 0,
            "pending": 3,
            "preparing": 0,
            "ready": 2,
            "completed": 2,
            "cancelled": 1,
            "total": 8,
        }
        times = text_of(screen, "times")
        ready_line = next(line for line in times.splitlines() if line.strip().startswith("ready"))
        assert ready_line.split()[-1] == "4", "four orders reached ready"
        completion = next(line for line in times.splitlines() if "completion" in line)
        assert completion.split()[-1] == "2"
        assert sum(screen.query_one("#per-hour").data) == 8
        slowest = text_of(screen, "slowest")
        assert str(orders[2].id) in slowest, "the oldest open orders are listed"
        assert "busiest" in text_of(screen, "per-hour-axis")

        # A change on the server shows up without pressing anything.
        await rest.move(orders[2].id, Status.COMPLETED)
        await wait_for(
            pilot, lambda: _counts(screen)["completed"] == 3, "the figures to follow the change"
        )
        await pilot.press("escape")
        assert isinstance(app.screen, OrdersScreen)
