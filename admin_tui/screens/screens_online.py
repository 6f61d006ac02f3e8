"""Screens online: every kitchen display, pickup board, console and browser board the server
has seen in the last 24 hours. Screens that went quiet come first, in red; a station with
open tickets that no kitchen screen shows is a warning above them."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from admin_tui.console import Console
from admin_tui.widgets.connection_bar import ConnectionBar
from kds_client.errors import KdsError
from kds_client.item_text import rough_duration
from kds_contract.screens import ScreensAnswer, quiet_for

REFRESH_SECONDS = 5

KIND_LABEL = {
    "kitchen": "kitchen",
    "pickup": "pickup",
    "admin": "console",
    "kitchen_board": "kitchen (browser)",
    "pickup_board": "pickup (browser)",
}


class ScreensOnlineScreen(Screen[None]):
    """The screens the server knows, refreshed every 5 s and on ``r``."""

    app: Console

    HELP_TITLE = "Keys: screens online"
    BINDINGS = [
        Binding("escape,backspace,w", "app.pop_screen", "Back", id="screens.back"),
        Binding("r", "reload", "Reload", id="screens.reload"),
    ]

    def compose(self) -> ComposeResult:
        yield ConnectionBar(title="KDS admin - screens online")
        with VerticalScroll(id="screens-online"):
            yield Static(id="screen-warnings")
            yield Static(Text("loading...", style="dim"), id="screen-list")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()
        self.set_interval(REFRESH_SECONDS, self.load)

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="screens")
    async def load(self) -> None:
        """Fetch the screens from the server."""
        try:
            answer = await self.app.rest.screens()
        except KdsError as error:
            self.notify(error.message, title="Screens not loaded", severity="error", markup=False)
            return
        self.show(answer)

    def show(self, answer: ScreensAnswer) -> None:
        """Render a ``GET /api/screens`` answer."""
        now = self.app.clock().astimezone(UTC)
        self.query_one("#screen-warnings", Static).update(warnings(answer))
        self.query_one("#screen-list", Static).update(screens_table(answer, now))


def warnings(answer: ScreensAnswer) -> Group | Text:
    lines = []
    for cover in answer.stations:
        if not cover.warning:
            continue
        where = f"station {cover.station}" if cover.station else "items without a station"
        plural = "s" if cover.open_tickets != 1 else ""
        lines.append(
            Text(
                f"! {where}: {cover.open_tickets} open ticket{plural}, no kitchen screen online",
                style="bold white on red",
            )
        )
    return Group(*lines) if lines else Text("")


def screens_table(answer: ScreensAnswer, now: datetime) -> Table | Text:
    if not answer.screens:
        return Text("No screen has joined in the last 24 h.", style="dim")
    table = Table(box=None, padding=(0, 1), header_style="dim", expand=True)
    table.add_column("state", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("station", overflow="fold")
    table.add_column("name", overflow="fold")
    table.add_column("version", no_wrap=True)
    ordered = sorted(answer.screens, key=lambda s: (s.connected, s.kind, s.station or "", s.name))
    for info in ordered:
        if info.connected:
            state = Text("online", style="green")
            style = ""
        else:
            state = Text(f"GONE {rough_duration(quiet_for(info, now))}", style="bold red")
            style = "red"
        table.add_row(
            state,
            Text(KIND_LABEL.get(info.kind, info.kind), style=style),
            Text(info.station or "-", style=style),
            Text(info.name, style=style),
            Text(info.version or "-", style="dim"),
        )
    return table
