"""Tokens from the console: listed (this console's own marked), made and shown once,
revoked after a question that names the token."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from admin_tui.screens.confirm import ConfirmScreen
from admin_tui.screens.tokens import SecretScreen, TokenFormScreen, TokensScreen
from kds_client import KdsRest
from kds_client.errors import Unauthorized
from tests.admin_tui.conftest import ready
from tests.support.ui import wait_for


async def test_make_a_token_see_it_once_and_revoke_it(console_app, server) -> None:
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("k")
        screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, TokensScreen) and app.screen.tokens and app.screen,
            "the tokens",
        )
        table = screen.query_one(DataTable)
        states = {t.name: str(table.get_cell(str(t.id), "state")) for t in screen.tokens.values()}
        assert states["local-admin"] == "this console" and states["local-kitchen"] == "active"

        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TokenFormScreen), "the form")
        await pilot.press(*"till-7", "enter")
        shown = await wait_for(
            pilot, lambda: isinstance(app.screen, SecretScreen) and app.screen, "the token, once"
        )
        secret = shown.query_one("#secret", Input).value
        assert shown.created.token.role.value == "pos" and secret.startswith("kds_")
        async with KdsRest(server.url, secret) as till:
            made = await till.create_order({"items": [{"name": "Tea"}]})
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                app.screen is screen and any(t.name == "till-7" for t in screen.tokens.values())
            ),
            "listed",
        )
        new = next(t for t in screen.tokens.values() if t.name == "till-7")
        table.move_cursor(row=table.get_row_index(str(new.id)))
        await pilot.press("x")
        ask = await wait_for(
            pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen, "?"
        )
        assert f"Revoke token {new.id}, till-7 (pos)?" in ask.question
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: "revoked" in str(table.get_cell(str(new.id), "state")),
            "revoked in the list",
        )
    async with KdsRest(server.url, secret) as till:
        with pytest.raises(Unauthorized):
            await till.get_order(made.id)
