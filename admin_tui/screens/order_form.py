"""The order form: a new phone order, or an edit of an existing one.

Every mistake is shown under its field as it is typed, all of them (:mod:`admin_tui.order_input`);
what the server still refuses is shown the same way. Under the items, each line is shown as it
will be read (how many, name, modifiers, station, notes); a line read otherwise than its plain
words say (``7 Up``, ``Fish + Chips``, ``Combo #2``) is asked about before saving. An edit
refused because someone else changed the order meanwhile reloads that version and keeps what
was typed, to save again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static, TextArea

from admin_tui.items_text import LineReading, read_lines
from admin_tui.order_input import FIELDS, FORM, LABELS, TEXT_FIELDS, Errors, check, field_texts
from admin_tui.screens.confirm import ConfirmScreen
from admin_tui.typeahead import TypeAhead
from kds_client.errors import Conflict, Invalid, KdsError, NotFound
from kds_client.item_text import ITEMS_HELP
from kds_contract import Order, OrderType, Priority

Save = Callable[[dict[str, Any]], Awaitable[Order]]
"""Sends a create (or an edit) and returns the order the server made (or changed)."""
Reload = Callable[[], Awaitable[Order]]
"""Fetches the edited order as the server has it now."""

ITEMS_SYNTAX = "\n".join(
    [
        "Items, one a line:  [QTY x] NAME [+MODIFIER ...] [@STATION] [# NOTES]",
        "  2x Burger +no onion +extra cheese @grill # nut allergy",
        "A + @ or # that starts a word begins a modifier, the station or the notes;",
        r"a backslash keeps it in the name:  1x Fish \+ Chips   1x Combo \#2",
        "A name that starts with a digit needs its quantity:  1x 7 Up",
        r"The station may have spaces (@cold line); \n in notes is a line break.",
    ]
)


class OrderFormScreen(TypeAhead[Order | None]):
    """Dismisses with the saved order, or None when closed without saving."""

    HELP_TITLE = "Keys: order form"
    HELP_BINDINGS = [Binding("tab,shift+tab", "focus", "Next / previous field")]
    HELP_NOTES = ITEMS_SYNTAX
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "close", "Close", id="form.close"),
        Binding("f1", "app.keys", "Keys", id="form.keys"),
    ]

    def __init__(self, save: Save, order: Order | None = None, *, reload: Reload | None = None):
        super().__init__(classes="dialog")
        self._save_call = save
        self._reload = reload
        self.order = order
        """The order being edited (the version the form is based on); None for a new order."""
        self._line_numbers: list[int] = []
        self._typed: set[str] = set()
        """Fields typed in: their mistakes are shown as they are typed."""

    def compose(self) -> ComposeResult:
        texts = field_texts(self.order)
        with Vertical(classes="box form", id="order-form"):
            yield Static(self._title(), classes="question", id="form-title")
            yield Static("", id="form-error", classes="error")
            with Horizontal(classes="row"):
                yield Label("type", classes="field-label")
                yield Select(
                    [(t.value.replace("_", "-"), t.value) for t in OrderType],
                    value=texts["order_type"],
                    allow_blank=False,
                    compact=True,
                    id="order_type",
                )
                yield Label("priority", classes="field-label")
                yield Select(
                    [(p.value, p.value) for p in Priority],
                    value=texts["priority"],
                    allow_blank=False,
                    compact=True,
                    id="priority",
                )
            yield Static("", id="order_type-error", classes="error")
            yield Static("", id="priority-error", classes="error")
            for name in (*TEXT_FIELDS, "total_cents"):
                with Horizontal(classes="row"):
                    yield Label(LABELS[name], classes="field-label")
                    # Typing adds to what is there: an edit never wipes a field by accident.
                    yield Input(texts[name], id=name, compact=True, select_on_focus=False)
                yield Static("", id=f"{name}-error", classes="error")
            with Horizontal(classes="row items-row"):
                yield Label("items", classes="field-label")
                yield TextArea(texts["items"], id="items", compact=True)
            yield Static("", id="items-error", classes="error")
            yield Static("", id="items-reading", classes="reading")
            for line in ITEMS_HELP:
                yield Static(line, classes="hint", markup=False)
            yield Static("^s save  esc close  tab next field  F1 help", classes="hint")

    def _title(self) -> str:
        order = self.order
        return f"Edit order {order.id} (version {order.version})" if order else "New order"

    def on_mount(self) -> None:
        self.focus_first(self.query_one("#items" if self.order is None else "#notes"))
        self._show_readings()

    # What is typed -------------------------------------------------------------------

    def texts(self) -> dict[str, str]:
        """The raw text of every field."""
        texts = {name: str(self.query_one(f"#{name}", Select).value) for name in FIELDS[:2]}
        for name in (*TEXT_FIELDS, "total_cents"):
            texts[name] = self.query_one(f"#{name}", Input).value
        texts["items"] = self.query_one("#items", TextArea).text
        return texts

    def touched(self) -> list[str]:
        """The fields whose text is not what the form showed for its order."""
        shown, now = field_texts(self.order), self.texts()
        return [name for name in FIELDS if now[name].strip() != shown[name].strip()]

    def _set_text(self, name: str, text: str) -> None:
        if name in FIELDS[:2]:
            self.query_one(f"#{name}", Select).value = text
        elif name == "items":
            self.query_one("#items", TextArea).text = text
        else:
            self.query_one(f"#{name}", Input).value = text

    # Closing and saving --------------------------------------------------------------

    def action_close(self) -> None:
        """Close; ask first when something was typed."""
        if not self.touched():
            self.dismiss(None)
            return
        question = (
            "Discard this new order?"
            if self.order is None
            else f"Discard your changes to order {self.order.id}?"
        )

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(question, yes="Discard"), answered)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        checked = check(self.texts(), self.order)
        self._line_numbers = checked.line_numbers
        self._typed.update(FIELDS)
        self.show_errors(checked.errors)
        if checked.errors:
            return
        surprising = [r for r in self.readings() if r.surprises]
        if not surprising:
            self._send(checked.payload)
            return

        def answered(save: bool | None) -> None:
            if save:
                self._send(checked.payload)

        lines = "\n".join(
            f"line {r.number} '{r.text.strip()}' is {r.reading()}: {'; '.join(r.surprises)}"
            for r in surprising
        )
        self.app.push_screen(
            ConfirmScreen(f"{lines}\nSave it as read?", yes="Save as read", danger=False),
            answered,
        )

    def readings(self) -> list[LineReading]:
        """Each item line as it will be read."""
        existing = self.order.items if self.order is not None else ()
        return read_lines(self.query_one("#items", TextArea).text, existing)

    def _show_readings(self) -> None:
        text = Text()
        for reading in self.readings():
            style = "#ff5f5f" if reading.item is None else "bold" if reading.surprises else ""
            text.append(f"{reading.number:>2} ", style="dim")
            text.append(reading.reading(), style=style)
            for surprise in reading.surprises:
                text.append(f"\n   ? {surprise}", style="#ffd700")
            text.append("\n")
        text.rstrip()
        self.query_one("#items-reading", Static).update(text)

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    def _recheck(self, event: Input.Changed | TextArea.Changed | Select.Changed) -> None:
        """Check as the person types: every mistake of every field typed in, at once."""
        name = event.control.id or ""
        if name not in FIELDS:
            return
        if name == "items":
            self._show_readings()
        if self.texts()[name].strip() != field_texts(self.order)[name].strip():
            self._typed.add(name)
        errors = check(self.texts(), self.order).errors
        for field in self._typed:
            self._show(field, errors.get(field, []))

    @work(exclusive=True, group="save")
    async def _send(self, payload: dict[str, Any]) -> None:
        try:
            saved = await self._save_call(payload)
        except Conflict as error:
            if self.order is not None and self._reload is not None:
                await self._rebase(error)
            else:
                self.show_errors({FORM: [error.message]})
            return
        except Invalid as error:
            self.show_server_error(error.field, error.message)
            return
        except KdsError as error:
            self.show_errors({FORM: [error.message]})
            self.notify(error.message, title="Not saved", severity="error", markup=False)
            return
        self.dismiss(saved)

    async def _rebase(self, refusal: Conflict) -> None:
        """Someone else changed the order: show their version with this person's changes."""
        assert self.order is not None and self._reload is not None
        try:
            current = await self._reload()
        except NotFound:
            self.show_errors({FORM: [f"Order {self.order.id} was deleted meanwhile."]})
            return
        except KdsError as error:
            self.show_errors({FORM: [f"{refusal.message} (reloading failed: {error.message})"]})
            return
        if current.version == self.order.version:
            self.show_errors({FORM: [refusal.message]})  # not a stale version
            return
        kept = self.touched()
        self.order = current
        fresh = field_texts(current)
        for name in FIELDS:
            if name not in kept:
                self._set_text(name, fresh[name])
        self.query_one("#form-title", Static).update(self._title())
        yours = ", ".join(LABELS[name] for name in kept)
        self.show_errors(
            {
                FORM: [
                    f"Order {current.id} was changed meanwhile ({current.status.value}, "
                    f"version {current.version}). Shown now, with your {yours} kept: "
                    "check, then ^s to save."
                ]
            }
        )

    # Mistakes ------------------------------------------------------------------------

    def show_errors(self, errors: Errors) -> None:
        """Show every field's mistakes under it, and clear the others."""
        for name in (FORM, *FIELDS):
            self._show(name, errors.get(name, []))

    def _show(self, name: str, messages: list[str]) -> None:
        static = self.query_one(f"#{name}-error", Static)
        static.update(Text("\n".join(messages)))  # the server's or pydantic's words, no markup
        static.set_class(bool(messages), "-shown")

    def show_server_error(self, field: str | None, message: str) -> None:
        """A refusal of the server, under ``field`` (a path such as ``items.0.name``)."""
        parts = (field or "").split(".")
        if parts[0] not in FIELDS:
            self.show_errors({FORM: [message]})
            return
        if parts[0] == "items" and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            line = self._line_numbers[index] if index < len(self._line_numbers) else index + 1
            message = f"line {line}: {message}"
        self.show_errors({parts[0]: [message]})
