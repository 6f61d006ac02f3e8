"""Figures for the days shown: counts by status, how long orders take, orders per hour, the
slowest open orders. The title says the period the server counted (its answer's own
``since`` and ``until``), which is the period the list shows: one rule, ``kds_contract.period``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Sparkline, Static

from admin_tui import formatting as fmt
from admin_tui.console import Console
from admin_tui.messages import OrderChanged
from admin_tui.query import OrderQuery
from admin_tui.widgets.connection_bar import ConnectionBar
from admin_tui.widgets.notice_bar import NoticeBar
from kds_client.errors import KdsError
from kds_contract import Order, Status
from kds_contract.period import Period

REFRESH_SECONDS = 30
CHANGE_DELAY_SECONDS = 2


class FiguresScreen(Screen[None]):
    """Figures for the days the orders table shows; refreshed after changes, every 30 s
    and on ``r``."""

    app: Console

    HELP_TITLE = "Keys: figures"
    BINDINGS = [
        Binding("escape,backspace,f", "app.pop_screen", "Back", id="figures.back"),
        Binding("r", "reload", "Reload", id="figures.reload"),
    ]

    def __init__(self, query: OrderQuery) -> None:
        super().__init__()
        self.days = query

    def compose(self) -> ComposeResult:
        now = self.app.clock()
        yield ConnectionBar(title=f"KDS admin - figures, {self.days.dates_label(now)}")
        with VerticalScroll(id="figures"):
            with Horizontal(id="figures-top"):
                yield Static(Text("loading...", style="dim"), id="counts")
                yield Static(id="times")
            with Vertical(id="per-hour-box"):
                yield Static("Orders per hour", classes="figure-title")
                yield Sparkline([], id="per-hour")
                yield Static(id="per-hour-axis")
            yield Static(id="slowest")
        yield NoticeBar()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._soon: Timer | None = None
        self.load()
        self.set_interval(REFRESH_SECONDS, self.load)

    def on_order_changed(self, message: OrderChanged) -> None:
        # Orders change in bursts; one reload a moment later covers the lot.
        if self._soon is None:
            self._soon = self.set_timer(CHANGE_DELAY_SECONDS, self._reload_soon)

    def _reload_soon(self) -> None:
        self._soon = None
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="figures")
    async def load(self) -> None:
        """Fetch the figures from the server."""
        try:
            stats = await self.app.rest.stats(**self.days.period_params(self.app.clock()))
        except KdsError as error:
            self.notify(error.message, title="Figures not loaded", severity="error")
            return
        self.show(stats)

    def show(self, stats: dict[str, Any]) -> None:
        """Render a ``GET /api/stats`` answer."""
        now = self.app.clock()
        bar = self.query_one(ConnectionBar)
        bar.title = f"KDS admin - figures, {counted(stats, now)}"
        bar.refresh()
        self.query_one("#counts", Static).update(counts_table(stats))
        self.query_one("#times", Static).update(times_table(stats))
        per_hour = stats.get("per_hour") or []
        self.query_one("#per-hour", Sparkline).data = [row.get("count", 0) for row in per_hour]
        self.query_one("#per-hour-axis", Static).update(hour_axis(per_hour, now))
        self.query_one("#slowest", Static).update(slowest_table(stats, now))


def counted(stats: dict[str, Any], now: datetime) -> str:
    """The period the server says it counted, in the console's days."""
    since, until = (_moment(stats.get(key)) for key in ("since", "until"))
    return Period(since, until).label(now.tzinfo, now.date())


def _moment(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def counts_table(stats: dict[str, Any]) -> Table:
    counts = stats.get("counts") or {}
    table = fmt.titled_table("Orders", show_header=False)
    table.add_column()
    table.add_column(justify="right")
    for status in Status:
        table.add_row(fmt.status_text(status), str(counts.get(status.value, 0)))
    table.add_row(Text("total", style="bold"), Text(str(stats.get("total", 0)), style="bold"))
    return table


def times_table(stats: dict[str, Any]) -> Table:
    table = fmt.titled_table("Time to", header_style="dim")
    table.add_column("")
    table.add_column("median", justify="right")
    table.add_column("p90", justify="right")
    table.add_column("n", justify="right", style="dim")
    for key, label in (("time_to_ready", "ready"), ("time_to_complete", "completion")):
        figures = stats.get(key) or {}
        table.add_row(
            label,
            fmt.precise_duration(figures.get("median_s")),
            fmt.precise_duration(figures.get("p90_s")),
            str(figures.get("n", 0)),
        )
    return table


def hour_axis(per_hour: list[dict[str, Any]], now: datetime) -> Text:
    """First and last hour under the chart, and the busiest hour."""
    if not per_hour:
        return Text("no orders", style="dim")
    hours = [_hour(row.get("hour"), now) for row in per_hour]
    busiest = max(per_hour, key=lambda row: row.get("count", 0))
    return Text.assemble(
        (f"{hours[0]} to {hours[-1]}", "dim"),
        f"   busiest {_hour(busiest.get('hour'), now)} ({busiest.get('count', 0)})",
    )


def _hour(value: Any, now: datetime) -> str:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    return moment.astimezone(now.tzinfo).strftime("%H:00")


def slowest_table(stats: dict[str, Any], now: datetime) -> Table:
    table = fmt.titled_table("Slowest open orders", header_style="dim")
    for column in ("#", "status", "age", "in status", "table/cust", "items"):
        table.add_column(column, no_wrap=column != "items", overflow="ellipsis")
    for raw in (stats.get("slowest_open") or [])[:8]:
        order = raw if isinstance(raw, Order) else Order.model_validate(raw)
        table.add_row(
            fmt.number(order),
            fmt.status_text(order.status),
            fmt.since(order.timer_start(), now),
            fmt.since(order.status_entered_at(), now),
            Text(fmt.who(order)),
            Text(fmt.items_summary(order)),
        )
    if not table.row_count:
        table.add_row("-", "", "", "", "", "none open")
    return table
