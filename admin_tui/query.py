"""What the orders table shows: filter, search, date range, sort and page, as one value.

The server does the filtering and paging (``GET /api/orders``); this module only turns the
query into the call's arguments and decides whether a live event may touch the current view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from math import ceil
from typing import Any

from kds_contract import OPEN_STATUSES, Order, Status

SORTS: dict[str, str] = {
    "-id": "newest",
    "created_at": "oldest",
    "-updated_at": "last change",
    "updated_at": "unchanged longest",
}
"""The sorts the console cycles through, with their labels (server ``sort`` values)."""

NEWEST_FIRST = frozenset({"-id", "-created_at", "-updated_at"})
"""Sorts that put a new order first: it is both the newest and the last changed."""
LAST_CHANGE_FIRST = "-updated_at"

_TABLE = re.compile(r"[Tt] ?(\d+)")


@dataclass(frozen=True)
class OrderQuery:
    """One page of orders as the person asked for it."""

    statuses: tuple[Status, ...] = ()
    """The statuses to show; empty means every status."""
    text: str = ""
    """Free text the server matches against customer, table and items."""
    since: date | None = None
    """First day shown (in the console's time zone), or no lower bound."""
    until: date | None = None
    """Last day shown, inclusive, or no upper bound."""
    sort: str = "-id"
    page: int = 1
    per_page: int = 20

    @classmethod
    def today(cls, now: datetime, per_page: int = 20) -> OrderQuery:
        """Every order created today: where the console starts."""
        return cls(since=now.date(), until=now.date(), per_page=per_page)

    def with_(self, **changes: Any) -> OrderQuery:
        """A copy with changes; any change but the page goes back to page 1."""
        if "page" not in changes:
            changes["page"] = 1
        return replace(self, **changes)

    def rest_params(self, now: datetime) -> dict[str, Any]:
        """Keyword arguments for ``KdsRest.list_orders``; days start at midnight, ``now``'s zone."""
        params: dict[str, Any] = {
            "page": self.page,
            "per_page": self.per_page,
            "sort": self.sort,
        }
        if self.statuses:
            params["status"] = [s.value for s in self.statuses]
        if self.text.strip():
            params["q"] = search_text(self.text)
        if self.since is not None:
            params["since"] = _midnight(self.since, now)
        if self.until is not None:
            params["until"] = _midnight(self.until + timedelta(days=1), now)
        return params

    def stats_params(self, now: datetime) -> dict[str, Any]:
        """Keyword arguments for ``KdsRest.stats`` over the same days."""
        params = self.rest_params(now)
        return {key: params[key] for key in ("since", "until") if key in params}

    def matches(self, order: Order, now: datetime) -> bool:
        """Whether the server would list ``order`` under this query, as far as can be told here.

        Text search is the server's business; with text set, nothing matches locally, so a
        live event never puts a row in the table that the server would not show.
        """
        if self.text.strip():
            return False
        if self.statuses and order.status not in self.statuses:
            return False
        created = order.created_at.astimezone(now.tzinfo)
        if self.since is not None and created < _midnight(self.since, now):
            return False
        return self.until is None or created < _midnight(self.until + timedelta(days=1), now)

    @property
    def newest_first(self) -> bool:
        """Whether a new order belongs at the top of page 1."""
        return self.sort in NEWEST_FIRST

    @property
    def last_change_first(self) -> bool:
        """Whether any change moves an order to the top of page 1."""
        return self.sort == LAST_CHANGE_FIRST

    def pages(self, total: int) -> int:
        """How many pages ``total`` orders fill (at least one)."""
        return max(1, ceil(total / self.per_page))

    def status_label(self) -> str:
        """``all``, ``open`` or the statuses, comma-separated."""
        if not self.statuses:
            return "all"
        if set(self.statuses) == set(OPEN_STATUSES):
            return "open"
        return ",".join(s.value for s in self.statuses)

    def dates_label(self, now: datetime) -> str:
        """``today``, ``2026-11-20``, ``2026-11-20..2026-11-26``, ``from 2026-11-20``,
        ``until 2026-11-26``, ``all dates``."""
        if self.since is None and self.until is None:
            return "all dates"
        if self.since == self.until:
            return "today" if self.since == now.date() else str(self.since)
        if self.since is None:
            return f"until {self.until}"
        if self.until is None:
            return f"from {self.since}"
        return f"{self.since}..{self.until}"


def search_text(text: str) -> str:
    """What the server is asked to find: a table as the list shows it (``T12``) is ``12``."""
    text = text.strip()
    if match := _TABLE.fullmatch(text):
        return match.group(1)
    return text


def _midnight(day: date, now: datetime) -> datetime:
    return datetime.combine(day, time(), tzinfo=now.tzinfo)


def parse_day(text: str, today: date) -> date | None:
    """A day as typed: ``YYYY-MM-DD``, ``today``, ``yesterday``, ``-3`` (days ago), or blank.

    Raises:
        ValueError: with words for the person when the text is none of those.
    """
    text = text.strip().lower()
    if not text:
        return None
    if text == "today":
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    if text.startswith("-") and text[1:].isdigit():
        return today - timedelta(days=int(text[1:]))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("a day is YYYY-MM-DD, today, yesterday or -N (days ago)") from None
