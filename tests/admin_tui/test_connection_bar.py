"""The top line: the connection in words that fit 80 columns, and what to do when the server
refuses the console's token, for as long as it does."""

from __future__ import annotations

from admin_tui import make_app
from admin_tui.widgets.connection_bar import ConnectionBar
from kds_client import ConnectionState, KdsRest, LiveFeed
from tests.admin_tui.conftest import FAST, ready, wait_for

HINT = "Ask an admin for an admin token: kds-server token create --role admin"


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
        await wait_for(pilot, lambda: len(_lines(app)) == 2, "the hint")
        assert "not an admin token" in _lines(app)[0]
        # Through the next attempts (connecting, refused again) the hint stays.
        await wait_for(pilot, lambda: attempts.count(ConnectionState.CONNECTING) >= 2, "retries")
        lines = _lines(app)
        assert lines[1].strip() == HINT
        assert all(len(line) <= 80 for line in lines), lines


async def test_a_revoked_token_says_what_to_do(server) -> None:
    token = server.token("admin", name="soon-revoked")
    app = _console(server, token)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert len(_lines(app)) == 1
        server.cli("token", "revoke", "soon-revoked", check=True)
        await wait_for(pilot, lambda: len(_lines(app)) == 2, "the hint")
        lines = _lines(app)
        assert "token refused" in lines[0] and lines[1].strip() == HINT
        assert all(len(line) <= 80 for line in lines), lines
