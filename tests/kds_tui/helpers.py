"""Helpers for the kitchen display's tests: a display on a real server, watched."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kds_client import KdsRest
from kds_client.feed import LiveFeed
from kds_tui import KitchenApp, Settings, make_app
from kds_tui.widgets.board import Board
from tests.support.server import ServerProcess


class Spy:
    """Records the calls made to one of the app's methods (``bell`` does nothing headless)."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append((args, kwargs))

    @property
    def messages(self) -> list[str]:
        return [str(args[0]) if args else "" for args, _ in self.calls]


def kitchen_app(
    server: ServerProcess, *, url: str | None = None, token: str | None = None, **settings: Any
) -> KitchenApp:
    """A display on ``server`` with a quick reconnect, its bell and notifications spied on."""
    url = url or server.url
    config = Settings(urls=(url,), token=token or server.tokens["kitchen"], **settings)
    feed = LiveFeed(
        [url],
        config.token,
        rooms=("kitchen",),
        rest=KdsRest(url, config.token, timeout=2.0),
        backoff_base=0.1,
        backoff_max=0.5,
        check_interval=0.5,
        connect_timeout=2.0,
    )
    stop = feed.stop

    async def stop_and_close() -> None:
        # The feed closes only a REST client it made; this one (short timeouts) is ours.
        await stop()
        await feed.rest.close()

    feed.stop = stop_and_close  # type: ignore[method-assign]
    app = make_app(config, feed=feed)
    app.bell = Spy()  # type: ignore[method-assign]
    real_notify = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        app.notified.append((message, kwargs.get("severity", "information")))  # type: ignore[attr-defined]
        real_notify(message, **kwargs)

    app.notified = []  # type: ignore[attr-defined]
    app.notify = notify  # type: ignore[method-assign]
    return app


def board_of(app: KitchenApp) -> Board:
    return app.query_one(Board)


def shown_ids(app: KitchenApp) -> list[int]:
    """The order numbers on the board, in board order (every page)."""
    return [o.id for o in board_of(app).shown()]


def live(app: KitchenApp) -> Callable[[], bool]:
    return lambda: app.feed.live and app.query_one("ConnectionBadge").word == "LIVE"


def screen_lines(app: Any) -> list[str]:
    """What the terminal shows, line by line: what a snapshot test draws, as text.

    Textual keeps this behind ``App.export_screenshot`` (an SVG); the same steps give text.
    """
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_text(styles=False).splitlines()


def card_lines(board: Board, order_id: int, part: int = 0) -> list[str]:
    """The lines of a ticket's part on the page on screen, as its column draws them."""
    for column in board.columns():
        cards = [card for card in column.cards if card.order.id == order_id]
        for card in cards:
            if card.start == sorted(c.start for c in board.parts(order_id))[part]:
                lines = column.lines()[card.top : card.top + card.height]
                return [line.rstrip() for line in lines]
    raise AssertionError(f"#{order_id} part {part} is not on the page on screen")
