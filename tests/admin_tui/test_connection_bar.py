"""The top line: the connection in words that fit 80 columns, and what to do when the server
refuses the console's token, for as long as it does."""

from __future__ import annotations

from textual.widgets import Input

from admin_tui import make_app
from admin_tui.screens.token_entry import TokenScreen
from admin_tui.widgets.connection_bar import ConnectionBar
from kds_client import ConnectionState, KdsRest, LiveFeed
from tests.admin_tui.conftest import FAST, ready, shown_ids
from tests.support.ui import wait_for

HINT = [
    "t: type another admin token. To make one, on the server's host:",
    "kds-server token create --role admin --data-dir <the server's data folder>",
]


def _console(server, token: str):
    rest = KdsRest(server.url, token)
    feed = LiveFeed(server.url, token, rooms=("admin",), rest=rest, **FAST)
    return make_app(server.url, token, rest=rest, feed=feed, bell=False)


def _lines(app) -> list[str]:
    return str(app.screen.query_one(ConnectionBar).render()).splitlines()


async def test_a_kitchen_token_says_what_to_do_and_keeps_saying_it(server) -> None:
    app = _console(server, server.tokens["kitchen"])
    attempts: list[ConnectionState] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.feed.on_status(lambda status: attempts.append(status.state))
        await wait_for(pilot, lambda: len(_lines(app)) == 3, "the hint")
        assert "not an admin token" in _lines(app)[0]
        # Through the next attempts (connecting, refused again) the hint stays.
        await wait_for(pilot, lambda: attempts.count(ConnectionState.CONNECTING) >= 2, "retries")
        lines = _lines(app)
        assert [line.strip() for line in lines[1:]] == HINT
        assert all(len(line) <= 80 for line in lines), lines


async def test_a_revoked_token_says_what_to_do_and_another_one_is_taken(server) -> None:
    token = server.token("admin", name="soon-revoked")
    app = _console(server, token)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert len(_lines(app)) == 1
        server.cli("token", "revoke", "soon-revoked", check=True)
        await wait_for(pilot, lambda: "token refused" in _lines(app)[0], "the hint")
        lines = _lines(app)
        assert "token refused" in lines[0] and [line.strip() for line in lines[1:]] == HINT
        assert all(len(line) <= 80 for line in lines), lines

        # Another token, typed in: live again without a restart.
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TokenScreen), "the token dialog")
        app.screen.query_one("#token", Input).value = server.token("admin", name="fresh")
        await pilot.press("enter")
        await ready(pilot)
        assert len(_lines(app)) == 1 and "LIVE" in _lines(app)[0]
        order = await app.rest.create_order({"items": [{"name": "Tea"}]})
        await wait_for(pilot, lambda: order.id in shown_ids(app), "orders live again")


async def test_an_offline_header_says_why_in_full_at_80_columns(server) -> None:
    app = _console(server, server.tokens["admin"])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        server.kill()
        await wait_for(pilot, lambda: len(_lines(app)) >= 2, "the reason, on its own line")
        lines = _lines(app)
        assert all(len(line) <= 80 for line in lines), lines
        reason = " ".join(line.strip() for line in lines[1:])
        assert "…" not in reason and app.feed_status is not None
        assert reason.split()[:3] == (app.feed_status.error or "").split()[:3], (reason, lines)
