"""The menu from the console: each dish's station and prep time, and beside it how long it
really took (median and p90 over the last days, from ``GET /api/menu/suggestions``).
Edit, add or remove a dish; apply a learned prep time, only after saying yes to it.

The menu is saved whole (``PUT /api/menu``): each change is made to the menu as the
server has it at that moment (``admin_tui.menu_entry``), then the list is read again.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from admin_tui.console import Console
from admin_tui.menu_entry import (
    EntryError,
    MenuRow,
    apply_question,
    entry,
    menu_rows,
    suggestion,
    with_item,
    without,
)
from admin_tui.screens.confirm import ConfirmScreen
from admin_tui.screens.fields_form import FieldsForm
from admin_tui.widgets.connection_bar import ConnectionBar
from admin_tui.widgets.notice_bar import NoticeBar
from kds_client.errors import Invalid, KdsError
from kds_client.item_text import prep_text
from kds_contract.menu import Menu, MenuItem, PrepSuggestion, menu_key

DAYS = 14
"""How many days back the learned prep times look."""
EDIT_FIELDS = ("name", "station", "prep")


class MenuScreen(Screen[None]):
    """The menu with learned prep times; ``e`` edits a dish, ``n`` adds one, ``x`` removes
    one, ``a`` (``A``) applies the learned median (p90) after a question."""

    app: Console

    DEFAULT_CSS = """
    MenuScreen #menu { height: 1fr; }
    MenuScreen #menu-detail { height: auto; padding: 0 1; }
    """
    HELP_TITLE = "Keys: menu"
    HELP_BINDINGS = [
        Binding("up,down", "cursor", "Choose a dish"),
        Binding("enter", "edit", "Edit the dish"),
    ]
    HELP_NOTES = (
        "median and p90: how long each dish really took (from its start, or its fire time, "
        f"to done) over the last {DAYS} days; 'made' is how many. Nothing changes until you "
        "apply one and say yes. A dish made but not on the menu is listed last (dim); "
        "applying its time adds it."
    )
    BINDINGS = [
        Binding("escape,backspace,M", "app.pop_screen", "Back", id="menu.back"),
        Binding("e", "edit", "Edit", id="menu.edit"),
        Binding("n", "create", "New dish", id="menu.create"),
        Binding("x,delete", "remove", "Remove", id="menu.remove"),
        Binding("a", "apply('median')", "Use median", id="menu.apply"),
        Binding("A", "apply('p90')", "Use p90", show=False, id="menu.apply_p90"),
        Binding("r", "reload", "Reload", id="menu.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.menu: Menu | None = None
        self.rows: list[MenuRow] = []
        self.learned: list[PrepSuggestion] = []

    def compose(self) -> ComposeResult:
        yield ConnectionBar(title="KDS admin - menu")
        yield DataTable(id="menu", cursor_type="row", zebra_stripes=True)
        yield Static(Text("loading...", style="dim"), id="menu-detail")
        yield NoticeBar()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label, width in (
            ("name", "dish", 24),
            ("station", "station", 10),
            ("prep", "menu", 7),
            ("median", "median", 7),
            ("p90", "p90", 7),
            ("made", "made", 5),
        ):
            table.add_column(label, key=key, width=width)
        table.focus()
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="menu")
    async def load(self, select: str | None = None) -> None:
        """Read the menu and the learned prep times; ``select``: the dish to put the cursor
        on (else the one selected stays)."""
        try:
            menu = await self.app.rest.menu()
        except KdsError as error:
            self.notify(error.message, title="Menu not loaded", severity="error")
            return
        try:
            self.learned = (await self.app.rest.prep_suggestions(DAYS)).items
        except KdsError as error:  # the menu still shows, without what was learned
            self.learned = []
            self.notify(error.message, title="Learned prep times not loaded", severity="warning")
        self.show(menu, select)

    def show(self, menu: Menu, select: str | None = None) -> None:
        table = self.query_one(DataTable)
        chosen = select or (row.name if (row := self.selected()) else None)
        self.menu = menu
        self.rows = menu_rows(menu, self.learned)
        table.clear()
        for row in self.rows:
            item, learned = row.item, row.learned
            style = "" if item is not None else "dim"
            table.add_row(
                Text(row.name, style=style),
                Text(item.station or "-" if item else "-", style=style),
                Text(prep_text(item.prep_seconds) if item else "-", style=style),
                prep_text(learned.median_s) if learned else "-",
                prep_text(learned.p90_s) if learned else "-",
                str(learned.n) if learned else "0",
                key=row.key,
            )
        if chosen is not None:
            keys = [row.key for row in self.rows]
            if menu_key(chosen) in keys:
                table.move_cursor(row=keys.index(menu_key(chosen)))
        self._detail()

    def selected(self) -> MenuRow | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def _detail(self) -> None:
        detail = self.query_one("#menu-detail", Static)
        row = self.selected()
        if row is None:
            detail.update(
                Text(
                    "The menu is empty and nothing was made yet: n adds a dish "
                    "(or kds-order menu set FILE).",
                    style="dim",
                )
            )
            return
        text = Text()
        text.append(row.name, style="bold")
        if row.item is None:
            text.append(": not on the menu")
        else:
            station = f"@{row.item.station}" if row.item.station else "no station"
            text.append(f": {station}, prep {prep_text(row.item.prep_seconds)} on the menu")
        if row.learned is None or suggestion(row) is None:
            text.append(f"; not made in the last {DAYS} days", style="dim")
        else:
            learned = row.learned
            text.append(
                f"; took {prep_text(learned.median_s)} (median), {prep_text(learned.p90_s)} "
                f"(p90) over {learned.n} made. a: use the median, A: the p90"
            )
        detail.update(text)

    # -- changes ---------------------------------------------------------------------------

    def action_edit(self) -> None:
        row = self.selected()
        if row is None:
            self.notify("No dish selected.", severity="warning")
            return
        if row.item is None:
            self.app.push_screen(MenuItemScreen(MenuItem(name=row.name), new=True), self._saved)
            return
        self.app.push_screen(MenuItemScreen(row.item), self._saved)

    def action_create(self) -> None:
        self.app.push_screen(MenuItemScreen(None), self._saved)

    def _saved(self, item: MenuItem | None) -> None:
        if item is not None:
            self.notify(f"{item.name} saved.")
            self.load(select=item.name)

    def action_remove(self) -> None:
        row = self.selected()
        if row is None or row.item is None:
            self.notify("No dish of the menu selected.", severity="warning")
            return
        name = row.name

        def answered(yes: bool | None) -> None:
            if yes:
                self.change(name, None, f"{name} removed from the menu.")

        question = (
            f"Remove {name} from the menu? Orders already made keep their items; new ones "
            "named so get no station or prep time from the menu."
        )
        self.app.push_screen(ConfirmScreen(question, yes="Remove"), answered)

    def action_apply(self, use: str) -> None:
        row = self.selected()
        if row is None:
            return
        seconds = suggestion(row, use)
        if seconds is None:
            self.notify(
                f"{row.name}: nothing learned in the last {DAYS} days to apply.",
                severity="warning",
            )
            return
        base = row.item or MenuItem(name=row.name)
        item = base.model_copy(update={"prep_seconds": seconds})

        def answered(yes: bool | None) -> None:
            if yes:
                self.change(row.name, item, f"{row.name}: prep time {prep_text(seconds)}.")

        question = apply_question(row, use, DAYS)
        self.app.push_screen(ConfirmScreen(question, yes="Apply", danger=False), answered)

    @work(group="menu-change")
    async def change(self, name: str, item: MenuItem | None, done: str) -> None:
        """Put ``item`` in place of the dish ``name`` (None: remove it) on the menu as the
        server has it now, and save."""
        try:
            current = await self.app.rest.menu()
            changed = without(current, name) if item is None else with_item(current, item, name)
            saved = await self.app.rest.put_menu(changed)
        except KdsError as error:
            self.notify(error.message, title="Menu not saved", severity="error")
            return
        self.notify(done)
        self.show(saved, select=item.name if item else None)


class MenuItemScreen(FieldsForm[MenuItem | None]):
    """Name, station and prep time of one dish; saves on enter, each problem said under its
    field. Dismisses with the saved item, or None."""

    BINDINGS = [Binding("escape", "close", "Close", id="menu-form.close")]

    def __init__(self, item: MenuItem | None, *, new: bool = False) -> None:
        super().__init__()
        self.item = item
        self.replacing = None if item is None or new else item.name

    def compose(self) -> ComposeResult:
        item = self.item
        title = f"Dish: {self.replacing}" if self.replacing else "New dish on the menu"
        prep = item.prep_seconds if item else None
        with Vertical(classes="box form"):
            yield Static(title, classes="question")
            yield from self.text_fields(
                (
                    ("name", "name", item.name if item else "", "as the tills send it: Steak"),
                    (
                        "station",
                        "station",
                        (item.station or "") if item else "",
                        "grill, cold... (empty: none)",
                    ),
                    (
                        "prep",
                        "prep",
                        prep_text(prep) if prep is not None else "",
                        "12m, 240s, 1h30m (empty: not known)",
                    ),
                )
            )
            yield Static("", id="form-error", classes="error")
            yield Static("enter save   tab next field   esc close", classes="hint")

    def on_mount(self) -> None:
        self.focus_first(self.query_one("#name", Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save({field: self.value(field) for field in EDIT_FIELDS})

    @work(exclusive=True, group="menu-save")
    async def save(self, values: dict[str, str]) -> None:
        self.clear(EDIT_FIELDS)
        app: Console = self.app  # type: ignore[assignment]
        try:
            current = await app.rest.menu()
            item = entry(values["name"], values["station"], values["prep"], current, self.replacing)
            await app.rest.put_menu(with_item(current, item, self.replacing))
        except EntryError as error:
            for field, message in error.problems.items():
                self.say(field if field in EDIT_FIELDS else "form", message)
            return
        except Invalid as error:
            self.say("form", error.message)
            return
        except KdsError as error:
            self.say("form", f"not saved: {error.message}")
            return
        self.dismiss(item)
