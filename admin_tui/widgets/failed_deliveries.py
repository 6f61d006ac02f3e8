"""An order's emails and webhook calls that failed for good, for its detail screen."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.widgets import Static

from admin_tui.console import Console
from kds_client.errors import KdsError
from kds_client.outbox_text import delivery_target
from kds_contract.webhooks import Delivery

REFRESH_SECONDS = 10


def failed_text(deliveries: list[Delivery]) -> Text:
    text = Text("Failed deliveries", style="bold #ff5f5f")
    for d in deliveries:
        what = d.event if d.kind == "webhook" else f"email '{d.event}'"
        text.append(f"\n{what} to {delivery_target(d)}, {d.attempts} attempt(s): ")
        text.append(d.last_error or "failed")
    return text


class FailedDeliveries(Static):
    """Empty while nothing failed; otherwise each failed delivery with its last error."""

    app: Console

    def __init__(self, order_id: int) -> None:
        super().__init__(id="failed-deliveries")
        self.order_id = order_id

    def on_mount(self) -> None:
        self.display = False  # takes no line until something failed
        self.load()
        self.set_interval(REFRESH_SECONDS, self.load)

    @work(exclusive=True, group="failed-deliveries")
    async def load(self) -> None:
        try:
            found = await self.app.rest.deliveries(order_id=self.order_id, state="failed")
        except KdsError:
            return  # the detail screen reports the server's state; this is extra
        self.display = bool(found)
        self.update(failed_text(found) if found else "")
