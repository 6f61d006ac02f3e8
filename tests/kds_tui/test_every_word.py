"""No word of any item, modifier or note is lost anywhere on the board, in any script, at
80x24, 120x40 and 200x60; every part of a long ticket says whose it is and its allergy.
Last, the issue's own orders from a till through a real server."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from kds_client import KdsRest
from kds_client.cli_parser import parse_item
from kds_contract.allergens import DEFAULT_ALLERGENS
from kds_tui import KitchenApp, Settings, make_app
from kds_tui.model import where_to
from kds_tui.view import allergy_texts
from kds_tui.widgets.board import Board
from tests.kds_tui.fakes import FakeFeed, frozen_clock, kitchen_orders
from tests.kds_tui.helpers import board_of, kitchen_app, screen_lines
from tests.kds_tui.scripts import LONG_NOTE, every_script, sixty_items, texts_of, words_of
from tests.support.client import wait_for
from tests.support.server import ServerProcess

SIZES = [(80, 24), (120, 40), (200, 60)]


async def every_page(app: KitchenApp, pilot: Any) -> dict[int, list[list[str]]]:
    """Each ticket's parts as the screen shows them, page by page (checked against the
    screen: nothing covers them)."""
    board = app.query_one(Board)
    parts: dict[int, list[list[str]]] = defaultdict(list)
    while True:
        await pilot.pause()
        screen = screen_lines(app)
        for column in board.columns():
            lines, top = column.lines(), column.region.y
            for card in column.cards:
                drawn = [lines[card.top + n].rstrip() for n in range(card.height)]
                inside = card.start and card.view.body[card.start].attached
                assert not inside or card.top == 0, f"#{card.order.id}: a part cut an item"
                for n, line in enumerate(drawn):
                    assert line.strip() in screen[top + card.top + n], "the ticket is covered"
                parts[card.order.id].append(drawn)
        if board.page >= len(board._pages) - 1:
            return parts
        page = board.page
        await pilot.press("n")
        await wait_for(lambda p=page: board.page == p + 1, message="the next page")


def in_order(words: list[str], shown: list[str]) -> bool:
    """Whether ``words`` come in ``shown`` in this order (others may stand between)."""
    rest = iter(shown)
    return all(any(word == seen for seen in rest) for word in words)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_every_word_of_every_ticket_is_on_screen(size: tuple[int, int]):
    orders = every_script()
    app = make_app(Settings(), feed=FakeFeed(orders), clock=frozen_clock)
    async with app.run_test(size=size) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: len(board.shown()) == len(orders), message="the tickets")
        parts = await every_page(app, pilot)
        assert set(parts) == {o.id for o in orders}, "every ticket is on some page"
        every_word_and_mark(orders, parts, size)


def every_word_and_mark(
    orders: list[Any], parts: dict[int, list[list[str]]], size: Any, station: str | None = None
) -> None:
    """Every word of each order on its ticket's parts, in order; and on every part, its
    number, table or customer, and the allergy mark when (and only when) it names one."""
    for o in orders:
        # Its words as the screen shows them, part after part (compact: "a, b").
        shown = [
            word.removesuffix(",") for part in parts[o.id] for line in part for word in line.split()
        ]
        missing = [word for word in words_of(o) if word.removesuffix(",") not in shown]
        assert not missing, f"#{o.id} at {size}: {missing}"
        for text in texts_of(o):
            words = [word.removesuffix(",") for word in text.split()]
            assert in_order(words, shown), f"#{o.id} at {size}: {text!r} reordered"
        where = "".join(where_to(o).split())
        texts = allergy_texts(o, station, DEFAULT_ALLERGENS)
        allergic = bool(DEFAULT_ALLERGENS.named(texts))
        for part in parts[o.id]:
            assert f"#{o.id}" in part[1], f"#{o.id}: every part has its number"
            assert where in "".join("".join(part[1:4]).split()), f"#{o.id}: and its table"
            marked = any("⚠ ALLERGY" in line for line in part)
            assert marked == allergic, f"#{o.id} at {size}: its allergy mark on every part"


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_every_part_of_a_long_ticket_has_its_number_table_and_allergy(
    size: tuple[int, int],
):
    party = sixty_items()
    app = make_app(Settings(), feed=FakeFeed([*kitchen_orders(), party]), clock=frozen_clock)
    async with app.run_test(size=size) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: board.get(29) is not None, message="the party's order")
        parts = (await every_page(app, pilot))[29]
        assert len(parts) > 1, "60 items take more than one part"
        for part in parts:
            head = " ".join(part[1:4])
            assert "#29" in part[1] and "T22" in head, part[:4]
            assert any("⚠ ALLERGY: SHELLFISH" in line for line in part), part[:5]
        shown = " ".join(line for part in parts for line in part).split()
        assert all(f"Tapas {n}".split()[1] in shown for n in range(60))


async def test_the_issues_orders_from_a_till_on_a_real_server(server: ServerProcess, pos: KdsRest):
    """Issue 18's orders as kds-order sends them, on the wok's screen at 120x40, then 80x24."""
    spec = ["1x 宫保鸡丁 少辣 不要葱 花生严重过敏 @wok", "2x Burger 🍔🍔🍔🍔🍔 NO CHEESE @wok"]
    made = [
        await pos.create_order({"items": [parse_item(s) for s in spec], "table": "9"}),
        await pos.create_order(
            {
                "items": [{"name": f"Tapas {n}", "station": "wok"} for n in range(60)],
                "notes": "SHELLFISH ALLERGY",
                "table": "22",
            }
        ),
        await pos.create_order(
            {"items": [parse_item("Pad thai @wok")], "notes": LONG_NOTE, "table": "14"}
        ),
    ]
    app = kitchen_app(server, station="wok")
    async with app.run_test(size=(120, 40)) as pilot:
        board = board_of(app)
        await wait_for(lambda: len(board.shown()) == 3, message="the three tickets")
        for size in [(120, 40), (80, 24)]:
            await pilot.resize_terminal(*size)
            await pilot.press("home")
            await wait_for(lambda: board.page == 0, message="the first page")
            parts = await every_page(app, pilot)
            every_word_and_mark(made, parts, size, station="wok")
            first = [line for part in parts[made[0].id] for line in part]
            assert any("⚠ ALLERGY: 花生" in line for line in first), first
            assert any("NO CHEESE" in line for line in first), "NO with its word"
            assert len(parts[made[1].id]) > 1, "60 items in several parts"
