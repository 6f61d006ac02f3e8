"""Webhook endpoints: their health (failing since, disabled and why), enable or disable one,
replay what it missed. Deliveries that failed for good are listed below."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Static

from admin_tui.console import Console
from admin_tui.widgets.connection_bar import ConnectionBar
from kds_client.errors import KdsError
from kds_client.outbox_text import (
    delivery_state,
    delivery_target,
    is_unhealthy,
    webhook_health,
)
from kds_contract.webhooks import Delivery, Webhook

REFRESH_SECONDS = 5
FAILED_SHOWN = 20


class WebhooksScreen(Screen[None]):
    """Every endpoint with its health; refreshed every few seconds and on ``r``."""

    app: Console

    DEFAULT_CSS = """
    WebhooksScreen #webhooks { height: 1fr; }
    WebhooksScreen #webhook-table { height: auto; max-height: 60%; }
    WebhooksScreen #webhook-detail { height: auto; padding: 0 1; }
    WebhooksScreen #webhook-failed { height: auto; padding: 0 1; }
    """
    HELP_TITLE = "Keys: webhooks"
    HELP_BINDINGS = [Binding("up,down", "cursor", "Choose an endpoint")]
    HELP_NOTES = (
        "An endpoint that answers 410 Gone, or fails for 5 days, is disabled and says why. "
        "Enabling it resumes it; replay sends again every change after a seq. Add and remove "
        "endpoints with kds-order webhooks."
    )
    BINDINGS = [
        Binding("escape,backspace", "app.pop_screen", "Back", id="webhooks.back"),
        Binding("e", "switch", "Enable/disable", id="webhooks.switch"),
        Binding("p", "replay", "Replay", id="webhooks.replay"),
        Binding("r", "reload", "Reload", id="webhooks.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.webhooks: list[Webhook] = []
        self.failed: list[Delivery] = []

    def compose(self) -> ComposeResult:
        yield ConnectionBar(title="KDS admin - webhooks")
        with VerticalScroll(id="webhooks"):
            table: DataTable[Text] = DataTable(id="webhook-table", cursor_type="row")
            yield table
            yield Static(Text("loading...", style="dim"), id="webhook-detail")
            yield Static(id="webhook-failed")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#webhook-table", DataTable)
        table.add_columns("id", "health", "pending", "failed", "url")
        table.focus()
        self.load()
        self.set_interval(REFRESH_SECONDS, self.load)

    @work(exclusive=True, group="webhooks")
    async def load(self) -> None:
        """Fetch the endpoints and the failed webhook deliveries."""
        try:
            self.webhooks = await self.app.rest.webhooks()
            self.failed = await self.app.rest.deliveries(
                kind="webhook", state="failed", limit=FAILED_SHOWN
            )
        except KdsError as error:
            self.notify(error.message, title="Webhooks", severity="error", markup=False)
            return
        self._show()

    def _show(self) -> None:
        table = self.query_one("#webhook-table", DataTable)
        row = table.cursor_row
        table.clear()
        for webhook in self.webhooks:
            style = "bold #ff5f5f" if is_unhealthy(webhook) else ""
            table.add_row(
                Text(str(webhook.id)),
                Text(webhook_health(webhook), style=style),
                Text(str(webhook.pending)),
                Text(str(webhook.failed), style="bold #ff5f5f" if webhook.failed else ""),
                Text(webhook.url),
                key=str(webhook.id),
            )
        if self.webhooks:
            table.move_cursor(row=min(row, len(self.webhooks) - 1))
        self._render_detail()
        self._render_failed()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._render_detail()

    def _selected(self) -> Webhook | None:
        table = self.query_one("#webhook-table", DataTable)
        if not self.webhooks or table.cursor_row < 0:
            return None
        return self.webhooks[min(table.cursor_row, len(self.webhooks) - 1)]

    def _render_detail(self) -> None:
        detail = self.query_one("#webhook-detail", Static)
        webhook = self._selected()
        if webhook is None:
            detail.update(
                Text("No webhooks. Add one with: kds-order webhooks add URL", style="dim")
            )
            return
        text = Text()
        text.append(f"webhook {webhook.id}: ", style="bold")
        unhealthy = is_unhealthy(webhook)
        text.append(webhook_health(webhook), style="bold #ff5f5f" if unhealthy else "bold")
        text.append(f"\nurl     {webhook.url}")
        text.append(f"\nevents  {', '.join(str(e) for e in webhook.events)}")
        if webhook.description:
            text.append(f"\nabout   {webhook.description}")
        if webhook.last_success_at:
            text.append(f"\nlast success  {webhook.last_success_at.astimezone():%Y-%m-%d %H:%M}")
        if webhook.last_error and unhealthy:
            text.append("\nlast error    ", style="bold")
            text.append(webhook.last_error)
        detail.update(text)

    def _render_failed(self) -> None:
        shown = self.query_one("#webhook-failed", Static)
        if not self.failed:
            shown.update("")
            return
        text = Text("Failed for good (newest first)", style="bold")
        for d in self.failed:
            text.append(
                f"\norder {d.order_id}  seq {d.seq}  {d.event}  {delivery_target(d)}  "
                f"{delivery_state(d)}  "
            )
            text.append(d.last_error or "", style="#ff5f5f")
        shown.update(text)

    def action_reload(self) -> None:
        self.load()

    def action_switch(self) -> None:
        webhook = self._selected()
        if webhook is not None:
            self._set_enabled(webhook.id, not webhook.enabled)

    @work(group="webhook-change")
    async def _set_enabled(self, webhook_id: int, enabled: bool) -> None:
        try:
            changed = await self.app.rest.change_webhook(webhook_id, enabled=enabled)
        except KdsError as error:
            self.notify(error.message, title="Webhooks", severity="error", markup=False)
            return
        self.notify(f"webhook {changed.id}: {webhook_health(changed)}", title="Webhooks")
        self.load()

    def action_replay(self) -> None:
        webhook = self._selected()
        if webhook is None:
            return

        def replay(after: int | None) -> None:
            if after is not None:
                self._replay(webhook.id, after)

        self.app.push_screen(ReplayScreen(webhook), replay)

    @work(group="webhook-change")
    async def _replay(self, webhook_id: int, after: int) -> None:
        try:
            queued = await self.app.rest.replay_webhook(webhook_id, after)
        except KdsError as error:
            self.notify(error.message, title="Webhooks", severity="error", markup=False)
            return
        self.notify(
            f"webhook {webhook_id}: {queued} change(s) after seq {after} queued again",
            title="Webhooks",
        )
        self.load()


class ReplayScreen(ModalScreen[int | None]):
    """Asks from which seq on to send the changes again; dismisses with it, or None."""

    DEFAULT_CSS = """
    ReplayScreen { align: center middle; }
    ReplayScreen > Vertical {
        width: 60; max-width: 100%; height: auto; border: round $accent; padding: 0 1;
    }
    ReplayScreen Horizontal { height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="replay.cancel")]

    def __init__(self, webhook: Webhook) -> None:
        super().__init__()
        self.webhook = webhook

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                f"Send webhook {self.webhook.id} again every change after seq (0 for all of them):"
            )
            yield Input("0", id="after-seq", type="integer")
            yield Static(id="replay-error")
            with Horizontal():
                yield Button("Replay (enter)", id="go", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#after-seq", Input).focus()

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self._go()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "go":
            self._go()
        else:
            self.dismiss(None)

    def _go(self) -> None:
        text = self.query_one("#after-seq", Input).value.strip()
        if not text.isdigit():
            self.query_one("#replay-error", Static).update(
                Text("a seq is a whole number, 0 or more", style="bold #ff5f5f")
            )
            return
        self.dismiss(int(text))

    def action_cancel(self) -> None:
        self.dismiss(None)
