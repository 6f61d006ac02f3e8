"""A period of orders, by creation time: the one rule for lists, figures and reports.

``since`` is inclusive and ``until`` exclusive; a missing bound is no bound (``since`` none:
from the first order; ``until`` none: up to now and on). Nothing is filled in for a missing
bound, so a period reads the same in ``GET /api/orders``, ``GET /api/stats``,
``GET /api/reports`` and the admin console, and its label says what was counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo


class PeriodError(ValueError):
    """A period that ends before it starts; ``field`` names the bound at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Period:
    """Orders created at or after ``since`` and before ``until`` (aware times; None: no bound)."""

    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        for bound in (self.since, self.until):
            if bound is not None and bound.tzinfo is None:
                raise ValueError("a period's bounds are aware times")
        if self.since is not None and self.until is not None and self.until <= self.since:
            raise PeriodError("until", "must be after since")

    @classmethod
    def of_days(cls, first: date | None, last: date | None, zone: tzinfo | None) -> Period:
        """The days ``first`` to ``last`` (inclusive), each from midnight in ``zone``.

        Raises:
            PeriodError: ``last`` is before ``first``.
        """
        if first is not None and last is not None and last < first:
            raise PeriodError("until", "the last day is before the first")
        return cls(
            None if first is None else midnight(first, zone),
            None if last is None else midnight(last + timedelta(days=1), zone),
        )

    def contains(self, moment: datetime) -> bool:
        """Whether an order created at ``moment`` is in the period."""
        if self.since is not None and moment < self.since:
            return False
        return self.until is None or moment < self.until

    def shifted(self, delta: timedelta) -> Period:
        """The same period moved by ``delta`` (a week before: ``timedelta(days=-7)``)."""
        return Period(
            None if self.since is None else self.since + delta,
            None if self.until is None else self.until + delta,
        )

    def label(self, zone: tzinfo | None, today: date | None = None) -> str:
        """The period in words, as days where its bounds are midnights in ``zone``:
        ``all dates``, ``today``, ``2026-12-05``, ``2026-12-05 to 2026-12-07``,
        ``from 2026-12-05``, ``until 2026-12-07`` (the last day counted), or times."""
        first = _day_or_time(self.since, zone)
        last = _last_day_or_time(self.until, zone)
        if first is None and last is None:
            return "all dates"
        if first is None:
            return f"until {last}"
        if last is None:
            return f"from {first}"
        if first == last:
            return "today" if today is not None and first == str(today) else first
        return f"{first} to {last}"


def midnight(day: date, zone: tzinfo | None) -> datetime:
    """The start of ``day`` in ``zone`` (UTC when None), as an aware time."""
    return datetime.combine(day, time(), tzinfo=zone or UTC)


def _is_midnight(moment: datetime) -> bool:
    return moment.time() == time()


def _day_or_time(moment: datetime | None, zone: tzinfo | None) -> str | None:
    if moment is None:
        return None
    local = moment.astimezone(zone or UTC)
    return str(local.date()) if _is_midnight(local) else local.strftime("%Y-%m-%d %H:%M")


def _last_day_or_time(moment: datetime | None, zone: tzinfo | None) -> str | None:
    """The last day an exclusive end counts (midnight of the 8th: the 7th)."""
    if moment is None:
        return None
    local = moment.astimezone(zone or UTC)
    if _is_midnight(local):
        return str(local.date() - timedelta(days=1))
    return "before " + local.strftime("%Y-%m-%d %H:%M")


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
    if text.startswith("-") and text[1:].isdigit() and len(text) < 7:
        return today - timedelta(days=int(text[1:]))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("a day is YYYY-MM-DD, today, yesterday or -N (days ago)") from None


def period_of(since: str | None, until: str | None, now: datetime) -> Period:
    """A period as typed on a command line: each bound a day (``YYYY-MM-DD``, ``today``,
    ``yesterday``, ``-N``; ``until`` a day takes that whole day) or an ISO 8601 time (no
    offset: ``now``'s zone). Days start at midnight in ``now``'s zone.

    Raises:
        PeriodError: a bound that is neither, or ``until`` not after ``since``.
    """
    return Period(
        _bound(since, now, "since", end=False) if since else None,
        _bound(until, now, "until", end=True) if until else None,
    )


def _bound(text: str, now: datetime, field: str, *, end: bool) -> datetime:
    try:
        day = parse_day(text, now.date())
    except ValueError:
        day = None
    if day is not None:
        return midnight(day + timedelta(days=1) if end else day, now.tzinfo)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(
            field, "a day (YYYY-MM-DD, today, yesterday, -N) or an ISO 8601 time"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)
