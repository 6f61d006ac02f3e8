"""Names and notes come from tills and web shops: shown as typed, never read as markup."""

from __future__ import annotations

from tests.admin_tui.conftest import open_detail, ready, table
from tests.support.ui import text_of, wait_for

ODD = "[/]Bob [red]x[/red] [link=x]"


async def test_markup_like_text_is_shown_as_typed(console_app, rest) -> None:
    order = await rest.create_order(
        {
            "order_type": "takeout",
            "customer_name": ODD,
            "notes": "[bold]no nuts[/bold] [/]",
            "items": [{"name": "[b]Burger", "modifiers": ["[/i]"], "station": "[grill]"}],
        }
    )
    app = console_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        assert str(table(app).get_cell(str(order.id), "who")) == ODD
        assert str(table(app).get_cell(str(order.id), "items")) == "⚠ nuts: [b]Burger"
        screen = await open_detail(pilot)
        await wait_for(pilot, lambda: "by" in text_of(screen, "history"), "history")
        summary = text_of(screen, "summary")
        assert ODD in summary
        assert "[bold]no nuts[/bold] [/]" in summary
        items = text_of(screen, "items")
        assert "[b]Burger" in items and "+ [/i]" in items and "[grill]" in items
