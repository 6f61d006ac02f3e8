"""The console's look at 80x24 and 120x40, from fixed data and a frozen clock."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from admin_tui import make_app
from admin_tui.screens.figures import FiguresScreen
from admin_tui.screens.menu import MenuScreen
from admin_tui.screens.report import ReportScreen
from tests.admin_tui.fakes import FakeFeed, FakeRest, frozen_clock

SIZES = [(80, 24), (120, 40)]


def _app():
    return make_app(
        "http://127.0.0.1:5000", "token", clock=frozen_clock, rest=FakeRest(), feed=FakeFeed()
    )


async def _settled(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    pilot.app.screen.set_focus(pilot.app.screen.focused)  # no blink changes mid-shot
    # Until two shots a frame apart agree: under load a repaint can come a frame after the
    # app is idle (a table behind a dialog was once shot with its cursor still focused).
    shot = pilot.app.export_screenshot()
    for _ in range(20):
        await pilot.pause(1 / 30)
        shot, before = pilot.app.export_screenshot(), shot
        if shot == before:
            return


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_orders_table(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(_app(), terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_order_detail(snap_compare, size: tuple[int, int]) -> None:
    async def open_detail(pilot: Pilot) -> None:
        await _settled(pilot)
        await pilot.press("down", "down", "down", "enter")
        await _settled(pilot)

    assert snap_compare(_app(), terminal_size=size, run_before=open_detail)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_figures(snap_compare, size: tuple[int, int]) -> None:
    async def open_figures(pilot: Pilot) -> None:
        await _settled(pilot)
        await pilot.press("f")
        await pilot.app.screen.workers.wait_for_complete()
        assert isinstance(pilot.app.screen, FiguresScreen)
        await _settled(pilot)

    assert snap_compare(_app(), terminal_size=size, run_before=open_figures)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_report(snap_compare, size: tuple[int, int]) -> None:
    async def open_report(pilot: Pilot) -> None:
        await _settled(pilot)
        await pilot.press("p")
        await pilot.app.screen.workers.wait_for_complete()
        assert isinstance(pilot.app.screen, ReportScreen)
        await _settled(pilot)

    assert snap_compare(_app(), terminal_size=size, run_before=open_report)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_tokens(snap_compare, size: tuple[int, int]) -> None:
    async def open_tokens(pilot: Pilot) -> None:
        await _settled(pilot)
        await pilot.press("k")
        await pilot.app.screen.workers.wait_for_complete()
        await _settled(pilot)

    assert snap_compare(_app(), terminal_size=size, run_before=open_tokens)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_menu(snap_compare, size: tuple[int, int]) -> None:
    async def open_menu(pilot: Pilot) -> None:
        await _settled(pilot)
        await pilot.press("M")
        await pilot.app.screen.workers.wait_for_complete()
        assert isinstance(pilot.app.screen, MenuScreen) and pilot.app.screen.rows
        await _settled(pilot)

    assert snap_compare(_app(), terminal_size=size, run_before=open_menu)


def test_menu_form_errors(snap_compare) -> None:
    async def bad_entry(pilot: Pilot) -> None:
        await _settled(pilot)
        await pilot.press("M")
        await pilot.app.screen.workers.wait_for_complete()
        await _settled(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"fries", "tab", "tab", *"12", "enter")
        await pilot.app.screen.workers.wait_for_complete()
        await _settled(pilot)

    assert snap_compare(_app(), terminal_size=(80, 24), run_before=bad_entry)


def test_move_dialog(snap_compare) -> None:
    async def open_move(pilot: Pilot) -> None:
        await _settled(pilot)
        await pilot.press("down", "down", "down", "m")
        await _settled(pilot)

    assert snap_compare(_app(), terminal_size=(80, 24), run_before=open_move)


def test_order_form_errors(snap_compare) -> None:
    async def bad_form(pilot: Pilot) -> None:
        await _settled(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"0 Burger", "tab", "tab")
        await _settled(pilot)
        await pilot.press("ctrl+s")
        await _settled(pilot)

    assert snap_compare(_app(), terminal_size=(80, 24), run_before=bad_form)


def test_keys_help(snap_compare) -> None:
    async def open_help(pilot: Pilot) -> None:
        await _settled(pilot)
        await pilot.press("question_mark")
        await _settled(pilot)

    assert snap_compare(_app(), terminal_size=(80, 24), run_before=open_help)
