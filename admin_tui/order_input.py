"""What the order form sends, read from the text of its fields, and its mistakes in words.

The form hands over the raw text of each field; :func:`check` turns it into a create or the
changes of an edit, and checks them against the contract's own models so that every mistake
is found, named by its field (and item line), before anything is sent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from admin_tui.items_text import ItemLinesError, format_items, read_items, same_items
from kds_contract import Order, OrderCreate, OrderEdit, OrderType, Priority

FIELDS = ("order_type", "priority", "table", "customer_name", "notes", "total_cents", "items")
"""The form's fields, named as the contract names them."""
TEXT_FIELDS = ("table", "customer_name", "notes")
LABELS = {
    "order_type": "type",
    "priority": "priority",
    "table": "table",
    "customer_name": "customer",
    "notes": "notes",
    "total_cents": "total",
    "items": "items",
}
FORM = "form"
"""Where a mistake of the whole form (not of one field) goes."""

Errors = dict[str, list[str]]
"""Messages by field (or :data:`FORM`)."""


@dataclass
class Checked:
    """The payload to send, and every mistake found (none: it may be sent)."""

    payload: dict[str, Any] = field(default_factory=dict)
    errors: Errors = field(default_factory=dict)
    line_numbers: list[int] = field(default_factory=list)
    """The text line each item of the payload came from."""

    def add(self, where: str, message: str) -> None:
        self.errors.setdefault(where, []).append(message)


def field_texts(order: Order | None) -> dict[str, str]:
    """The text each field shows for ``order`` (None: a blank new order)."""
    if order is None:
        blank = dict.fromkeys(FIELDS, "")
        return blank | {"order_type": OrderType.DINE_IN.value, "priority": Priority.NORMAL.value}
    return {
        "order_type": order.order_type.value,
        "priority": order.priority.value,
        "table": order.table or "",
        "customer_name": order.customer_name or "",
        "notes": order.notes or "",
        "total_cents": "" if order.total_cents is None else f"{order.total_cents / 100:.2f}",
        "items": format_items(order.items),
    }


def check(texts: dict[str, str], order: Order | None) -> Checked:
    """A create (``order`` None) or the changes of an edit of ``order``, with its mistakes.

    A field of an edit whose text is as the form first showed it is left out: it is not
    changed, even where the text cannot say everything (a line break in the notes).
    """
    result = Checked()
    before = field_texts(order)
    values: dict[str, Any] = {"order_type": texts["order_type"], "priority": texts["priority"]}
    for name in TEXT_FIELDS:
        values[name] = texts[name].strip() or None
    try:
        values["total_cents"] = parse_total(texts["total_cents"])
    except ValueError as error:
        result.add("total_cents", f"total: {error}")
    try:
        lines = read_items(texts["items"], order.items if order else ())
        result.line_numbers = lines.line_numbers
        if lines.items:
            values["items"] = lines.items
        else:
            result.add("items", "items: an order needs at least one item")
    except ItemLinesError as error:
        for number, message in error.errors:
            result.add("items", f"line {number}: {message}")
        # The lines that were read are checked too: every mistake at once.
        result.line_numbers = error.read.line_numbers
        if error.read.items:
            values["items"] = error.read.items

    if order is None:
        payload = {k: v for k, v in values.items() if v is not None}
        model: type[OrderCreate] | type[OrderEdit] = OrderCreate
    else:
        payload = {
            k: v
            for k, v in values.items()
            if texts[k].strip() != before[k].strip() and v != getattr(order, k)
        }
        if "items" in payload and same_items(payload["items"], order.items):
            del payload["items"]
        if not payload:
            if not result.errors:
                result.add(FORM, "nothing changed")
            return result
        payload["version"] = order.version
        model = OrderEdit
    # Fields whose text could not be read say so already; items read in part are checked.
    read = set(result.errors) - ({"items"} if "items" in values else set())
    try:
        # As JSON, the way the server reads it: strict, with enums as their values.
        model.model_validate_json(json.dumps(payload))
    except ValidationError as error:
        for where, message in describe(error, result.line_numbers):
            if where == FORM or where not in read:
                result.add(where, message)
    if "items" in result.errors:
        result.errors["items"].sort(key=_line_number)
    result.payload = payload
    return result


def _line_number(message: str) -> int:
    """``line 3: ...`` is 3 (messages of the whole list first)."""
    match = re.match(r"line (\d+):", message)
    return int(match.group(1)) if match else 0


def parse_total(text: str) -> int | None:
    """``12.50`` (or ``12,50``) as cents; blank is no total.

    Raises:
        ValueError: with words for the person.
    """
    text = text.strip()
    if not text:
        return None
    if "," in text:
        if not re.fullmatch(r"\d+,\d{1,2}", text):
            raise ValueError("use a dot for the cents and no thousands separators: 1250.50")
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("an amount such as 12.50") from None
    if not amount.is_finite():
        raise ValueError("an amount such as 12.50")
    if amount < 0:
        raise ValueError("cannot be negative")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("at most two decimals")
    return int(amount * 100)


def describe(error: ValidationError, line_numbers: list[int]) -> list[tuple[str, str]]:
    """Each mistake pydantic found, as (field, message naming the field and item line)."""
    described = []
    for each in error.errors():
        loc = [part for part in each["loc"] if part not in ("str", "int")]
        name = str(loc[0]) if loc else FORM
        if name not in LABELS:
            described.append((FORM, f"{'.'.join(map(str, loc))}: {each['msg']}".lstrip(": ")))
            continue
        if name == "items" and len(loc) > 1 and isinstance(loc[1], int):
            line = line_numbers[loc[1]] if loc[1] < len(line_numbers) else loc[1] + 1
            part = str(loc[2]) if len(loc) > 2 else ""
            if part == "modifiers" and len(loc) > 3 and isinstance(loc[3], int):
                part = f"modifier {loc[3] + 1}"
            where = f"line {line}: {part}" if part else f"line {line}"
            described.append(("items", f"{where}: {_rule(each, part)}"))
        else:
            described.append((name, f"{LABELS[name]}: {_rule(each, name)}"))
    return described


def _rule(error: Any, part: str) -> str:
    """The broken rule in a manager's words; amounts of ``total_cents`` as typed (12.50)."""
    kind, ctx = error["type"], error.get("ctx") or {}

    def amount(value: Any) -> str:
        return f"{value / 100:,.2f}" if part == "total_cents" else str(value)

    if kind == "string_too_short":
        return "cannot be empty" if ctx.get("min_length") == 1 else error["msg"]
    if kind == "string_too_long":
        return f"at most {ctx['max_length']} characters (this has {len(error['input'])})"
    if kind == "too_long":
        where = "there are" if part == "items" else "this line has"
        return f"at most {ctx['max_length']} ({where} {ctx['actual_length']})"
    if kind == "too_short" and part == "items":
        return "an order needs at least one item"
    if kind == "less_than_equal":
        return f"at most {amount(ctx['le'])}"
    if kind == "greater_than_equal":
        return f"at least {amount(ctx['ge'])}"
    if kind == "missing":
        return "required"
    return str(error["msg"])
