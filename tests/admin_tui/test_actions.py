"""Every action from the console, and how a refusal is shown (the server's own reason)."""

from __future__ import annotations

import pytest

from admin_tui.screens.confirm import ConfirmScreen
from admin_tui.screens.move import MoveScreen
from admin_tui.screens.order_form import OrderFormScreen
from admin_tui.screens.orders import OrdersScreen
from kds_client import NotFound
from kds_contract import Status
from tests.admin_tui.conftest import notices, ready, settled, shown_ids, table
from tests.admin_tui.seeding import order_payload
from tests.support.ui import wait_for


def _said(app, words: str) -> bool:
    return any(words in n for n in notices(app))


async def _on_screen(pilot, kind):
    return await wait_for(
        pilot, lambda: isinstance(pilot.app.screen, kind) and pilot.app.screen, kind.__name__
    )


async def test_move_offers_only_allowed_moves(console_app, rest) -> None:
    order = await rest.create_order(order_payload(1))
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("m")
        dialog = await _on_screen(pilot, MoveScreen)
        assert dialog.moves == [Status.PREPARING, Status.CANCELLED]
        await pilot.press("1")
        await wait_for(pilot, lambda: _said(app, f"Order {order.id}: preparing (start)"), "ok")
        assert (await rest.get_order(order.id)).status == Status.PREPARING
        await wait_for(
            pilot,
            lambda: table(app).order(order.id).status == Status.PREPARING,
            "the row to follow",
        )

        # ready offers bump first, then undo, then cancel.
        await rest.move(order.id, Status.READY)
        await wait_for(pilot, lambda: table(app).order(order.id).status == Status.READY, "ready")
        await pilot.press("m")
        dialog = await _on_screen(pilot, MoveScreen)
        assert dialog.moves == [Status.COMPLETED, Status.PREPARING, Status.CANCELLED]
        await pilot.press("escape")
        assert isinstance(app.screen, OrdersScreen)
        assert (await rest.get_order(order.id)).status == Status.READY


async def test_cancel_asks_first_and_refuses_what_cannot_be_cancelled(console_app, rest) -> None:
    order = await rest.create_order(order_payload(1))
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("c")
        await _on_screen(pilot, ConfirmScreen)
        await pilot.press("n")
        await settled(pilot)
        assert (await rest.get_order(order.id)).status == Status.PENDING

        await pilot.press("c")
        await _on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: table(app).order(order.id).status == Status.CANCELLED,
            "the cancelled row",
        )
        assert (await rest.get_order(order.id)).status == Status.CANCELLED

        # A cancelled order offers no moves and cannot be cancelled again.
        await pilot.press("m")
        assert isinstance(app.screen, OrdersScreen)
        assert _said(app, "cannot move any more")
        await pilot.press("c")
        assert isinstance(app.screen, OrdersScreen)
        assert _said(app, "cannot be cancelled")

        # Cancel through the move dialog asks too.
        other = await rest.create_order(order_payload(2))
        await wait_for(pilot, lambda: shown_ids(app)[:1] == [other.id], "the new order")
        table(app).move_cursor(row=0)
        await pilot.press("m")
        await _on_screen(pilot, MoveScreen)
        await pilot.press("2")
        await _on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: table(app).order(other.id).status == Status.CANCELLED,
            "cancelled through the move dialog",
        )


async def test_a_stale_move_is_refused_with_the_servers_reason(console_app, rest) -> None:
    order = await rest.create_order(order_payload(1))
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("m")
        await _on_screen(pilot, MoveScreen)
        # Someone else starts the order while the dialog is open.
        await rest.move(order.id, Status.PREPARING)
        await wait_for(pilot, lambda: table(app).order(order.id).version == 2, "the change")
        await pilot.press("1")  # preparing, as offered for the old version
        await wait_for(pilot, lambda: _said(app, f"Order {order.id} not moved"), "the refusal")
        assert _said(app, "has changed")
        assert (await rest.get_order(order.id)).version == 2


async def test_delete_asks_first_and_shows_a_refusal(console_app, rest) -> None:
    first = await rest.create_order(order_payload(1))
    second = await rest.create_order(order_payload(2))
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert shown_ids(app) == [second.id, first.id]
        await pilot.press("x")
        await _on_screen(pilot, ConfirmScreen)
        await pilot.press("n")
        await settled(pilot)
        assert (await rest.get_order(second.id)).id == second.id

        await pilot.press("x")
        await _on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: shown_ids(app) == [first.id], "the row to go")
        with pytest.raises(NotFound):
            await rest.get_order(second.id)

        # The deleted order was selected: now none is, and x says so rather than act.
        await pilot.press("x")
        await wait_for(pilot, lambda: _said(app, "No order selected"), "no selection")
        assert isinstance(app.screen, OrdersScreen)

        # Deleted by someone else while the question is open: the server says so.
        await pilot.press("down", "x")
        await _on_screen(pilot, ConfirmScreen)
        await rest.delete_order(first.id)
        await pilot.press("y")
        await wait_for(pilot, lambda: _said(app, f"Order {first.id} not deleted"), "refusal")


async def test_edit_saves_and_a_stale_edit_is_refused(console_app, rest) -> None:
    order = await rest.create_order(order_payload(1))
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("e")
        form = await _on_screen(pilot, OrderFormScreen)
        await pilot.press(*"no salt")  # the notes field has the focus
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, OrdersScreen), "the form to close")
        saved = await rest.get_order(order.id)
        assert saved.notes == "no salt"
        assert [i.id for i in saved.items] == [i.id for i in order.items], "items untouched"
        await wait_for(pilot, lambda: table(app).order(order.id).notes == "no salt", "the row")

        # Changed elsewhere while the form is open: refused; the form then shows the new
        # version with what was typed kept, and saves it on the next ^s.
        await pilot.press("e")
        form = await _on_screen(pilot, OrderFormScreen)
        await rest.edit_order(order.id, {"table": "9"})
        await pilot.press(*" please")
        await pilot.press("ctrl+s")
        error = form.query_one("#form-error")
        await wait_for(pilot, lambda: "changed meanwhile" in str(error.content), "the refusal")
        assert "your notes kept" in str(error.content)
        assert app.screen is form
        assert form.query_one("#table").value == "9", "the other change is shown"
        assert form.query_one("#notes").value == "no salt please", "the typed text is kept"
        assert (await rest.get_order(order.id)).notes == "no salt"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, OrdersScreen), "the form to close")
        saved = await rest.get_order(order.id)
        assert (saved.notes, saved.table, saved.version) == ("no salt please", "9", 4)


async def test_a_cancelled_order_is_not_offered_for_editing(console_app, rest) -> None:
    order = await rest.create_order(order_payload(1))
    await rest.move(order.id, Status.CANCELLED)
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: _said(app, "cancelled: it can no longer be edited"), "why")
        assert isinstance(app.screen, OrdersScreen), "no form to type into in vain"


async def test_create_a_phone_order(console_app, rest) -> None:
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("n")
        form = await _on_screen(pilot, OrderFormScreen)
        await pilot.press(*"2x Burger +no onion @grill # well done", "enter", *"Fries")
        form.query_one("#customer_name").value = "Ann"
        form.query_one("#total_cents").value = "21.50"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, OrdersScreen), "the form to close")
        await wait_for(pilot, lambda: len(shown_ids(app)) == 1, "the new order in the table")
        created = await rest.get_order(shown_ids(app)[0])
        assert created.customer_name == "Ann"
        assert created.total_cents == 2150
        burger, fries = created.items
        assert (burger.name, burger.quantity, burger.modifiers) == ("Burger", 2, ["no onion"])
        assert (burger.station, burger.notes) == ("grill", "well done")
        assert (fries.name, fries.quantity) == ("Fries", 1)
