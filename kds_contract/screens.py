"""Screens online (SPEC: Operating it): what a display or console says about itself when it
joins a room, and what ``GET /api/screens`` answers.

A screen sends its hello as the data of its join event, under ``SCREEN_FIELD``::

    socket.emit("join:kitchen", {"screen": {"kind": "kitchen", "station": "grill",
                                            "name": "grill-1", "version": "0.1.0"}}, ack)

The public pickup board sends it with ``join:pickup`` on the ``/public`` namespace. A join
without a hello still joins (a stock client need not say anything); a hello the server
cannot read is ignored and the acknowledgement says why (``screen_error``): a screen is
never kept off its tickets for a fault in how it named itself.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kds_contract.models import Name, ShortText, Timestamp

SCREEN_FIELD = "screen"
"""The key of the hello in a join event's data."""

SEEN_WITHIN_HOURS = 24
"""``GET /api/screens`` lists the screens connected now and those seen this long ago."""


class ScreenKind(StrEnum):
    """What a screen is."""

    KITCHEN = "kitchen"
    """``kds-kitchen``: a station's display, or the expo's (no station)."""
    PICKUP = "pickup"
    """``kds-kitchen --pickup``: the numbers customers watch, in a terminal."""
    ADMIN = "admin"
    """``kds-admin``."""
    KITCHEN_BOARD = "kitchen_board"
    """``/board/kitchen`` in a browser (a TV or a tablet)."""
    PICKUP_BOARD = "pickup_board"
    """``/board/pickup`` in a browser (the pickup counter's TV)."""


KITCHEN_KINDS = frozenset({ScreenKind.KITCHEN, ScreenKind.KITCHEN_BOARD})
"""Screens a cook works from: a station's tickets are seen when one of these is online."""


class ScreenHello(BaseModel):
    """What a screen says about itself when it joins."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: ScreenKind
    station: ShortText | None = None
    """The station it shows (kitchen screens); none for the expo and the other kinds."""
    name: Name
    """The device's name, as its operator knows it (``grill-1``, the host name)."""
    version: ShortText = ""
    """The app's version."""

    def payload(self) -> dict[str, Any]:
        """The join event's data carrying this hello."""
        return {SCREEN_FIELD: self.model_dump(mode="json")}

    @property
    def station_key(self) -> str:
        """The station as the server files it: stripped, lower case, '' for none."""
        return (self.station or "").strip().lower()


class ScreenInfo(BaseModel):
    """One screen in ``GET /api/screens``."""

    kind: ScreenKind
    station: str | None
    name: str
    version: str
    connected: bool
    last_seen_at: Timestamp
    """Now, for a connected screen; when it left, for one that is gone."""
    connected_at: Timestamp | None = None
    """When its current (or last) connection began."""


class StationCover(BaseModel):
    """A station with open tickets or a screen, and whether a cook can see its tickets."""

    station: str | None
    """None: items that have no station."""
    open_tickets: int
    """Open orders (pending, preparing, ready) with an item of this station not done."""
    screens_online: int
    """Kitchen screens (terminal or browser) of this station connected now."""
    seen: bool
    """Whether a kitchen screen that shows this station's tickets (its own, or one showing
    every station) is online."""

    @property
    def warning(self) -> bool:
        """Open tickets that no kitchen screen shows."""
        return self.open_tickets > 0 and not self.seen


class ScreensAnswer(BaseModel):
    """``GET /api/screens``."""

    screens: list[ScreenInfo] = Field(default_factory=list)
    stations: list[StationCover] = Field(default_factory=list)


def parse_hello(data: Any) -> tuple[ScreenHello | None, str | None]:
    """The hello in a join event's data: ``(hello, None)``, ``(None, None)`` when there is
    none, or ``(None, why)`` when it cannot be read."""
    if not isinstance(data, dict) or data.get(SCREEN_FIELD) is None:
        return None, None
    try:
        return ScreenHello.model_validate(data[SCREEN_FIELD]), None
    except ValueError as exc:
        errors = getattr(exc, "errors", None)
        if callable(errors):
            first = errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or SCREEN_FIELD
            return None, f"{SCREEN_FIELD}.{where}: {first.get('msg', 'invalid')}"
        return None, f"{SCREEN_FIELD}: {exc}"


def quiet_for(info: ScreenInfo, now: datetime) -> float:
    """Seconds since a screen that is gone was last seen (0 while it is connected)."""
    if info.connected:
        return 0.0
    return max(0.0, (now - info.last_seen_at).total_seconds())
