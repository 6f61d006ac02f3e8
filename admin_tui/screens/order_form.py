"""The order form: a new phone order, or an edit of an existing one.

Checks the input against the contract's own models first, so most mistakes are shown next
to their field before anything is sent; what the server still refuses is shown the same way.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from admin_tui.items_text import ITEMS_HELP, format_items, keep_ids, parse_items
from kds_client.errors import Invalid, KdsError
from kds_contract import Order, OrderCreate, OrderEdit, OrderType, Priority

FIELDS = ("order_type", "priority", "table", "customer_name", "notes", "total_cents", "items")
TEXT_FIELDS = ("table", "customer_name", "notes")

Save = Callable[[dict[str, Any]], Awaitable[Order]]
"""Sends a create (or an edit) and returns the order the server made (or changed)."""


class OrderFormScreen(ModalScreen[Order | None]):
    """Dismisses with the saved order, or None when closed without saving."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "close", "Close", id="form.close"),
    ]

    def __init__(self, save: Save, order: Order | None = None) -> None:
        super().__init__(classes="dialog")
        self._save_call = save
        self.order = order
        """The order being edited; None for a new order."""

    def compose(self) -> ComposeResult:
        order = self.order
        title = f"Edit order {order.id}" if order else "New order"
        with Vertical(classes="box form", id="order-form"):
            yield Static(title, classes="question")
            yield Static("", id="form-error", classes="error")
            with Horizontal(classes="row"):
                yield Label("type", classes="field-label")
                yield Select(
                    [(t.value.replace("_", "-"), t.value) for t in OrderType],
                    value=(order.order_type if order else OrderType.DINE_IN).value,
                    allow_blank=False,
                    compact=True,
                    id="order_type",
                )
                yield Label("priority", classes="field-label")
                yield Select(
                    [(p.value, p.value) for p in Priority],
                    value=(order.priority if order else Priority.NORMAL).value,
                    allow_blank=False,
                    compact=True,
                    id="priority",
                )
            yield Static("", id="order_type-error", classes="error")
            yield Static("", id="priority-error", classes="error")
            for field, label, value in (
                ("table", "table", order.table if order else ""),
                ("customer_name", "customer", order.customer_name if order else ""),
                ("notes", "notes", order.notes if order else ""),
                ("total_cents", "total", _total_text(order.total_cents) if order else ""),
            ):
                with Horizontal(classes="row"):
                    yield Label(label, classes="field-label")
                    yield Input(value or "", id=field, compact=True)
                yield Static("", id=f"{field}-error", classes="error")
            with Horizontal(classes="row items-row"):
                yield Label("items", classes="field-label")
                yield TextArea(format_items(order.items) if order else "", id="items", compact=True)
            yield Static("", id="items-error", classes="error")
            yield Static(f"items {ITEMS_HELP}", classes="hint")
            yield Static("^s save  esc close  tab next field", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#items" if self.order is None else "#notes").focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        self.clear_errors()
        try:
            payload = self.payload()
        except FieldError as error:
            self.show_error(error.field, error.message)
            return
        self._send(payload)

    @work(exclusive=True, group="save")
    async def _send(self, payload: dict[str, Any]) -> None:
        try:
            saved = await self._save_call(payload)
        except Invalid as error:
            self.show_error(error.field, error.message)
            return
        except KdsError as error:
            self.show_error(None, error.message)
            self.notify(error.message, title="Not saved", severity="error", markup=False)
            return
        self.dismiss(saved)

    def payload(self) -> dict[str, Any]:
        """What to send: a create, or the changed fields of an edit.

        Raises:
            FieldError: the first field that breaks a rule, with words for the person.
        """
        values = self._values()
        if self.order is None:
            payload = {k: v for k, v in values.items() if v is not None}
            model: type[OrderCreate] | type[OrderEdit] = OrderCreate
        else:
            payload = self._edit_changes(values)
            if not payload:
                raise FieldError(None, "nothing changed")
            payload["version"] = self.order.version
            model = OrderEdit
        try:
            # As JSON, the way the server reads it: strict, with enums as their values.
            model.model_validate_json(json.dumps(payload))
        except ValidationError as error:
            raise FieldError.from_validation(error) from None
        return payload

    def _values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "order_type": self.query_one("#order_type", Select).value,
            "priority": self.query_one("#priority", Select).value,
        }
        for field in TEXT_FIELDS:
            values[field] = self.query_one(f"#{field}", Input).value.strip() or None
        values["total_cents"] = _parse_total(self.query_one("#total_cents", Input).value)
        items = parse_items(self.query_one("#items", TextArea).text)
        if not items:
            raise FieldError("items", "an order needs at least one item")
        values["items"] = items
        return values

    def _edit_changes(self, values: dict[str, Any]) -> dict[str, Any]:
        assert self.order is not None
        old = self.order
        changes = {
            field: values[field]
            for field in ("order_type", "priority", *TEXT_FIELDS, "total_cents")
            if values[field] != getattr(old, field)
        }
        if self.query_one("#items", TextArea).text.strip() != format_items(old.items).strip():
            changes["items"] = keep_ids(values["items"], old.items)
        return changes

    def clear_errors(self) -> None:
        for static in self.query(".error").results(Static):
            static.update("")
            static.remove_class("-shown")

    def show_error(self, field: str | None, message: str) -> None:
        """Show ``message`` under ``field`` (a contract field path such as ``items.0.name``)."""
        name = (field or "").split(".")[0]
        target = f"#{name}-error" if name in FIELDS else "#form-error"
        if name == "items" and field and field.count(".") >= 1:
            parts = field.split(".")
            if parts[1].isdigit():
                message = f"line {int(parts[1]) + 1}: {message}"
        static = self.query_one(target, Static)
        static.update(Text(message))  # the server's or pydantic's words, never markup
        static.add_class("-shown")


class FieldError(Exception):
    """A field (or None: the whole form) and what is wrong with it."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    @classmethod
    def from_validation(cls, error: ValidationError) -> FieldError:
        first = error.errors()[0]
        loc = [str(part) for part in first["loc"]]
        if loc and loc[-1] in ("str", "int"):
            loc = loc[:-1]
        message = first["msg"]
        if len(loc) > 2:
            message = f"{loc[2]}: {message}"
        return cls(".".join(loc) or None, message)


def _parse_total(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise FieldError("total_cents", "a total is an amount such as 12.50") from None
    if not amount.is_finite():
        raise FieldError("total_cents", "a total is an amount such as 12.50")
    if amount < 0:
        raise FieldError("total_cents", "a total cannot be negative")
    if amount != amount.quantize(Decimal("0.01")):
        raise FieldError("total_cents", "a total has at most two decimals")
    return int(amount * 100)


def _total_text(cents: int | None) -> str:
    return "" if cents is None else f"{cents / 100:.2f}"
