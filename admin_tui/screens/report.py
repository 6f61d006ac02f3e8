"""The report for the days the orders screen shows, beside the same days a week before:
sales, by order type, by hour (labelled bars), ticket times by station and by item, items
sold and cancellations. Counted by the server (``GET /api/reports``); made to read at 80x24
(scroll for the rest)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from admin_tui import formatting as fmt
from admin_tui.console import Console
from admin_tui.query import OrderQuery
from admin_tui.screens.figures import counted
from admin_tui.widgets.connection_bar import ConnectionBar
from admin_tui.widgets.notice_bar import NoticeBar
from kds_client.errors import KdsError

BAR_WIDTH = 30
"""The longest bar of the hours, in cells (fits 80 columns with its labels)."""
TOP_ITEMS = 10
TYPE_LABEL = {"dine_in": "dine-in", "takeout": "takeout", "delivery": "delivery"}


def utc_offset(now: datetime) -> str:
    """``+01:00``: the console's zone as the server reads it (``tz``)."""
    offset = now.strftime("%z") or "+0000"
    return f"{offset[:3]}:{offset[3:]}"


def change(now: float | int | None, before: float | int | None) -> Text:
    """``+12%``, ``-3%``, ``new`` or ``-``: this period against the week before."""
    if now is None or before is None:
        return Text("-", style="dim")
    if before == 0:
        return Text("new" if now else "-", style="dim")
    percent = round((now - before) * 100 / before)
    style = "#5fd75f" if percent > 0 else "#ff5f5f" if percent < 0 else "dim"
    return Text(f"{percent:+d}%", style=style)


def _table(title: str, *columns: str) -> Table:
    """A table whose first header is its title (a line of its own would lose the headers'
    alignment in a Static: leading spaces go)."""
    table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="dim")
    table.add_column(Text(f"{title} ", style="bold"), justify="left")
    for column in columns:
        table.add_column(column, justify="right", no_wrap=True)
    return table


def sales_table(report: dict[str, Any]) -> Table:
    """Orders, sales, average ticket and cancellations, with the week before."""
    sales = report.get("sales") or {}
    before = sales.get("previous") or {}
    table = _table("Sales", "now", "week before", "change")
    rows = (
        ("orders", "orders", str),
        ("sales", "sales_cents", fmt.money),
        ("average ticket", "average_cents", fmt.money),
        ("cancelled", "cancelled", str),
    )
    for label, key, show in rows:
        now, then = sales.get(key), before.get(key)
        table.add_row(
            label,
            show(now) if now is not None else "-",
            show(then) if then is not None else "-",
            change(now, then),
        )
    return table


def types_table(report: dict[str, Any]) -> Table:
    table = _table("By order type", "orders", "sales", "average", "week before")
    for row in report.get("by_type") or []:
        before = row.get("previous") or {}
        table.add_row(
            TYPE_LABEL.get(row.get("order_type", ""), row.get("order_type", "")),
            str(row.get("orders", 0)),
            fmt.money(row.get("sales_cents")),
            fmt.money(row.get("average_cents")) or "-",
            f"{before.get('orders', 0)} / {fmt.money(before.get('sales_cents')) or '0.00'}",
        )
    return table


def hours_chart(report: dict[str, Any]) -> Group:
    """One labelled bar per hour of the day: orders now, and the week before in brackets."""
    hours = report.get("by_hour") or []
    title = Text("Orders by hour", style="bold")
    if not hours:
        return Group(title, Text("no orders", style="dim"))
    most = max(max(h.get("orders", 0), (h.get("previous") or {}).get("orders", 0)) for h in hours)
    lines = [title]
    for hour in hours:
        count = hour.get("orders", 0)
        before = (hour.get("previous") or {}).get("orders", 0)
        width = round(count * BAR_WIDTH / most) if most else 0
        line = Text(f"{hour.get('hour_of_day', 0):02d}:00 ", style="dim")
        line.append("█" * width, style="#00d7d7")
        line.append(" " * (BAR_WIDTH - width) + f" {count:>4}")
        line.append(f"  ({before})", style="dim")
        line.append(f"  {fmt.money(hour.get('sales_cents'))}", style="dim")
        lines.append(line)
    lines.append(
        Text("(the week before in brackets; then sales; tickets: created to ready)", style="dim")
    )
    return Group(*lines)


def _times_row(table: Table, label: str, row: dict[str, Any]) -> None:
    before = row.get("previous") or {}
    table.add_row(
        Text(label or "(no station)"),
        str(row.get("n", 0)),
        fmt.precise_duration(row.get("median_s")),
        fmt.precise_duration(row.get("p90_s")),
        str(row.get("over_target", 0)),
        fmt.precise_duration(before.get("median_s")),
    )


def times_table(report: dict[str, Any]) -> Table:
    """Ticket times (created to ready): overall, by station, then the busiest items."""
    target = fmt.precise_duration(report.get("target_s"))
    table = _table(
        f"Ticket times (target {target})",
        "n",
        "median",
        "p90",
        "over",
        "week before",
    )
    _times_row(table, "all tickets", report.get("ticket_times") or {})
    for row in report.get("by_station") or []:
        _times_row(table, f"@{row.get('station')}" if row.get("station") else "", row)
    for row in (report.get("by_item") or [])[:TOP_ITEMS]:
        _times_row(table, str(row.get("name", "")), row)
    return table


def mix_table(report: dict[str, Any]) -> Table:
    table = _table("Items sold", "sold", "orders", "week before")
    items = report.get("product_mix") or []
    for row in items[:TOP_ITEMS]:
        table.add_row(
            Text(str(row.get("name", ""))),
            str(row.get("quantity", 0)),
            str(row.get("orders", 0)),
            str(row.get("previous_quantity", 0)),
        )
    if len(items) > TOP_ITEMS:
        table.add_row(Text(f"and {len(items) - TOP_ITEMS} more", style="dim"), "", "", "")
    if not items:
        table.add_row(Text("none", style="dim"), "", "", "")
    return table


def cancellations_table(report: dict[str, Any]) -> Table:
    cancelled = report.get("cancellations") or {}
    table = _table(
        f"Cancelled: {cancelled.get('count', 0)} (week before {cancelled.get('previous', 0)})",
        "by",
        "count",
    )
    for row in cancelled.get("by") or []:
        who = row.get("by") or "?"
        if row.get("role"):
            who += f" ({row['role']})"
        table.add_row(f"from {row.get('from_status', '')}", Text(who), str(row.get("count", 0)))
    return table


def report_renderable(report: dict[str, Any]) -> Group:
    """The whole report, top to bottom."""
    parts: list[Any] = [
        sales_table(report),
        Text(),
        types_table(report),
        Text(),
        hours_chart(report),
        Text(),
        times_table(report),
        Text(),
        mix_table(report),
        Text(),
        cancellations_table(report),
    ]
    return Group(*parts)


class ReportScreen(Screen[None]):
    """The report for the orders screen's days; ``r`` reloads."""

    app: Console

    HELP_TITLE = "Keys: report"
    HELP_BINDINGS = [Binding("up,down,pageup,pagedown", "scroll", "Scroll")]
    BINDINGS = [
        Binding("escape,backspace,p", "app.pop_screen", "Back", id="report.back"),
        Binding("r", "reload", "Reload", id="report.reload"),
    ]

    def __init__(self, query: OrderQuery) -> None:
        super().__init__()
        self.days = query
        self.report: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        now = self.app.clock()
        yield ConnectionBar(title=f"KDS admin - report, {self.days.dates_label(now)}")
        with VerticalScroll(id="report"):
            yield Static(Text("loading...", style="dim"), id="report-body")
        yield NoticeBar()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#report").focus()
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="report")
    async def load(self) -> None:
        """Fetch the report from the server."""
        now = self.app.clock()
        try:
            report = await self.app.rest.report(**self.days.period_params(now), tz=utc_offset(now))
        except KdsError as error:
            self.notify(error.message, title="Report not loaded", severity="error")
            return
        self.show(report)

    def show(self, report: dict[str, Any]) -> None:
        """Render a ``GET /api/reports`` answer."""
        self.report = report
        now = self.app.clock()
        bar = self.query_one(ConnectionBar)
        bar.title = f"KDS admin - report, {counted(report, now)} vs a week before"
        bar.refresh()
        self.query_one("#report-body", Static).update(report_renderable(report))
