"""A dialog of one-line fields, each problem said under the field it belongs to (the
token and menu forms are built on it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from admin_tui.typeahead import TypeAhead

T = TypeVar("T")


class FieldsForm(TypeAhead[T]):
    """Text fields (id, label, value, hint), each with an error line under it, and one for
    the whole form (``form``); ``esc`` closes it with None."""

    def __init__(self) -> None:
        super().__init__(classes="dialog")

    def text_fields(self, fields: Iterable[tuple[str, str, str, str]]) -> ComposeResult:
        for field, label, value, hint in fields:
            with Horizontal(classes="row"):
                yield Label(label, classes="field-label")
                yield Input(value, id=field, placeholder=hint, compact=True)
            yield Static("", id=f"{field}-error", classes="error")

    def value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value

    def say(self, field: str, message: str) -> None:
        """Show ``message`` under ``field`` (``form``: under them all)."""
        shown = self.query_one(f"#{field}-error", Static)
        shown.update(Text(message))
        shown.add_class("-shown")

    def clear(self, fields: Iterable[str]) -> None:
        """Hide what was said under each field, and under the form."""
        for field in (*fields, "form"):
            self.query_one(f"#{field}-error", Static).remove_class("-shown")

    def action_close(self) -> None:
        self.dismiss(None)
