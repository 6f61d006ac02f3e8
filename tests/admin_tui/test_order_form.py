"""The order form shows each mistake under the field it belongs to, and sends nothing."""

from __future__ import annotations

from admin_tui.screens.order_form import OrderFormScreen
from tests.admin_tui.conftest import ready, wait_for


def _error(form: OrderFormScreen, field: str) -> str:
    return str(form.query_one(f"#{field}-error").content)


async def test_validation_errors_by_field(console_app, rest) -> None:
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("n")
        form = await wait_for(
            pilot, lambda: isinstance(app.screen, OrderFormScreen) and app.screen, "the form"
        )

        await pilot.press("ctrl+s")
        assert _error(form, "items") == "an order needs at least one item"

        await pilot.press(*"0 Burger")
        await pilot.press("ctrl+s")
        assert _error(form, "items").startswith("line 1: quantity:")
        assert "greater than or equal to 1" in _error(form, "items")

        form.query_one("#items").text = "Burger\n+onion"
        await pilot.press("ctrl+s")
        assert _error(form, "items").startswith("line 2: name:")

        form.query_one("#items").text = "Burger"
        form.query_one("#total_cents").value = "12.5.0"
        await pilot.press("ctrl+s")
        assert _error(form, "total_cents") == "a total is an amount such as 12.50"
        assert _error(form, "items") == "", "an error goes once fixed"

        form.query_one("#total_cents").value = "-3"
        await pilot.press("ctrl+s")
        assert _error(form, "total_cents") == "a total cannot be negative"

        form.query_one("#total_cents").value = ""
        form.query_one("#table").value = "x" * 201
        await pilot.press("ctrl+s")
        assert "at most 200 characters" in _error(form, "table")

        form.query_one("#table").value = ""
        form.query_one("#notes").value = "n" * 1001
        await pilot.press("ctrl+s")
        assert "at most 1000 characters" in _error(form, "notes")

        # Nothing reached the server.
        assert (await rest.list_orders()).total == 0
        assert app.screen is form

        form.query_one("#notes").value = "ok"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is not form, "the form to close")
        assert (await rest.list_orders()).total == 1


async def test_edit_with_no_change_says_so(console_app, rest) -> None:
    await rest.create_order({"items": [{"name": "Soup"}]})
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("e")
        form = await wait_for(
            pilot, lambda: isinstance(app.screen, OrderFormScreen) and app.screen, "the form"
        )
        await pilot.press("ctrl+s")
        assert _error(form, "form") == "nothing changed"
