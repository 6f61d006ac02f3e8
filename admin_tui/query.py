"""What the orders table shows: filter, search, date range, sort and page, as one value.

The server does the filtering and paging (``GET /api/orders``); this module only turns the
query into the call's arguments and decides whether a live event may touch the current view,
by the contract's own rules for a period (``kds_contract.period``) and a search
(``kds_contract.search``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from math import ceil
from typing import Any

from kds_contract import OPEN_STATUSES, Order, Status
from kds_contract.period import Period
from kds_contract.search import parse_search

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


@dataclass(frozen=True)
class OrderQuery:
    """One page of orders as the person asked for it."""

    statuses: tuple[Status, ...] = ()
    """The statuses to show; empty means every status."""
    text: str = ""
    """What to find (``kds_contract.search``): ``#12`` an order, ``T5`` a table, or words."""
    since: date | None = None
    """First day shown (in the console's time zone), or no lower bound."""
    until: date | None = None
    """Last day shown, inclusive, or no upper bound."""
    sort: str = "-id"
    page: int = 1
    per_page: int = 20
    max_id: int | None = None
    """The list as it was when its first page was read: no order newer than this (None:
    as it is now)."""

    @classmethod
    def today(cls, now: datetime, per_page: int = 20) -> OrderQuery:
        """Every order created today: where the console starts."""
        return cls(since=now.date(), until=now.date(), per_page=per_page)

    def with_(self, **changes: Any) -> OrderQuery:
        """A copy with changes; any change but the page goes back to page 1, and shows the
        list as it is now."""
        if "page" not in changes:
            changes["page"] = 1
            changes.setdefault("max_id", None)
        return replace(self, **changes)

    def period(self, now: datetime) -> Period:
        """The days shown, each from midnight in ``now``'s zone."""
        return Period.of_days(self.since, self.until, now.tzinfo)

    def rest_params(self, now: datetime) -> dict[str, Any]:
        """Keyword arguments for ``KdsRest.list_orders``."""
        params: dict[str, Any] = {
            "page": self.page,
            "per_page": self.per_page,
            "sort": self.sort,
        }
        if self.statuses:
            params["status"] = [s.value for s in self.statuses]
        if self.text.strip():
            params["q"] = self.text.strip()
        if self.max_id is not None:
            params["max_id"] = self.max_id
        return params | self.period_params(now)

    def period_params(self, now: datetime) -> dict[str, Any]:
        """``since`` and ``until`` of the days shown (none for a missing bound), for the
        list, the figures and the reports alike."""
        period = self.period(now)
        return {
            key: value
            for key, value in (("since", period.since), ("until", period.until))
            if value is not None
        }

    def matches(self, order: Order, now: datetime) -> bool:
        """Whether the server would list ``order`` under this query (filter, days, search),
        by the contract's rules (newer than :attr:`max_id` or not)."""
        if self.statuses and order.status not in self.statuses:
            return False
        if not self.period(now).contains(order.created_at):
            return False
        search = parse_search(self.text)
        return search is None or search.matches(order)

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
        """``today``, ``2026-11-20``, ``2026-11-20 to 2026-11-26``, ``from 2026-11-20``,
        ``until 2026-11-26``, ``all dates`` (``kds_contract.period.Period.label``)."""
        return self.period(now).label(now.tzinfo, now.date())
