"""Text search and date range for the orders table, in one small form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from admin_tui.typeahead import TypeAhead
from kds_contract.period import parse_day


@dataclass(frozen=True)
class SearchChoice:
    """What the person asked for: text and the first and last day (inclusive)."""

    text: str
    since: date | None
    until: date | None


class SearchScreen(TypeAhead[SearchChoice | None]):
    """Enter applies, escape leaves things as they were. ``#12`` or ``12`` also opens order 12."""

    BINDINGS = [
        Binding("escape", "dismiss_none", "Close", id="search.close"),
        Binding("f1", "app.keys", "Keys", id="search.keys"),
    ]

    def __init__(
        self, text: str, since: date | None, until: date | None, *, today: date, focus: str = "text"
    ) -> None:
        super().__init__(classes="dialog")
        self._initial = (text, since, until)
        self._today = today
        self._focus = focus

    def compose(self) -> ComposeResult:
        text, since, until = self._initial
        with Vertical(classes="box form"):
            yield Static("Search and days", classes="question")
            for field, label, value, placeholder in (
                ("text", "text", text, "#order, T table, or words (names, items, notes)"),
                ("since", "from day", str(since or ""), "first day; blank: no limit"),
                ("until", "to day", str(until or ""), "last day; blank: no limit"),
            ):
                with Horizontal(classes="row"):
                    yield Label(label, classes="field-label")
                    yield Input(value, id=field, placeholder=placeholder, compact=True)
                yield Static("", id=f"{field}-error", classes="error")
            yield Static("days: YYYY-MM-DD, today, yesterday or -N (days ago)", classes="hint")
            yield Static("enter apply  esc close  tab next field", classes="hint")

    def on_mount(self) -> None:
        self.focus_first(self.query_one(f"#{self._focus}", Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply()

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def _apply(self) -> None:
        days: dict[str, date | None] = {}
        ok = True
        for field in ("since", "until"):
            error = self.query_one(f"#{field}-error", Static)
            try:
                days[field] = parse_day(self.query_one(f"#{field}", Input).value, self._today)
                error.update("")
                error.remove_class("-shown")
            except ValueError as exc:
                error.update(str(exc))
                error.add_class("-shown")
                ok = False
        since, until = days.get("since"), days.get("until")
        if ok and since and until and since > until:
            error = self.query_one("#until-error", Static)
            error.update("the last day is before the first")
            error.add_class("-shown")
            ok = False
        if ok:
            self.dismiss(SearchChoice(self.query_one("#text", Input).value.strip(), since, until))
