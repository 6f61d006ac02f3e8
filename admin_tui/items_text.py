"""Items as lines of text, for typing a phone order quickly.

One item a line: ``[QTY x] NAME [+MODIFIER ...] [@STATION] [# NOTES]``, for example
``2x Burger +no onion +extra cheese @grill # nut allergy``.
"""

from __future__ import annotations

import re
from typing import Any

from kds_contract import Item

ITEMS_HELP = "one a line: 2x Burger +no onion @grill # nut allergy"

_QUANTITY = re.compile(r"^\s*(\d+)\s*[xX*]?\s+(.*)$")
_STATION = re.compile(r"\s@(\S+)\s*$")


def parse_line(line: str) -> dict[str, Any]:
    """One line as an item dict for a create or an edit (validated later, by the contract)."""
    line, _, notes = line.partition("#")
    line = f" {line.strip()}"
    station = None
    if match := _STATION.search(line):
        station = match.group(1)
        line = line[: match.start()]
    name, *modifiers = (part.strip() for part in line.split("+"))
    quantity = 1
    if match := _QUANTITY.match(name):
        quantity, name = int(match.group(1)), match.group(2).strip()
    item: dict[str, Any] = {"name": name, "quantity": quantity, "modifiers": modifiers}
    if notes.strip():
        item["notes"] = notes.strip()
    if station:
        item["station"] = station
    return item


def parse_items(text: str) -> list[dict[str, Any]]:
    """Every non-blank line as an item dict."""
    return [parse_line(line) for line in text.splitlines() if line.strip()]


def format_item(item: Item) -> str:
    """An item as the line that :func:`parse_line` reads back."""
    parts = [f"{item.quantity}x {item.name}" if item.quantity > 1 else item.name]
    parts += [f"+{modifier}" for modifier in item.modifiers]
    if item.station:
        parts.append(f"@{item.station}")
    if item.notes:
        parts.append(f"# {item.notes}")
    return " ".join(parts)


def format_items(items: list[Item]) -> str:
    """All items, one a line."""
    return "\n".join(format_item(item) for item in items)


def keep_ids(parsed: list[dict[str, Any]], existing: list[Item]) -> list[dict[str, Any]]:
    """Give each parsed item the id of an unused existing item of the same name, so an edit
    keeps that item's done mark."""
    unused = list(existing)
    for item in parsed:
        for old in unused:
            if old.name == item["name"]:
                item["id"] = old.id
                unused.remove(old)
                break
    return parsed
