"""An item as one line of text, as on a ticket, and back: ``kds-order --item`` and the console.

``[N x] NAME [+MODIFIER ...] [~PREP] [@STATION] [# NOTES]``, for example
``2x Burger +no onion +extra cheese ~6m @grill # nut allergy``. A ``+``, ``~``, ``@`` or
``#`` at the start of a word begins a modifier, the prep time (``~12m``, ``~240s``,
``~1h30m``), the station or the notes (which run to the end of the line); a backslash keeps
it as text (``Fish \\+ Chips``, ``Combo \\#2``). A name that starts
with a digit needs its quantity written first (``1x 7 Up``); in notes ``\\n`` is a line break.
:func:`format_item` writes every item the contract accepts so that :func:`parse_line` reads
it back the same; a line that is more likely a typo than an order (``-1x Burger``, ``2x``,
``Burger @``, two stations) is refused with :class:`ItemLineError`.
"""

from __future__ import annotations

import re
from typing import Any

from kds_contract import Item

ITEM_SYNTAX = "[N x] NAME [+MODIFIER]... [~PREP] [@STATION] [#NOTE]"
"""The syntax in one line, for usage messages."""

ITEMS_HELP = (
    "items one a line: 2x Burger +no onion @grill # nut allergy",
    r"name starting with a digit: 1x 7 Up   a + @ # in a name: Fish \+ Chips",
)
"""The syntax in two short lines, for a form."""

MARKERS = "+~@#"
_ESCAPABLE = MARKERS + "\\"
_QUANTITY = re.compile(r"(\d+)\s*[xX*]?(?:\s+|$)")
# A count with a minus sign is a typo for a count, not the start of a name.
_NEGATIVE = re.compile(r"-\d+\s*[xX*]?(?:\s+|$)")
_FIELDS = {"+": "modifiers", "~": "prep_seconds", "@": "station", "#": "notes"}
_WHAT = {"+": "a modifier", "~": "a prep time", "@": "a station", "#": "a note"}
_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_UNITS = (3600, 60, 1)


class ItemLineError(ValueError):
    """A line that cannot be read as an item.

    Attributes:
        field: the part at fault (``name``, ``quantity``, ``modifiers``, ``station``, ``notes``).
        message: what is wrong with that part, for a form that names the field.
        problem: what is wrong with the line, as a clause (``it has no name``).
    """

    def __init__(self, field: str, message: str, problem: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.problem = problem or message


def parse_line(line: str) -> dict[str, Any]:
    """One line as an item dict for a create or an edit (validated later, by the contract).

    Raises:
        ItemLineError: a negative count, no name, a marker with nothing after it, or a second
            station or notes.
    """
    text = line.strip()
    if _NEGATIVE.match(text):
        raise ItemLineError("quantity", "at least 1", "the count must be 1 or more")
    quantity, rest = 1, text
    if match := _QUANTITY.match(text):
        quantity, rest = int(match.group(1)), text[match.end() :]
    (_, name), *parts = _split(rest, [])
    name = name.strip()
    if not name:
        if rest:
            hint = rf"missing; for a name that starts with {rest[0]}, write \{rest[0]}"
        else:
            hint = f"missing; a name that starts with a digit: 1x {text}"
        raise ItemLineError("name", hint, "it has no name")
    item: dict[str, Any] = {"name": name, "quantity": quantity, "modifiers": []}
    for marker, value in parts:
        value = value.strip()
        field = _FIELDS[marker]
        if not value:
            raise ItemLineError(field, f"{marker} needs {_WHAT[marker]} after it")
        if marker == "+":
            item["modifiers"].append(value)
        elif field in item:
            raise ItemLineError(
                field,
                rf"only one a line; write \{marker} to keep a {marker} as text",
                f"it has two {_PLURAL[marker]}",
            )
        else:
            item[field] = parse_duration(value) if marker == "~" else value
    return item


_PLURAL = {"~": "prep times", "@": "stations", "#": "notes"}


def parse_duration(text: str) -> int:
    """A prep time as written after ``~`` (``12m``, ``240s``, ``1h30m``), in seconds.

    Raises:
        ItemLineError: anything else (a bare number is refused: minutes or seconds?).
    """
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None or not any(match.groups()):
        raise ItemLineError(
            "prep_seconds",
            rf"~{text} is not a prep time; write ~12m, ~240s or ~1h30m (\~ for a ~ as text)",
            f"its prep time ~{text} is not one like ~12m or ~240s",
        )
    return sum(int(part or 0) * unit for part, unit in zip(match.groups(), _UNITS, strict=True))


def format_duration(seconds: int) -> str:
    """Seconds as :func:`parse_duration` reads them, short: ``12m``, ``90s``, ``1h30m``."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return text + (f"{secs}s" if secs or not text else "")


def rough_duration(seconds: float) -> str:
    """How long, to a glance: ``45 s`` under a minute and a half, ``12 min`` under an hour
    and a half, else ``2.5 h``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def prep_text(seconds: float | None) -> str:
    """A prep time as the apps write it (``12m``, ``4m30s``, to the second), ``-`` when not
    known."""
    return "-" if seconds is None else format_duration(round(seconds))


def station_in_notes(line: str) -> str | None:
    """The first word of the line's notes that starts with an unescaped ``@`` (``Ribeye #
    no salt @grill``): most likely a station written after the ``#``, which would leave the
    item on no station's screen. The console asks about it; ``kds-order`` refuses it."""
    stray: list[str] = []
    _split(line.strip(), stray)
    return stray[0] if stray else None


def _split(text: str, stray: list[str]) -> list[tuple[str, str]]:
    """``[("", name), (marker, value), ...]``, escapes resolved.

    In the notes only a second ``#`` is a marker: ``+`` and ``@`` there are text, but each
    word there that begins with an unescaped ``@`` (a station put after the ``#`` by
    mistake: the item would reach no station's screen) is added to ``stray``.
    """
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
        if char in MARKERS and after_space and (marker != "#" or char == "#"):
            parts.append((char, []))
        else:
            if marker == "#" and char == "@" and after_space:
                word = text[i:].split(maxsplit=1)[0]
                if len(word) > 1:
                    stray.append(word)
            chars.append(char)
        after_space = char.isspace()
        i += 1
    return [(marker, "".join(chars)) for marker, chars in parts]


def format_item(item: Item) -> str:
    """An item as the line that :func:`parse_line` reads back as the same item."""
    parts = [f"{item.quantity}x {_escape(item.name, at_start=True)}"]
    parts += [f"+{_escape(modifier)}" for modifier in item.modifiers]
    if item.prep_seconds is not None:
        parts.append(f"~{format_duration(item.prep_seconds)}")
    if item.station:
        parts.append(f"@{_escape(item.station)}")
    if item.notes:
        parts.append("# " + _escape_notes(item.notes))
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


def _escape_notes(notes: str) -> str:
    out = []
    after_space = True
    for char in re.sub(r"\r\n|\r", "\n", notes):
        if char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char in "#@" and after_space:
            out.append("\\" + char)
        else:
            out.append(char)
        after_space = char.isspace() and char != "\n"
    return "".join(out)
