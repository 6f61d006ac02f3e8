"""A due time as a person types it (``19:30``, or ISO 8601), in this machine's local time."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_CLOCK = re.compile(r"([01]?[0-9]|2[0-3])[:.h]([0-5][0-9])")
PAST_GRACE = timedelta(hours=12)
"""A clock time passed less than this long ago is a mistake, not tomorrow's."""


class DueTimeError(ValueError):
    """A due time that cannot be read, or one that has passed."""


def parse_due(text: str, now: datetime) -> datetime:
    """``HH:MM`` (the next such time, in the local time of ``now``: tomorrow's when it is
    more than 12 hours past today's), or ISO 8601 (without an offset: local time). Aware.

    Raises:
        DueTimeError: not a time, or a clock time that passed less than 12 hours ago.
    """
    text = text.strip()
    local_now = now.astimezone()
    if match := _CLOCK.fullmatch(text):
        hour, minute = int(match.group(1)), int(match.group(2))
        due = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if due <= local_now:
            if local_now - due < PAST_GRACE:
                raise DueTimeError(
                    f"{text} has passed today (it is {local_now:%H:%M}); give a later time, "
                    f"or a date for another day ({(due + timedelta(days=1)):%Y-%m-%dT%H:%M})"
                )
            due += timedelta(days=1)
        return _local(due)
    try:
        due = datetime.fromisoformat(text)
    except ValueError:
        raise DueTimeError(
            f"{text!r} is not a time; give HH:MM (today, local time) or an ISO 8601 time "
            "such as 2026-12-31T19:30"
        ) from None
    return due if due.tzinfo is not None else _local(due)


def _local(value: datetime) -> datetime:
    """A wall-clock time of this machine, with its offset on that day (summer time)."""
    return value.replace(tzinfo=None).astimezone()
