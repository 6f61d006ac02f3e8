"""The order form's items: one a line, read and written with :mod:`kds_client.item_text`.

What this adds to the one-line syntax is the form's: blank lines skipped, every line's
mistake named with its line number, and a line left as it was keeping its item exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kds_client.item_text import ItemLineError, format_item, parse_line
from kds_contract import Item


@dataclass(frozen=True)
class ItemLines:
    """Items read from the form, and the (1-based) text line each came from."""

    items: list[dict[str, Any]]
    line_numbers: list[int]


class ItemLinesError(ValueError):
    """Every line that could not be read: ``(line number, message)``."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__("; ".join(f"line {n}: {m}" for n, m in errors))
        self.errors = errors


def format_items(items: Sequence[Item]) -> str:
    """All items, one a line."""
    return "\n".join(format_item(item) for item in items)


def as_payload(item: Item) -> dict[str, Any]:
    """An existing item exactly as it is, for an edit that keeps it."""
    return {
        "id": item.id,
        "name": item.name,
        "quantity": item.quantity,
        "modifiers": list(item.modifiers),
        "notes": item.notes,
        "station": item.station,
    }


def read_items(text: str, existing: Sequence[Item] = ()) -> ItemLines:
    """The items the lines of ``text`` describe, blank lines skipped.

    A line that still reads exactly as :func:`format_item` wrote one of ``existing`` keeps
    that item as it is (id, name, quantity, modifiers, notes, station): only changed or new
    lines are parsed, and those take the id of an unused existing item of the same name, so
    an edit keeps its done mark.

    Raises:
        ItemLinesError: every line that cannot be read.
    """
    unused = {id(item): item for item in existing}
    chosen: list[tuple[int, Item | None, str]] = []
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        if not line.strip():
            continue
        kept = _take(unused, [i for i in existing if format_item(i) == line.strip()])
        chosen.append((number, kept, line))
    items: list[dict[str, Any]] = []
    errors: list[tuple[int, str]] = []
    for number, kept, line in chosen:
        if kept is not None:
            items.append(as_payload(kept))
            continue
        try:
            parsed = parse_line(line)
        except ItemLineError as error:
            errors.append((number, f"{error.field}: {error.message}"))
            continue
        same_name = [i for i in existing if i.name == parsed["name"]]
        if (old := _take(unused, same_name)) is not None:
            parsed["id"] = old.id
        items.append(parsed)
    if errors:
        raise ItemLinesError(errors)
    return ItemLines(items, [number for number, _, _ in chosen])


def _take(unused: dict[int, Item], candidates: list[Item]) -> Item | None:
    for item in candidates:
        if unused.pop(id(item), None) is not None:
            return item
    return None


def same_items(items: list[dict[str, Any]], existing: Sequence[Item]) -> bool:
    """Whether ``items`` (from :func:`read_items`) would leave ``existing`` as they are."""
    return [_key(item) for item in items] == [_key(as_payload(item)) for item in existing]


def _key(item: dict[str, Any]) -> tuple[Any, ...]:
    return (
        item.get("id"),
        item["name"],
        item.get("quantity", 1),
        tuple(item.get("modifiers", ())),
        item.get("notes"),
        item.get("station"),
    )
