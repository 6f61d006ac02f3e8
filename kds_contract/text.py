"""Text in an order: what a client may send, and what an app may put on a terminal.

A control character in a name or a note (ESC, BEL, a C1 code) would reach the terminals of
the kitchen and the managers as a command: change the window title, move the cursor, ring;
a bidirectional override would show the words in another order than they were written.
Requests carrying one are refused; notes may hold line breaks and tabs. The apps also strip
what an older server may have stored (``kds_contract.models.printable_order``).
"""

from __future__ import annotations

import re

from pydantic_core import PydanticCustomError

_BIDI = r"\u200e\u200f\u202a-\u202e\u2066-\u2069"  # marks that reorder text as shown
_ONE_LINE = r"\x00-\x1f\x7f-\x9f" + _BIDI  # every C0 and C1 control character, DEL, bidi
_NOTES = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + _BIDI  # the same but tab, LF, CR
ONE_LINE = f"^[^{_ONE_LINE}]*$"
NOTES = f"^[^{_NOTES}]*$"
"""The rules as JSON Schema patterns, for the OpenAPI document."""
_CONTROL = re.compile(f"[{_ONE_LINE}]")
CONTROL_CHARACTER = _CONTROL
"""Any character a one-line text may not hold (the rule of ``one_line``)."""
_CONTROL_IN_NOTES = re.compile(f"[{_NOTES}]")
_NOT_SHOWN = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI}]")  # \r too: a terminal returns


def _refuse(pattern: re.Pattern[str], value: str, allowed: str) -> str:
    found = pattern.search(value)
    if found is not None:
        raise PydanticCustomError(
            "control_character",
            "control character U+{code} at position {position} is not allowed{allowed}; "
            "send plain text",
            {"code": f"{ord(found.group()):04X}", "position": found.start(), "allowed": allowed},
        )
    return value


def one_line(value: str) -> str:
    """A name, a table, a modifier: printable characters only."""
    return _refuse(_CONTROL, value, "")


def notes(value: str) -> str:
    """Notes: printable characters, line breaks and tabs."""
    return _refuse(_CONTROL_IN_NOTES, value, " (line breaks and tabs are)")


def printable(value: str | None) -> str | None:
    """``value`` without the control characters a terminal would act on (keeps \\n, \\t)."""
    if value is None or not _NOT_SHOWN.search(value):
        return value
    return _NOT_SHOWN.sub("", value)
