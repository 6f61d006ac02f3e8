"""Screens online, from a client's side: the hello an app sends when it joins, and the
screen list as text for ``kds-order screens``."""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

from pydantic import ValidationError

from kds_client.columns import table
from kds_client.item_text import rough_duration
from kds_contract.screens import ScreenHello, ScreenKind, ScreensAnswer, quiet_for

log = logging.getLogger(__name__)

SCREEN_NAME_ENV = "KDS_SCREEN_NAME"


def app_version() -> str:
    try:
        return version("terminal-kds")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


def this_screen(
    kind: ScreenKind, station: str | None = None, name: str | None = None
) -> ScreenHello | None:
    """The hello of this app: its kind, station, the device's name (``name``, else
    ``KDS_SCREEN_NAME``, else the host name) and version; None if it cannot be made (the app
    joins all the same, unnamed)."""
    device = name or os.environ.get(SCREEN_NAME_ENV) or socket.gethostname() or "unnamed"
    try:
        return ScreenHello(kind=kind, station=station, name=device, version=app_version())
    except ValidationError as exc:
        log.warning("this screen cannot say what it is (%s); it joins unnamed", exc)
        return None


def screens_text(answer: ScreensAnswer, now: datetime | None = None) -> str:
    """The screens as a table (online first), then a line per station whose open tickets
    no kitchen screen shows."""
    now = now or datetime.now(UTC)
    rows = [("KIND", "STATION", "NAME", "VERSION", "STATE")]
    for info in sorted(answer.screens, key=lambda s: (not s.connected, s.kind, s.name)):
        state = (
            "online" if info.connected else f"gone, seen {rough_duration(quiet_for(info, now))} ago"
        )
        rows.append((info.kind, info.station or "-", info.name, info.version or "-", state))
    lines = table(rows)
    if len(rows) == 1:
        lines.append("(no screen seen in the last 24 h)")
    for cover in answer.stations:
        if cover.warning:
            where = f"station {cover.station}" if cover.station else "items without a station"
            tickets = f"{cover.open_tickets} open ticket{'s' if cover.open_tickets != 1 else ''}"
            lines.append(f"WARNING: {where}: {tickets} and no kitchen screen online")
    return "\n".join(lines)
