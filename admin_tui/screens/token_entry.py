"""Type another admin token when the server refuses this one: no restart needed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from admin_tui.typeahead import TypeAhead

HOW_TO_MAKE_ONE = (
    "To make one, on the server's host: kds-server token create --role admin --data-dir "
    "<the server's data folder> (its last line is the token)."
)


class TokenScreen(TypeAhead[str | None]):
    """Dismisses with the token typed (or pasted), or None."""

    BINDINGS = [Binding("escape", "dismiss_none", "Close", id="token.close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="box form"):
            yield Static("Use another admin token", classes="question")
            yield Input(id="token", password=True, placeholder="paste the token here")
            yield Static("", id="token-error", classes="error")
            yield Static(HOW_TO_MAKE_ONE, classes="hint")
            yield Static(
                "enter use it   esc close (it is kept for this session only)", classes="hint"
            )

    def on_mount(self) -> None:
        self.focus_first(self.query_one("#token", Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        token = event.value.strip()
        if not token:
            error = self.query_one("#token-error", Static)
            error.update("paste the token, or esc to close")
            error.add_class("-shown")
            return
        self.dismiss(token)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
