"""The menu as the console shows and edits it: no Textual, no I/O.

One row per dish: the menu's items in their order, then the names the kitchen made that are
not on the menu (from the learned prep times), each with what it really took beside what
the menu says. An entry typed in the form is checked here, each problem said for its field;
a change is applied to the menu as the server has it just before saving (``PUT /api/menu``
replaces the whole menu), so another manager's change to another dish is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from kds_client.item_text import ItemLineError, format_duration, parse_duration, prep_text
from kds_contract.menu import Menu, MenuItem, PrepSuggestion, menu_key
from kds_contract.models import MAX_PREP_SECONDS

MIN_SAMPLES = 5
"""Fewer dishes made than this, and a suggestion says it rests on few."""


@dataclass(frozen=True)
class MenuRow:
    """A dish: on the menu (``item``), learned (``learned``), or both."""

    name: str
    item: MenuItem | None
    learned: PrepSuggestion | None

    @property
    def key(self) -> str:
        return menu_key(self.name)


def menu_rows(menu: Menu, learned: list[PrepSuggestion]) -> list[MenuRow]:
    """The menu's items in its order, each with its learned prep time, then the dishes
    made that are not on the menu, by name."""
    by_key = {menu_key(s.name): s for s in learned}
    rows = [MenuRow(item.name, item, by_key.pop(menu_key(item.name), None)) for item in menu.items]
    made = sorted((s for s in by_key.values() if s.n), key=lambda s: s.name)
    rows += [MenuRow(s.name, None, s) for s in made]
    return rows


class EntryError(ValueError):
    """What is wrong with a form's fields: a message for each field that has a problem."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {text}" for field, text in problems.items()))
        self.problems = problems


def prep_problem(text: str) -> str | None:
    """What is wrong with a prep time as typed (``12m``, ``240s``, ``1h30m``; empty: not
    known), or None."""
    text = text.strip()
    if not text:
        return None
    try:
        seconds = parse_duration(text)
    except ItemLineError:
        if text.isdigit():
            return f"'{text}': minutes or seconds? Write {text}m or {text}s"
        return f"'{text}' is not a prep time: write 12m, 240s or 1h30m (empty: not known)"
    if seconds > MAX_PREP_SECONDS:
        return f"{format_duration(seconds)} is more than a day: at most 24h"
    return None


def entry(name: str, station: str, prep: str, menu: Menu, replacing: str | None = None) -> MenuItem:
    """The menu item a form describes, checked against ``menu`` (``replacing``: the name
    of the item it edits, which it may keep or change). Every field's problem is said."""
    name, station, prep = name.strip(), station.strip(), prep.strip()
    problems: dict[str, str] = {}
    own = menu_key(replacing) if replacing is not None else None
    if not name:
        problems["name"] = "a dish needs a name"
    elif menu_key(name) != own and any(menu_key(i.name) == menu_key(name) for i in menu.items):
        problems["name"] = f"'{name}' is on the menu already (names are matched ignoring case)"
    if (problem := prep_problem(prep)) is not None:
        problems["prep"] = problem
    fields: dict[str, Any] = {"name": name, "station": station or None}
    if not problems:
        fields["prep_seconds"] = parse_duration(prep) if prep else None
    try:
        item = MenuItem.model_validate(fields)
    except ValidationError as error:
        for found in error.errors():
            field = str(found["loc"][0]) if found["loc"] else "name"
            problems.setdefault("prep" if field == "prep_seconds" else field, found["msg"])
    if problems:
        raise EntryError(problems)
    return item


def with_item(menu: Menu, item: MenuItem, replacing: str | None = None) -> Menu:
    """The menu with ``item`` in place of the one named ``replacing`` (where it was), or
    added at the end."""
    items = list(menu.items)
    keys = [menu_key(i.name) for i in items]
    if replacing is not None and menu_key(replacing) in keys:
        items[keys.index(menu_key(replacing))] = item
    else:
        items.append(item)
    return Menu(items=items)


def without(menu: Menu, name: str) -> Menu:
    """The menu without the item named ``name``."""
    return Menu(items=[i for i in menu.items if menu_key(i.name) != menu_key(name)])


def suggestion(row: MenuRow, use: str = "median") -> int | None:
    """The learned prep time of a row to apply (``median`` or ``p90``), in whole seconds."""
    value = getattr(row.learned, f"{use}_s", None) if row.learned else None
    return None if value is None else round(value)


def apply_question(row: MenuRow, use: str, days: int) -> str:
    """What the console asks before it applies a learned prep time."""
    seconds = suggestion(row, use)
    assert row.learned is not None and seconds is not None
    made = row.learned.n
    basis = f"the {use} of {made} made in the last {days} days"
    if made < MIN_SAMPLES:
        basis += f" (only {made}: few to go on)"
    if row.item is None:
        return f"Add {row.name} to the menu with a prep time of {prep_text(seconds)}, {basis}?"
    now = row.item.prep_seconds
    says = "has none" if now is None else f"says {prep_text(now)}"
    return (
        f"Set {row.name}'s prep time to {prep_text(seconds)}, {basis}? "
        f"The menu {says}. Orders already made keep theirs."
    )
