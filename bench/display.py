"""The kitchen display (issue 7, item 4), measured in-process with ``app.run_test()`` against
a real server: time to first board with 300 open orders, event-to-screen with 300 tickets,
and CPU while idle (only its timers and the feed's periodic check running).

First board: from building the app to its 300 tickets laid out and the app idle (the
pilot's wait), live or not: a snapshot shown stale while the feed still catches up counts.
First live board: to the first screen update Textual hands its driver with the 300 tickets
drawn and the feed live (the board not stale): what a cook waits for.

Event to screen is timed from the feed applying the event (its ``on_change``) to the ticket
being drawn (``kds_tui.widgets.column.draw``) and to the next screen update Textual hands to
its driver (``App._display``). Headless, the driver writes nothing: a real terminal adds its
own time. A page flip is timed from the key to the new page drawn and the app idle (which
includes the pilot's own waits for idle: sleeps of 1/50 s until a slice passes with little
CPU used), and from the key to the last screen update it made (what a cook waits for); so
is opening the all-day panel. "To last frame" counts frames the key did not make: the
clock's tick once a second, a notice's timeout, whatever lands in the pilot's waits (~100 ms
after each key). "To shown" is from the key to the first screen update that shows what the
key made, as it is once the app is idle again: the new page and its number, the panel with
its counts and the columns at their new width."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import aiohttp

from bench.common import latency_summary, print_table, start_kds
from bench.seed import post_orders

OPEN_ORDERS = 300
SIZE = (200, 60)


async def _until(condition: Any, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the display did not get there")
        await asyncio.sleep(0.002)


async def _measure(
    url: str, token: str, admin: str, events: int, idle: float, flip_count: int = 20
) -> dict[str, Any]:
    from kds_tui import Settings, make_app
    from kds_tui.widgets import column
    from kds_tui.widgets.allday import AllDayPanel
    from kds_tui.widgets.board import Board

    shown_at: dict[tuple[int, int], float] = {}
    real_draw = column.draw

    def draw(card: Any, *args: Any) -> Any:
        strips = real_draw(card, *args)
        shown_at.setdefault((card.order.id, card.order.version), time.perf_counter())
        return strips

    column.draw = draw  # type: ignore[assignment]
    try:
        app = make_app(Settings(urls=(url,), token=token, bell=False))
        arrived: dict[tuple[int, int], float] = {}
        app.feed.on_change(
            lambda change: [
                arrived.setdefault((o.id, o.version), time.perf_counter())
                for o in ([change.order] if getattr(change, "order", None) else [])
            ]
        )
        frames: list[float] = []
        shown: list[tuple[float, tuple[object, ...]]] = []
        live_board: list[float] = []
        real_display = app._display

        def display(screen: Any, renderable: Any) -> None:
            # Where Textual hands a screen update to the terminal driver.
            if renderable is not None:
                frames.append(time.perf_counter())
                if app.board is not None and app.board.columns():
                    shown.append((frames[-1], _what_is_shown(app, AllDayPanel)))
                board = app.board
                if (
                    not live_board
                    and app.feed.live
                    and board is not None
                    and not board.stale
                    and shown_at
                    and len(board.shown()) >= OPEN_ORDERS
                ):
                    # The first screen of the board live: tickets drawn, not stale.
                    live_board.append(frames[-1])
            real_display(screen, renderable)

        app._display = display  # type: ignore[method-assign]
        started = time.perf_counter()
        async with app.run_test(size=SIZE) as pilot:
            board = app.query_one(Board)
            await _until(lambda: len(board.shown()) >= OPEN_ORDERS and bool(shown_at))
            await pilot.pause()
            first_board = time.perf_counter() - started
            await _until(lambda: bool(live_board))
            first_live_board = live_board[0] - started

            to_ticket, to_frame = [], []
            headers = {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"}
            async with aiohttp.ClientSession(headers=headers) as http:
                for n in range(events):
                    target = board.on_page()[n % len(board.on_page())]
                    status = "preparing" if target.status == "pending" else "pending"
                    key = (target.id, target.version + 1)
                    async with http.patch(
                        f"{url}/api/orders/{target.id}/status",
                        json={"status": status, "version": target.version},
                    ) as answer:
                        assert answer.status == 200, await answer.text()
                    await _until(lambda key=key: key in shown_at and key in arrived)
                    await _until(lambda key=key: bool(frames) and frames[-1] >= shown_at[key])
                    frame = next(t for t in frames if t >= shown_at[key])
                    to_ticket.append(shown_at[key] - arrived[key])
                    to_frame.append(frame - arrived[key])
                    await asyncio.sleep(0.05)

            flips, flip_screens, flip_shown = [], [], []
            for n in range(flip_count if len(board._pages) > 1 else 0):
                # A cook paging: from the key to the new page laid out, drawn and idle (the
                # pilot's own waits for idle included), and to the last screen update it made.
                started_flip = time.perf_counter()
                await pilot.press("n" if n % 2 == 0 else "p")
                await pilot.pause()
                flips.append(time.perf_counter() - started_flip)
                flip_screens.append(_last_frame(frames, started_flip) - started_flip)
                flip_shown.append(_first_shown(shown, started_flip, app, AllDayPanel))

            toggles, toggle_screens, toggle_shown = [], [], []
            for _ in range(6):
                # The all-day panel opened or closed: from the key to the screen idle again,
                # and to the last screen update it made.
                started_toggle = time.perf_counter()
                await pilot.press("a")
                await pilot.pause()
                toggles.append(time.perf_counter() - started_toggle)
                toggle_screens.append(_last_frame(frames, started_toggle) - started_toggle)
                toggle_shown.append(_first_shown(shown, started_toggle, app, AllDayPanel))

            await asyncio.sleep(2.0)
            cpu0, t0 = time.process_time(), time.monotonic()
            await asyncio.sleep(idle)
            idle_cpu = (time.process_time() - cpu0) / (time.monotonic() - t0)
            await pilot.press("q")
    finally:
        column.draw = real_draw  # type: ignore[assignment]
    ticket = latency_summary(to_ticket)
    frame = latency_summary(to_frame)
    return {
        "first_board_s": round(first_board, 3),
        "first_live_board_s": round(first_live_board, 3),
        "event_to_ticket_p50_ms": ticket["p50_ms"],
        "event_to_ticket_max_ms": ticket["max_ms"],
        "event_to_frame_p50_ms": frame["p50_ms"],
        "event_to_frame_p99_ms": frame["p99_ms"],
        "event_to_frame_max_ms": frame["max_ms"],
        "events": len(to_frame),
        "page_flip_p50_ms": latency_summary(flips)["p50_ms"] if flips else 0.0,
        "page_flip_p99_ms": latency_summary(flips)["p99_ms"] if flips else 0.0,
        "flip_to_screen_p50_ms": latency_summary(flip_screens)["p50_ms"] if flips else 0.0,
        "flip_to_screen_p99_ms": latency_summary(flip_screens)["p99_ms"] if flips else 0.0,
        "flip_to_shown_p50_ms": latency_summary(flip_shown)["p50_ms"] if flips else 0.0,
        "flip_to_shown_p99_ms": latency_summary(flip_shown)["p99_ms"] if flips else 0.0,
        "all_day_toggle_p50_ms": latency_summary(toggles)["p50_ms"],
        "all_day_toggle_max_ms": latency_summary(toggles)["max_ms"],
        "all_day_to_screen_p50_ms": latency_summary(toggle_screens)["p50_ms"],
        "all_day_to_screen_max_ms": latency_summary(toggle_screens)["max_ms"],
        "all_day_to_shown_p50_ms": latency_summary(toggle_shown)["p50_ms"],
        "all_day_to_shown_max_ms": latency_summary(toggle_shown)["max_ms"],
        "idle_cpu_pct": round(100 * idle_cpu, 2),
        "idle_s": idle,
    }


def _what_is_shown(app: Any, panel_type: Any) -> tuple[object, ...]:
    """What a page flip or the all-day panel changes, as it is now: the page and its number,
    the panel and its counts, the columns' width."""
    board, panel = app.board, app.query_one(panel_type)
    counts = panel.query_one(".counts").visual.plain if panel.display else None
    indicator = app._header.page_indicator
    width = board.columns()[0].size.width
    return (board.page, indicator.page, indicator.pages, panel.display, counts, width)


def _first_shown(
    shown: list[tuple[float, tuple[object, ...]]], since: float, app: Any, panel_type: Any
) -> float:
    """From ``since`` to the first screen update that showed what is shown now."""
    now = _what_is_shown(app, panel_type)
    first = next((t for t, what in shown if t >= since and what == now), None)
    if first is None:
        raise AssertionError(f"no screen update showed {now}")
    return first - since


def _last_frame(frames: list[float], since: float) -> float:
    """When the last screen update after ``since`` was handed to the driver."""
    return max((t for t in frames if t >= since), default=since)


def display(*, full: bool = False, runs: int | None = None, **_: Any) -> dict[str, Any]:
    runs = runs or (5 if full else 3)
    events = 50 if full else 20
    idle = 30.0 if full else 8.0
    server = start_kds("display", rate_limit=0)
    windows = []
    try:
        asyncio.run(post_orders(server.url, server.tokens["admin"], OPEN_ORDERS))
        for _ in range(runs):
            windows.append(
                asyncio.run(
                    _measure(
                        server.url, server.tokens["kitchen"], server.tokens["admin"], events, idle
                    )
                )
            )
    finally:
        server.stop()
    keys = [k for k in windows[0] if k not in ("events", "idle_s")]
    row = {k: round(statistics.median(w[k] for w in windows), 3) for k in keys}
    print_table(
        f"kitchen display, {OPEN_ORDERS} open orders, {SIZE[0]}x{SIZE[1]}, {runs} runs (medians)",
        [row],
        keys,
    )
    return {
        "open_orders": OPEN_ORDERS,
        "size": SIZE,
        "events": events,
        "runs": windows,
        "median": row,
    }
