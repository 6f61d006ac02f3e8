"""Items as lines of text, for typing a phone order quickly, and back.

One item a line: ``[QTY x] NAME [+MODIFIER ...] [@STATION] [# NOTES]``, for example
``2x Burger +no onion +extra cheese @grill # nut allergy``. A ``+``, ``@`` or ``#`` at the
start of a word begins a modifier, the station or the notes (which run to the end of the
line); a backslash keeps it as text (``Fish \\+ Chips``, ``Combo \\#2``). A name that starts
with a digit needs its quantity written first (``1x 7 Up``); in notes ``\\n`` is a line break.
:func:`format_item` writes every item the contract accepts so that :func:`parse_line` reads
it back the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kds_contract import Item

ITEMS_HELP = (
    "items one a line: 2x Burger +no onion @grill # nut allergy",
    r"name starting with a digit: 1x 7 Up   a + @ # in a name: Fish \+ Chips",
)
"""The syntax in two short lines, for the form."""

MARKERS = "+@#"
_ESCAPABLE = MARKERS + "\\"
_QUANTITY = re.compile(r"(\d+)\s*[xX*]?(?:\s+|$)")


class ItemLineError(ValueError):
    """A line that cannot be read as an item; ``field`` is the part at fault (``name``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


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


def parse_line(line: str) -> dict[str, Any]:
    """One line as an item dict for a create or an edit (validated later, by the contract).

    Raises:
        ItemLineError: the line has no name.
    """
    text = line.strip()
    quantity, rest = 1, text
    if match := _QUANTITY.match(text):
        quantity, rest = int(match.group(1)), text[match.end() :]
    (_, name), *parts = _split(rest)
    name = name.strip()
    if not name:
        if rest:
            raise ItemLineError(
                "name", rf"missing; for a name that starts with {rest[0]}, write \{rest[0]}"
            )
        raise ItemLineError("name", f"missing; a name that starts with a digit: 1x {text}")
    item: dict[str, Any] = {"name": name, "quantity": quantity, "modifiers": []}
    for marker, value in parts:
        value = value.strip()
        if marker == "+":
            item["modifiers"].append(value)
        elif marker == "@":
            item["station"] = value
        elif value:
            item["notes"] = value
    return item


def _split(text: str) -> list[tuple[str, str]]:
    """``[("", name), (marker, value), ...]``, escapes resolved."""
    parts: list[tuple[str, list[str]]] = [("", [])]
    after_space = True
    i = 0
    while i < len(text):
        char = text[i]
        marker, chars = parts[-1]
        following = text[i + 1 : i + 2]
        line_break = marker == "#" and following == "n"
        if char == "\\" and following and (following in _ESCAPABLE or line_break):
            chars.append("\n" if line_break else following)
            i += 2
            after_space = False
            continue
        if char in MARKERS and after_space and marker != "#":
            parts.append((char, []))
        else:
            chars.append(char)
        after_space = char.isspace()
        i += 1
    return [(marker, "".join(chars)) for marker, chars in parts]


def format_item(item: Item) -> str:
    """An item as the line that :func:`parse_line` reads back as the same item."""
    parts = [f"{item.quantity}x {_escape(item.name, at_start=True)}"]
    parts += [f"+{_escape(modifier)}" for modifier in item.modifiers]
    if item.station:
        parts.append(f"@{_escape(item.station)}")
    if item.notes:
        notes = item.notes.replace("\\", "\\\\")
        parts.append("# " + re.sub(r"\r\n|\r|\n", r"\\n", notes))
    return " ".join(parts)


def _escape(text: str, *, at_start: bool = False) -> str:
    out = []
    after_space = at_start
    for i, char in enumerate(text):
        following = text[i + 1 : i + 2]
        if char == "\\" and following and following in _ESCAPABLE:
            out.append("\\\\")
        elif char in MARKERS and after_space:
            out.append("\\" + char)
        else:
            out.append(char)
        after_space = char.isspace()
    return "".join(out)


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
        ItemLinesError: every line that has no name.
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
