"""API tokens from the console: the list (never the tokens themselves), a new one (shown
once, to copy), and revoking one (asked first, naming it; this console's own is said)."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Label, Select, Static

from admin_tui.console import Console
from admin_tui.screens.confirm import ConfirmScreen
from admin_tui.screens.fields_form import FieldsForm
from admin_tui.widgets.connection_bar import ConnectionBar
from admin_tui.widgets.notice_bar import NoticeBar
from kds_client.errors import Invalid, KdsError
from kds_contract import Role
from kds_contract.tokens import Token, TokenCreated


def _day(moment: datetime | None, now: datetime) -> str:
    """``14:02`` today, ``2026-11-30`` before."""
    if moment is None:
        return "-"
    local = moment.astimezone(now.tzinfo)
    return local.strftime("%H:%M") if local.date() == now.date() else str(local.date())


def is_own(token: Token, secret: str) -> bool:
    """Whether ``token`` is the one this console uses (``secret``)."""
    return bool(secret) and secret.startswith(token.prefix)


class TokensScreen(Screen[None]):
    """The server's API tokens; ``n`` makes one, ``x`` revokes the selected one."""

    app: Console

    HELP_TITLE = "Keys: tokens"
    HELP_BINDINGS = [Binding("up,down", "cursor", "Choose a token")]
    BINDINGS = [
        Binding("escape,backspace,k", "app.pop_screen", "Back", id="tokens.back"),
        Binding("n", "create", "New token", id="tokens.create"),
        Binding("x,delete", "revoke", "Revoke", id="tokens.revoke"),
        Binding("r", "reload", "Reload", id="tokens.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.tokens: dict[int, Token] = {}

    def compose(self) -> ComposeResult:
        yield ConnectionBar(title="KDS admin - tokens")
        yield DataTable(id="tokens", cursor_type="row", zebra_stripes=True)
        yield NoticeBar()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label, width in (
            ("id", "#", None),
            ("name", "name", 20),
            ("role", "role", None),
            ("prefix", "starts", None),
            ("created", "made", None),
            ("state", "state", None),
        ):
            table.add_column(label, key=key, width=width)
        table.focus()
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="tokens")
    async def load(self) -> None:
        """Fetch the tokens from the server."""
        try:
            found = await self.app.rest.tokens()
        except KdsError as error:
            self.notify(error.message, title="Tokens not loaded", severity="error")
            return
        self.show(found)

    def show(self, found: list[Token]) -> None:
        table = self.query_one(DataTable)
        chosen = self.selected()
        table.clear()
        now = self.app.clock()
        secret = self.app.rest.token
        self.tokens = {token.id: token for token in found}
        for token in sorted(found, key=lambda t: (t.revoked_at is not None, t.id)):
            state = (
                Text(f"revoked {_day(token.revoked_at, now)}", style="dim")
                if token.revoked_at
                else Text("this console", style="bold")
                if is_own(token, secret)
                else Text("active")
            )
            name = token.name + (f" ({token.user_id})" if token.user_id else "")
            table.add_row(
                str(token.id),
                Text(name),
                token.role.value,
                Text(token.prefix, style="dim"),
                _day(token.created_at, now),
                state,
                key=str(token.id),
            )
        if chosen is not None and chosen.id in self.tokens:
            table.move_cursor(row=table.get_row_index(str(chosen.id)))

    def selected(self) -> Token | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return self.tokens.get(int(str(key.value)))

    def action_create(self) -> None:
        def made(created: TokenCreated | None) -> None:
            if created is not None:
                self.app.push_screen(SecretScreen(created))
                self.load()

        self.app.push_screen(TokenFormScreen(), made)

    def action_revoke(self) -> None:
        token = self.selected()
        if token is None:
            self.notify("No token selected.", severity="warning")
            return
        if token.revoked_at is not None:
            self.notify(f"Token {token.id} ({token.name}) is revoked already.", severity="warning")
            return
        own = is_own(token, self.app.rest.token)
        question = f"Revoke token {token.id}, {token.name} ({token.role.value})?"
        if own:
            question += " It is THIS console's token: the console will need another (t)."
        else:
            question += " Whatever uses it is refused from now on."

        def answered(yes: bool | None) -> None:
            if yes:
                self.revoke(token)

        self.app.push_screen(ConfirmScreen(question, yes="Revoke"), answered)

    @work(group="tokens-revoke")
    async def revoke(self, token: Token) -> None:
        try:
            await self.app.rest.revoke_token(token.id)
        except KdsError as error:
            self.notify(error.message, title=f"Token {token.id} not revoked", severity="error")
            return
        self.notify(f"Token {token.id} ({token.name}) revoked.")
        self.load()


class TokenFormScreen(FieldsForm[TokenCreated | None]):
    """Role, name (and a customer's account); makes the token on enter."""

    BINDINGS = [Binding("escape", "close", "Close", id="token-form.close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="box form"):
            yield Static("New API token", classes="question")
            with Horizontal(classes="row"):
                yield Label("role", classes="field-label")
                yield Select(
                    [(role.value, role.value) for role in Role],
                    value=Role.POS.value,
                    allow_blank=False,
                    compact=True,
                    id="role",
                )
            yield from self.text_fields(
                (
                    ("name", "name", "", "who uses it: till-2, grill screen, Sam"),
                    ("user_id", "account", "", "a customer token's account only"),
                )
            )
            yield Static("", id="form-error", classes="error")
            yield Static("enter make it   esc close", classes="hint")

    def on_mount(self) -> None:
        self.focus_first(self.query_one("#name", Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        role = str(self.query_one("#role", Select).value)
        self.make(role, self.value("name").strip(), self.value("user_id").strip())

    @work(exclusive=True, group="token-make")
    async def make(self, role: str, name: str, user_id: str) -> None:
        self.clear(("name", "user_id"))
        app: Console = self.app  # type: ignore[assignment]
        try:
            created = await app.rest.create_token(role, name or None, user_id or None)
        except Invalid as error:
            self.say(error.field if error.field in ("name", "user_id") else "form", error.message)
            return
        except KdsError as error:
            self.say("form", error.message)
            return
        self.dismiss(created)


class SecretScreen(ModalScreen[None]):
    """The new token, shown this once."""

    BINDINGS = [Binding("escape,enter", "dismiss_it", "Done", id="secret.done")]

    def __init__(self, created: TokenCreated) -> None:
        super().__init__(classes="dialog")
        self.created = created

    def compose(self) -> ComposeResult:
        token = self.created.token
        with Vertical(classes="box form"):
            yield Static(
                f"Token {token.id}, {token.name} ({token.role.value}): copy it now, it is "
                "not shown again.",
                classes="question",
            )
            yield Input(self.created.secret, id="secret", compact=True)
            yield Static(
                "It is selected: ctrl+c copies it (or select it with the mouse).", classes="hint"
            )
            yield Static("enter or esc: done", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#secret", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(None)

    def action_dismiss_it(self) -> None:
        self.dismiss(None)
