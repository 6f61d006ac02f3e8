"""``kds-order menu show|set|suggest``: the menu and its learned prep times from a shell."""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kds_client.exit_codes import UsageError
from kds_client.item_text import prep_text
from kds_client.rest import KdsRest
from kds_contract.menu import Menu, MenuItem, PrepSuggestion, menu_key

Command = Callable[[str, str], argparse.ArgumentParser]


def add_commands(command: Command) -> None:
    """The ``menu`` command, made with the parser's ``command``."""
    menu = command("menu", "show or replace the menu; suggest prep times from what they took")
    actions = menu.add_subparsers(dest="menu_action", required=True, metavar="ACTION")
    actions.add_parser("show", help="each item's station and prep time")
    put = actions.add_parser(
        "set",
        help="replace the menu with a TOML or JSON file: [[items]] name, station, prep_seconds "
        '(or prep = "12m")',
    )
    put.add_argument(
        "menu_file", metavar="FILE", help="a .toml or .json file (- for JSON on stdin)"
    )
    suggest = actions.add_parser(
        "suggest", help="each item's median and p90 prep time over the last days (admin)"
    )
    suggest.add_argument("--days", type=int, default=14, help="how many days back (default 14)")
    suggest.add_argument(
        "--apply",
        action="store_true",
        help="set the menu's prep time of each menu item measured at least --min-samples "
        "times to its median (--use p90 for the p90); items not on the menu are not added",
    )
    suggest.add_argument("--use", choices=["median", "p90"], default="median")
    suggest.add_argument("--min-samples", type=int, default=5, help="default 5")


async def menu(rest: KdsRest, args: argparse.Namespace, out: Callable[[str], None]) -> int:
    action = args.menu_action
    if action == "show":
        found = await rest.menu()
        _emit(args, out, found.model_dump(mode="json"), menu_table(found))
    elif action == "set":
        given = read_menu(args.menu_file)
        saved = await rest.put_menu(given)
        _emit(args, out, saved.model_dump(mode="json"), f"menu set: {len(saved.items)} items")
    else:
        await _suggest(rest, args, out)
    return 0


async def _suggest(rest: KdsRest, args: argparse.Namespace, out: Callable[[str], None]) -> None:
    if args.days < 1 or args.min_samples < 1:
        raise UsageError("--days and --min-samples must be 1 or more")
    learned = await rest.prep_suggestions(args.days)
    if not args.apply:
        text = suggestion_table(learned.items) if learned.items else "nothing made yet"
        _emit(args, out, learned.model_dump(mode="json"), text)
        return
    current = await rest.menu()
    by_key = {menu_key(s.name): s for s in learned.items}
    changed: list[str] = []
    items: list[MenuItem] = []
    for item in current.items:
        found = by_key.get(menu_key(item.name))
        value = getattr(found, f"{args.use}_s", None) if found else None
        if found is None or value is None or found.n < args.min_samples:
            items.append(item)
            continue
        seconds = round(value)
        if seconds != item.prep_seconds:
            changed.append(f"{item.name}: {prep_text(item.prep_seconds)} -> {prep_text(seconds)}")
        items.append(item.model_copy(update={"prep_seconds": seconds}))
    saved = await rest.put_menu(Menu(items=items)) if changed else current
    text = "\n".join(changed) if changed else "nothing to change"
    _emit(args, out, saved.model_dump(mode="json"), text)


def read_menu(path: str) -> Menu:
    """A menu from a TOML or JSON file: ``items`` (or, in JSON, a bare list) of ``{name,
    station, prep_seconds}``; ``prep = "12m"`` is taken for ``prep_seconds``."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data: Any = tomllib.loads(text) if path.endswith(".toml") else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        kind = "TOML" if path.endswith(".toml") else "JSON"
        raise UsageError(f"{path} is not valid {kind}: {exc}") from None
    if isinstance(data, list):
        data = {"items": data}
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise UsageError(f"{path}: expected items, a list of {{name, station, prep_seconds}}")
    items = []
    for index, entry in enumerate(data["items"]):
        if isinstance(entry, dict) and "prep" in entry:
            entry = dict(entry)
            entry["prep_seconds"] = _duration(entry.pop("prep"), f"{path}: items.{index}.prep")
        items.append(entry)
    try:
        return Menu.model_validate({"items": items})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "items"
        field = (first.get("ctx") or {}).get("field")
        where = f"{where}.{field}" if field else where
        raise UsageError(f"{path}: {where}: {first['msg']}") from None


def _duration(value: Any, where: str) -> int:
    from kds_client.item_text import ItemLineError, parse_duration

    try:
        return parse_duration(str(value))
    except ItemLineError:
        raise UsageError(f"{where}: {value!r} is not a prep time like 12m, 240s or 1h30m") from None


def menu_table(found: Menu) -> str:
    """One line per item, its name last (names are free text of any width)."""
    if not found.items:
        return "the menu is empty; set one with: kds-order menu set FILE"
    rows = [f"{'PREP':>7}  STATION / ITEM"]
    rows += [
        f"{prep_text(i.prep_seconds):>7}  {'@' + i.station + '  ' if i.station else ''}{i.name}"
        for i in found.items
    ]
    return "\n".join(rows)


def suggestion_table(found: list[PrepSuggestion]) -> str:
    """Learned prep times beside the menu's, one line per item, its name last."""
    rows = [f"{'MENU':>7} {'MEDIAN':>7} {'P90':>7} {'N':>5}  ITEM"]
    rows += [
        f"{prep_text(s.menu_prep_seconds):>7} {prep_text(s.median_s):>7} {prep_text(s.p90_s):>7} "
        f"{s.n:>5}  {s.name}"
        for s in found
    ]
    return "\n".join(rows)


def _emit(args: argparse.Namespace, out: Callable[[str], None], data: Any, text: str) -> None:
    out(json.dumps(data, separators=(",", ":"), ensure_ascii=False) if args.json else text)
