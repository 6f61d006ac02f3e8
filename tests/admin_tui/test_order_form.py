"""The order form: every mistake under its field, in a manager's words, before anything is
sent; items that were not touched stay exactly as they were; nothing typed is lost."""

from __future__ import annotations

from admin_tui.screens.confirm import ConfirmScreen
from admin_tui.screens.help import HelpScreen
from admin_tui.screens.order_form import OrderFormScreen
from admin_tui.screens.orders import OrdersScreen
from tests.admin_tui.conftest import ready
from tests.support.ui import plain, wait_for


def _error(form: OrderFormScreen, field: str) -> str:
    return str(form.query_one(f"#{field}-error").content)


async def _form(pilot, key: str) -> OrderFormScreen:
    await pilot.press(key)
    return await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, OrderFormScreen) and pilot.app.screen,
        "the form",
    )


async def test_validation_errors_by_field(console_app, rest) -> None:
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        form = await _form(pilot, "n")

        await pilot.press("ctrl+s")
        assert _error(form, "items") == "items: an order needs at least one item"

        await pilot.press(*"0 Burger")
        await pilot.press("ctrl+s")
        assert _error(form, "items") == "line 1: quantity: at least 1"

        form.query_one("#items").text = "Burger\n+onion\n2x"
        await pilot.press("ctrl+s")
        assert _error(form, "items").splitlines() == [
            r"line 2: name: missing; for a name that starts with +, write \+",
            "line 3: name: missing; a name that starts with a digit: 1x 2x",
        ]

        # Every field's mistakes at once, each naming its field, amounts as typed.
        modifiers = " ".join(f"+m{n}" for n in range(21))
        form.query_one("#items").text = f"Burger\n\nSoup {modifiers}"
        form.query_one("#total_cents").value = "20000000000"
        form.query_one("#table").value = "x" * 201
        form.query_one("#notes").value = "n" * 1001
        await pilot.press("ctrl+s")
        assert _error(form, "items") == "line 3: modifiers: at most 20 (this line has 21)"
        assert _error(form, "total_cents") == "total: at most 10,000,000,000.00"
        assert _error(form, "table") == "table: at most 200 characters (this has 201)"
        assert _error(form, "notes") == "notes: at most 1000 characters (this has 1001)"

        # A mistake goes as soon as it is corrected, without saving again.
        form.query_one("#table").value = "12"
        await wait_for(pilot, lambda: _error(form, "table") == "", "the table's error to go")
        assert _error(form, "notes") != "", "the others stay until they are corrected"

        for total, error in (
            ("12.5.0", "total: an amount such as 12.50"),
            ("-3", "total: cannot be negative"),
            ("1,250.00", "total: use a dot for the cents and no thousands separators: 1250.50"),
        ):
            form.query_one("#total_cents").value = total
            await pilot.press("ctrl+s")
            assert _error(form, "total_cents") == error

        # Nothing reached the server.
        assert (await rest.list_orders()).total == 0
        assert app.screen is form

        form.query_one("#items").text = "Burger"
        form.query_one("#notes").value = "ok"
        form.query_one("#total_cents").value = "12,50"  # a decimal comma is read as a dot
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is not form, "the form to close")
        (order,) = (await rest.list_orders()).orders
        assert order.total_cents == 1250
        assert order.table == "12"


async def test_edit_with_no_change_says_so(console_app, rest) -> None:
    await rest.create_order({"items": [{"name": "Soup"}]})
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        form = await _form(pilot, "e")
        await pilot.press("ctrl+s")
        assert _error(form, "form") == "nothing changed"


async def test_an_edit_keeps_every_item_it_did_not_touch_exactly(console_app, rest) -> None:
    items = [
        {"name": "7 Up"},
        {"name": "Fish + Chips", "station": "fry"},
        {"name": "Combo #2", "notes": "no pickles\nextra napkins"},
        {"name": "Salad", "station": "cold line"},
        {"name": "Burger", "modifiers": ["no onion"]},
    ]
    order = await rest.create_order({"items": items})
    await rest.mark_item(order.id, order.items[1].id, True)
    order = await rest.get_order(order.id)
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        form = await _form(pilot, "e")
        area = form.query_one("#items")
        area.text = area.text + "\nCola"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, OrdersScreen), "the form to close")

    saved = await rest.get_order(order.id)
    assert saved.items[:5] == order.items, "untouched lines keep their item, done mark and all"
    assert [(i.name, i.quantity) for i in saved.items[5:]] == [("Cola", 1)]


async def test_escape_asks_before_throwing_away_what_was_typed(console_app, rest) -> None:
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        form = await _form(pilot, "n")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, OrdersScreen), "an empty form closes")

        form = await _form(pilot, "n")
        await pilot.press(*"2x Burger")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is form, "back in the form")
        assert form.query_one("#items").text == "2x Burger"

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, OrdersScreen), "the form gone")
        assert (await rest.list_orders()).total == 0


async def test_f1_in_the_form_shows_its_keys_and_the_item_syntax(console_app, rest) -> None:
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        form = await _form(pilot, "n")
        hints = " ".join(str(hint.content) for hint in form.query(".hint"))
        assert "1x 7 Up" in hints and r"\+" in hints, "the form says how to write such names"

        await pilot.press("f1")
        help_screen = await wait_for(
            pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen, "the keys"
        )
        shown = " ".join(plain(static.content) for static in help_screen.query("Static"))
        assert "Save" in shown and "Next / previous field" in shown
        assert r"1x Fish \+ Chips" in shown
        assert "Quit" not in shown, "q types a letter in the form; it does not quit"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is form, "back in the form")
