"""A ``GET /api/reports`` answer as plain text, for ``kds-order report``."""

from __future__ import annotations

from typing import Any

from kds_client.columns import table


def _money(cents: Any) -> str:
    return "-" if cents is None else f"{cents / 100:.2f}"


def _duration(seconds: Any) -> str:
    if seconds is None:
        return "-"
    seconds = round(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s"


def _change(now: Any, before: Any) -> str:
    if now is None or before is None:
        return ""
    if before == 0:
        return "new" if now else ""
    return f"{round((now - before) * 100 / before):+d}%"


def _lines(rows: list[list[str]]) -> list[str]:
    return table(rows, right=range(1, len(rows[0])))


def report_text(report: dict[str, Any]) -> str:
    """Sales, types, hours, ticket times, items sold and cancellations, beside the week
    before."""
    out = [
        f"report {report.get('since') or 'from the first order'} to "
        f"{report.get('until') or 'now'} (week before: {report.get('previous_since') or '-'} "
        f"to {report.get('previous_until') or '-'}), hours in {report.get('time_zone')}",
        "",
    ]
    sales = report.get("sales") or {}
    before = sales.get("previous") or {}
    rows = [["SALES", "NOW", "WEEK BEFORE", "CHANGE"]]
    for label, key, show in (
        ("orders", "orders", str),
        ("sales", "sales_cents", _money),
        ("average ticket", "average_cents", _money),
        ("cancelled", "cancelled", str),
    ):
        now, then = sales.get(key), before.get(key)
        rows.append([label, show(now), show(then), _change(now, then)])
    out += [*_lines(rows), ""]
    rows = [["TYPE", "ORDERS", "SALES", "AVERAGE", "WEEK BEFORE"]]
    for row in report.get("by_type") or []:
        prev = row.get("previous") or {}
        rows.append(
            [
                str(row.get("order_type")),
                str(row.get("orders")),
                _money(row.get("sales_cents")),
                _money(row.get("average_cents")),
                f"{prev.get('orders', 0)} / {_money(prev.get('sales_cents'))}",
            ]
        )
    out += [*_lines(rows), ""]
    hours = report.get("by_hour") or []
    most = max((h.get("orders", 0) for h in hours), default=0)
    out.append("HOUR   ORDERS (WEEK BEFORE)")
    for hour in hours:
        count = hour.get("orders", 0)
        bar = "#" * (round(count * 30 / most) if most else 0)
        prev = (hour.get("previous") or {}).get("orders", 0)
        out.append(f"{hour.get('hour_of_day', 0):02d}:00  {bar:<30} {count:>4} ({prev})")
    out.append("")
    rows = [
        [
            f"TICKETS (TARGET {_duration(report.get('target_s'))})",
            "N",
            "MEDIAN",
            "P90",
            "OVER",
            "WEEK BEFORE",
        ]
    ]
    groups = [("all tickets", report.get("ticket_times") or {})]
    groups += [
        (f"@{r.get('station')}" if r.get("station") else "(no station)", r)
        for r in report.get("by_station") or []
    ]
    groups += [(str(r.get("name")), r) for r in report.get("by_item") or []]
    for label, row in groups:
        rows.append(
            [
                label,
                str(row.get("n", 0)),
                _duration(row.get("median_s")),
                _duration(row.get("p90_s")),
                str(row.get("over_target", 0)),
                _duration((row.get("previous") or {}).get("median_s")),
            ]
        )
    out += [*_lines(rows), ""]
    rows = [["ITEMS SOLD", "QUANTITY", "ORDERS", "WEEK BEFORE"]]
    for row in report.get("product_mix") or []:
        rows.append(
            [
                str(row["name"]),
                str(row["quantity"]),
                str(row["orders"]),
                str(row["previous_quantity"]),
            ]
        )
    out += [*_lines(rows), ""]
    cancelled = report.get("cancellations") or {}
    out.append(
        f"CANCELLED {cancelled.get('count', 0)} (week before {cancelled.get('previous', 0)})"
    )
    for row in cancelled.get("by") or []:
        who = f"{row.get('by')} ({row.get('role') or '-'})"
        out.append(f"  from {row.get('from_status')} by {who}: {row.get('count')}")
    return "\n".join(out)
