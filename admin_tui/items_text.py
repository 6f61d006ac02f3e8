"""The order form's items: one a line, read and written with :mod:`kds_client.item_text`.

What this adds to the one-line syntax is the form's: blank lines skipped, every line's
mistake named with its line number, and a line left as it was keeping its item exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kds_client.item_text import ItemLineError, format_item, parse_line, station_in_notes
from kds_contract import Item


@dataclass(frozen=True)
class ItemLines:
    """Items read from the form, and the (1-based) text line each came from."""

    items: list[dict[str, Any]]
    line_numbers: list[int]


class ItemLinesError(ValueError):
    """Every line that could not be read: ``(line number, message)``; ``read``: the lines
    that could, so that their own mistakes can be found too."""

    def __init__(self, errors: list[tuple[int, str]], read: ItemLines | None = None) -> None:
        super().__init__("; ".join(f"line {n}: {m}" for n, m in errors))
        self.errors = errors
        self.read = read or ItemLines([], [])


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
    numbers: list[int] = []
    errors: list[tuple[int, str]] = []
    for number, kept, line in chosen:
        if kept is not None:
            items.append(as_payload(kept))
            numbers.append(number)
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
        numbers.append(number)
    if errors:
        raise ItemLinesError(errors, ItemLines(items, numbers))
    return ItemLines(items, numbers)


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


# How each line will be read, shown under it as it is typed --------------------------------

_BARE_COUNT = re.compile(r"\s*(\d+)\s+(?![xX*](?:\s|$))\S")
"""A number then a word, with no ``x``: ``7 Up`` is seven of "Up"."""
_LONE_PLUS = re.compile(r"(?:^|\s)\+\s+\S")
"""A ``+`` standing alone between words: ``Fish + Chips`` is Fish with the modifier Chips."""
_HASH_WORD = re.compile(r"(?:^|\s)#(?!\s)\S")
"""A ``#`` glued to a word: ``Combo #2`` starts notes at "2"."""


@dataclass(frozen=True)
class LineReading:
    """One typed line: what it will be saved as, or why it cannot be."""

    number: int
    """The (1-based) text line."""
    text: str
    item: dict[str, Any] | None
    error: str | None = None
    surprises: tuple[str, ...] = ()
    """Why the reading may not be what the plain words say (the form asks before saving)."""

    def reading(self) -> str:
        """``7 x Up, station bar``; the item as the kitchen will see it."""
        if self.item is None:
            return f"not read: {self.error}"
        item = self.item
        parts = [f"{item.get('quantity', 1)} x {item['name']}"]
        parts += [f"+ {modifier}" for modifier in item.get("modifiers", ())]
        if item.get("station"):
            parts.append(f"station {item['station']}")
        if item.get("notes"):
            parts.append(f"notes: {item['notes']}")
        return ", ".join(parts)


def read_lines(text: str, existing: Sequence[Item] = ()) -> list[LineReading]:
    """Every non-blank line of ``text`` as it will be read (a line left as an existing item
    wrote it is that item, unsurprising)."""
    kept = {format_item(item): item for item in existing}
    readings = []
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        if not line.strip():
            continue
        if line.strip() in kept:
            readings.append(LineReading(number, line, as_payload(kept[line.strip()])))
            continue
        try:
            item = parse_line(line)
        except ItemLineError as error:
            readings.append(LineReading(number, line, None, f"{error.field}: {error.message}"))
            continue
        readings.append(LineReading(number, line, item, None, surprises(line, item)))
    return readings


def surprises(line: str, item: dict[str, Any]) -> tuple[str, ...]:
    """What in ``line`` is read otherwise than its plain words say."""
    found = []
    if match := _BARE_COUNT.match(line):
        found.append(f"{match.group(1)} is read as how many (for a name, write 1x {line.strip()})")
    if _LONE_PLUS.search(line):
        found.append(r"a + starts a modifier (for a + in the name, write \+)")
    if _HASH_WORD.search(line):
        found.append(r"a # starts the notes (for a # in the name, write \#)")
    if station_in_notes(line):
        found.append("the @ is inside the notes: no station is set (put @station before #)")
    return tuple(found)
