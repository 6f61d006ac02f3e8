"""The console counts against the server's clock, as the kitchen's screens do: a manager's
laptop whose clock is off shows the same ages and the same day as every other screen."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

import kds_ui.safe_app
from kds_client.server_clock import ServerClock
from tests.admin_tui.conftest import ready, table
from tests.admin_tui.seeding import order_payload
from tests.support.ui import wait_for


@pytest.mark.parametrize("skew", [600, -600], ids=["10 min fast", "10 min slow"])
async def test_a_console_whose_clock_is_off_shows_ages_by_the_server(
    console_app, rest, skew: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An order made a moment ago is a few seconds old on a laptop ten minutes fast (by
    its own clock it would be "10m" and look late), and the console's time of day is the
    server's on one ten minutes slow (near midnight, "today" would be another day)."""

    class OffBy(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            return datetime.fromtimestamp(time.time() + skew, tz)

    # This machine's clock, ten minutes off, wherever the console could read it.
    monkeypatch.setattr(kds_ui.safe_app, "datetime", OffBy)
    made = await rest.create_order(order_payload(1))
    app = console_app()
    app.feed.rest.server_clock = ServerClock(local=lambda: time.time() + skew)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: table(app).order(made.id) is not None, "the order")
        age = str(table(app).get_cell(str(made.id), "age"))
        assert age.endswith("s") and int(age[:-1]) < 30, f"a few seconds old, not {age}"
        assert abs((app.clock() - datetime.now(UTC)).total_seconds()) < 2, "the server's time"
