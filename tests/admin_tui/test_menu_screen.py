"""The menu from the console against a real server: each dish with its learned prep time
beside the menu's; add, edit and remove dishes (bad input said under its field); a learned
time applied only after a yes."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from admin_tui.menu_entry import EntryError, entry, menu_rows, with_item, without
from admin_tui.screens.confirm import ConfirmScreen
from admin_tui.screens.menu import MenuItemScreen, MenuScreen
from kds_client import KdsRest
from kds_contract.menu import Menu, MenuItem, PrepSuggestion
from tests.admin_tui.conftest import ready
from tests.support.ui import plain, wait_for

MENU = Menu.model_validate(
    {
        "items": [
            {"name": "Steak", "station": "grill", "prep_seconds": 720},
            {"name": "Caesar salad", "station": "cold", "prep_seconds": 240},
        ]
    }
)


def row_texts(screen: MenuScreen) -> dict[str, list[str]]:
    table = screen.query_one(DataTable)
    return {
        str(table.get_row_at(n)[0]): [str(cell) for cell in table.get_row_at(n)]
        for n in range(table.row_count)
    }


def errors(form: MenuItemScreen) -> dict[str, str]:
    """The problems the form shows, by field."""
    shown = {}
    for field in ("name", "station", "prep", "form"):
        widget = form.query_one(f"#{field}-error", Static)
        if widget.has_class("-shown"):
            shown[field] = plain(widget.render()).strip()
    return shown


async def make_history(rest: KdsRest) -> None:
    """A steak and a soup (not on the menu) made and marked done: learned prep times."""
    order = await rest.create_order({"items": [{"name": "Steak"}, {"name": "Soup"}]})
    order = await rest.move(order.id, "preparing")
    for item in order.items:
        await rest.mark_item(order.id, item.id, True)


async def test_see_edit_and_apply_learned_prep_times(console_app, rest: KdsRest) -> None:
    await rest.put_menu(MENU)
    await make_history(rest)
    app = console_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("M")
        screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, MenuScreen) and app.screen.rows and app.screen,
            "the menu",
        )
        rows = row_texts(screen)
        assert list(rows) == ["Steak", "Caesar salad", "Soup"], "the menu's order, then made"
        assert rows["Steak"][1:3] == ["grill", "12m"] and rows["Steak"][5] == "1"
        assert rows["Steak"][3] != "-", "its median beside the menu's 12m"
        assert rows["Caesar salad"][3:] == ["-", "-", "0"]
        assert rows["Soup"][1:3] == ["-", "-"], "made, not on the menu"

        # A new dish: every problem said under its field, nothing saved.
        await pilot.press("n")
        form = await wait_for(
            pilot, lambda: isinstance(app.screen, MenuItemScreen) and app.screen, "the form"
        )
        await pilot.press("tab", "tab", *"abc", "enter")
        shown = await wait_for(pilot, lambda: errors(form), "the errors")
        assert shown == {
            "name": "a dish needs a name",
            "prep": "'abc' is not a prep time: write 12m, 240s or 1h30m (empty: not known)",
        }
        await pilot.press(
            "shift+tab",
            "shift+tab",
            *"STEAK ",
            "tab",
            "tab",
            "backspace",
            "backspace",
            "backspace",
            *"12",
            "enter",
        )
        await wait_for(
            pilot,
            lambda: "name" in errors(form) and "12" in errors(form).get("prep", ""),
            "new errors",
        )
        assert errors(form) == {
            "name": "'STEAK' is on the menu already (names are matched ignoring case)",
            "prep": "'12': minutes or seconds? Write 12m or 12s",
        }
        assert (await rest.menu()) == MENU, "nothing saved"
        name, station, prep = (form.query_one(f"#{f}") for f in ("name", "station", "prep"))
        name.value, station.value, prep.value = "Ribeye", "grill", "15m"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: app.screen is screen and "Ribeye" in row_texts(screen), "saved"
        )
        assert (await rest.menu()).items[-1] == MenuItem(
            name="Ribeye", station="grill", prep_seconds=900
        )

        # Edit the salad's prep time (enter opens the selected dish).
        screen.query_one(DataTable).move_cursor(row=1)
        await pilot.press("enter")
        form = await wait_for(
            pilot, lambda: isinstance(app.screen, MenuItemScreen) and app.screen, "the form"
        )
        assert form.query_one("#prep").value == "4m"  # type: ignore[attr-defined]
        form.query_one("#prep").value = "5m30s"  # type: ignore[attr-defined]
        form.query_one("#prep").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: row_texts(screen)["Caesar salad"][2] == "5m30s", "edited")
        assert (await rest.menu()).items[1].prep_seconds == 330

        # The steak's learned median: asked first; no changes nothing, yes applies it.
        screen.query_one(DataTable).move_cursor(row=0)
        await pilot.press("a")
        ask = await wait_for(
            pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen, "?"
        )
        assert ask.question.startswith("Set Steak's prep time to ")
        assert "the median of 1 made in the last 14 days (only 1" in ask.question
        assert "The menu says 12m." in ask.question
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen, "back")
        assert (await rest.menu()).items[0].prep_seconds == 720, "no: nothing changed"
        learned = next(s for s in (await rest.prep_suggestions()).items if s.name == "Steak")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "?")
        await pilot.press("y")

        async def applied() -> bool:
            return (await rest.menu()).items[0].prep_seconds == round(learned.median_s or 0)

        await wait_for_server(pilot, applied)

        # Remove the ribeye: asked first.
        screen.query_one(DataTable).move_cursor(row=2)
        await pilot.press("x")
        ask = await wait_for(
            pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen, "?"
        )
        assert ask.question.startswith("Remove Ribeye from the menu?")
        await pilot.press("y")
        await wait_for(pilot, lambda: "Ribeye" not in row_texts(screen), "removed")
        assert [i.name for i in (await rest.menu()).items] == ["Steak", "Caesar salad"]


async def wait_for_server(pilot, check) -> None:
    for _ in range(200):
        if await check():
            return
        await pilot.pause(0.05)
    raise AssertionError("the server never had the change")


def test_an_entry_is_checked_against_the_menu_and_replaces_the_dish_it_edits() -> None:
    edited = entry(" Steak ", " pass ", "10m", MENU, replacing="steak")
    assert edited == MenuItem(name="Steak", station="pass", prep_seconds=600), "its own name"
    assert with_item(MENU, edited, "Steak").items[0] == edited
    assert entry("Tea", "", "", MENU) == MenuItem(name="Tea"), "no station, no prep: not known"
    for prep, words in [
        ("2d", "not a prep time"),
        ("25h", "more than a day"),
        ("90", "90m or 90s"),
    ]:
        with pytest.raises(EntryError) as refused:
            entry("Tea", "", prep, MENU)
        assert words in refused.value.problems["prep"]
    with pytest.raises(EntryError) as refused:
        entry("x" * 201, "", "", MENU)
    assert "200 characters" in refused.value.problems["name"]
    assert [i.name for i in without(MENU, "STEAK").items] == ["Caesar salad"]
    learned = [
        PrepSuggestion(name="Caesar salad", menu_prep_seconds=240, median_s=250, p90_s=300, n=3),
        PrepSuggestion(name="Soup", menu_prep_seconds=None, median_s=None, p90_s=None, n=0),
    ]
    rows = menu_rows(MENU, learned)
    assert [(r.name, r.learned is not None) for r in rows] == [
        ("Steak", False),
        ("Caesar salad", True),
    ], "a dish never made and not on the menu is not listed"
