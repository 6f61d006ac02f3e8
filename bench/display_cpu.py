"""The kitchen display's CPU time per action, in-process with the tests' ``FakeFeed`` (no
server, no network): a figure that moves far less with the machine's load than
``python -m bench display``'s wall-clock times do.

    .venv/bin/python -m bench.display_cpu [label] [--rounds N]

300 open orders (the shapes ``bench.seed`` posts) at 200x60: start to first board (the app
started and the first page drawn), page flips (``n``/``p``), the all-day panel opened or
closed (``a``). Each action is timed with ``time.process_time()`` from the key to the app
idle again (``pilot.pause()``); the first key comes 3 s after the first board. Run it from
two trees in turn (a worktree of the commit before, say) to compare them.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import time
from datetime import timedelta
from typing import Any

from bench.common import percentile
from bench.loadgen import ITEMS

OPEN_ORDERS = 300
SIZE = (200, 60)
IDLE_AFTER_START_S = 3.0
"""Between the first board and the first key: a cook does not press one at once."""


def _orders() -> list[Any]:
    from tests.kds_tui.fakes import order

    orders = []
    for n in range(OPEN_ORDERS):
        items = [
            {k: v for k, v in item.items() if v is not None} for item in ITEMS[: 1 + n % len(ITEMS)]
        ]
        orders.append(
            order(
                n + 1,
                age=3600 - n * 10,
                table=f"T{n % 40 + 1}",
                priority="rush" if n % 10 == 0 else "normal",
                notes="nut allergy" if n % 7 == 0 else None,
                items=items,
            )
        )
    return orders


async def _round(flips: int, toggles: int) -> dict[str, Any]:
    from kds_tui import Settings, make_app
    from kds_tui.widgets.board import Board
    from tests.kds_tui.fakes import FROZEN, FakeFeed

    orders = _orders()
    gc.collect()
    started = time.process_time()
    app = make_app(
        Settings(bell=False), feed=FakeFeed(orders), clock=lambda: FROZEN + timedelta(seconds=1)
    )
    async with app.run_test(size=SIZE) as pilot:
        board = app.query_one(Board)
        while len(board.shown()) < OPEN_ORDERS or not board.on_page():  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        await pilot.pause()
        first_board = time.process_time() - started
        await asyncio.sleep(IDLE_AFTER_START_S)  # what the display does ahead, while idle
        flip_ms, toggle_ms = [], []
        for n in range(flips if len(board._pages) > 1 else 0):
            cpu = time.process_time()
            await pilot.press("n" if n % 2 == 0 else "p")
            await pilot.pause()
            flip_ms.append(1000 * (time.process_time() - cpu))
        for _ in range(toggles):
            cpu = time.process_time()
            await pilot.press("a")
            await pilot.pause()
            toggle_ms.append(1000 * (time.process_time() - cpu))
        await pilot.press("q")
    return {"first_board_ms": 1000 * first_board, "flips": flip_ms, "toggles": toggle_ms}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("label", nargs="?", default="kds_tui")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--flips", type=int, default=20)
    parser.add_argument("--toggles", type=int, default=6)
    args = parser.parse_args()
    rounds = [asyncio.run(_round(args.flips, args.toggles)) for _ in range(args.rounds)]
    flips = [ms for r in rounds for ms in r["flips"]]
    toggles = [ms for r in rounds for ms in r["toggles"]]
    first = [r["first_board_ms"] for r in rounds]
    print(
        f"{args.label}: CPU ms, {OPEN_ORDERS} open, {SIZE[0]}x{SIZE[1]}, {args.rounds} rounds, "
        f"load {os.getloadavg()[0]:.2f}\n"
        f"  start to first board   median {statistics.median(first):7.1f}  (each: "
        f"{', '.join(f'{ms:.0f}' for ms in first)})\n"
        f"  page flip (n={len(flips):3d})    p50 {percentile(flips, 50):7.1f}  "
        f"p99 {percentile(flips, 99):7.1f}  max {max(flips):7.1f}\n"
        f"  all-day toggle (n={len(toggles):2d}) p50 {percentile(toggles, 50):7.1f}  "
        f"p99 {percentile(toggles, 99):7.1f}  max {max(toggles):7.1f}"
    )


if __name__ == "__main__":
    main()
